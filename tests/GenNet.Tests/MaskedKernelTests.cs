using System;
using System.Linq;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// The masked overloads of Kernels.Recurrent and Kernels.Masking, against the unmasked kernels: at step 1 of two, over a
/// batch of three whose middle sample is padding, the real samples' rows are bit for bit what the unmasked step gives and
/// the padded one's state is carried (forward), its gates get no gradient and its dL/dh (and dL/dc) pass unchanged
/// (backward); for units whose rows end in every vector width's remainder. <see cref="RunAll"/> also runs in
/// <see cref="Program"/>'s simd-check, so the 256-, 128-bit and scalar paths are compared too.
/// </summary>
public sealed class MaskedKernelTests
{
    private static readonly int[] s_units = [1, 2, 3, 4, 5, 8, 9, 16, 17, 33];

    private const int Batch = 3, Padded = 1, Step = 1;

    [Fact]
    public void Every_case_matches_the_unmasked_kernels() => FailureReports.AssertNone(RunAll);

    [Fact]
    public void Masking_finds_padded_steps_and_zeroes_them()
    {
        float[] x = [0, 0, 1, 0, -1, -1, /**/ 2, -1, -1, -1, 0, 0]; // two samples of three steps of two features
        float[] y = new float[x.Length], mask = new float[6], dx = new float[x.Length];
        Masking.Forward(x, y, mask, -1f, batchSize: 2, steps: 3, features: 2);
        Assert.Equal([1f, 1f, 1f, 0f, 0f, 1f], mask); // [steps, batch]: sample 0's last step and sample 1's middle one are −1 throughout
        Assert.Equal([0f, 0, 1, 0, 0, 0, /**/ 2, -1, 0, 0, 0, 0], y);
        Masking.Backward(Enumerable.Repeat(1f, 12).ToArray(), dx, mask, batchSize: 2, steps: 3, features: 2);
        Assert.Equal([1f, 1, 1, 1, 0, 0, /**/ 1, 1, 0, 0, 1, 1], dx);
        Masking.FromIds([3, 0, 0, 5], mask.AsSpan(0, 4), batchSize: 2, steps: 2);
        Assert.Equal([1f, 0f, 0f, 1f], mask.AsSpan(0, 4).ToArray());
        Assert.Throws<ArgumentException>(() => Recurrent.RnnStep(new float[1], new float[1], new float[6], new float[3], new float[9], new float[2], step: 1, batchSize: 3, units: 1));
    }

    /// <summary>Runs every comparison; reports each failure and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0;
        var random = new Random(1357);
        float[] mask = new float[2 * Batch];
        Array.Fill(mask, 1f);
        mask[Step * Batch + Padded] = 0f;
        foreach (int units in s_units)
        {
            foreach (int gates in new[] { 4, 3, 1 })
            {
                int width = gates * units, rows = Batch * units;
                float[] weightHh = Random(random, width * units), biasHh = Random(random, width);
                float[] gatesIn = Random(random, 2 * Batch * width), h = Random(random, 3 * rows), c = Random(random, 3 * rows);
                float[] projectionSize = new float[gates == 3 ? 2 * Batch * width : Batch * width];
                float[] gatesPlain = (float[])gatesIn.Clone(), hPlain = (float[])h.Clone(), cPlain = (float[])c.Clone(), pPlain = (float[])projectionSize.Clone();
                float[] gatesMasked = (float[])gatesIn.Clone(), hMasked = (float[])h.Clone(), cMasked = (float[])c.Clone(), pMasked = (float[])projectionSize.Clone();
                switch (gates)
                {
                    case 4:
                        Recurrent.LstmStep(weightHh, biasHh, gatesPlain, pPlain, hPlain, cPlain, Step, Batch, units);
                        Recurrent.LstmStep(weightHh, biasHh, gatesMasked, pMasked, hMasked, cMasked, mask, Step, Batch, units);
                        break;
                    case 3:
                        Recurrent.GruStep(weightHh, biasHh, gatesPlain, pPlain, hPlain, Step, Batch, units);
                        Recurrent.GruStep(weightHh, biasHh, gatesMasked, pMasked, hMasked, mask, Step, Batch, units);
                        break;
                    default:
                        Recurrent.RnnStep(weightHh, biasHh, gatesPlain, pPlain, hPlain, Step, Batch, units);
                        Recurrent.RnnStep(weightHh, biasHh, gatesMasked, pMasked, hMasked, mask, Step, Batch, units);
                        break;
                }

                string name = $"{(gates == 4 ? "LSTM" : gates == 3 ? "GRU" : "SimpleRNN")}, {units} units";
                for (int b = 0; b < Batch; b++)
                {
                    int next = (Step + 1) * rows + b * units, previous = Step * rows + b * units;
                    float[] expected = b == Padded ? h.AsSpan(previous, units).ToArray() : hPlain.AsSpan(next, units).ToArray();

                    failures += Compare(report, $"{name}: h after the step, sample {b}", expected, hMasked.AsSpan(next, units).ToArray());
                    if (gates == 4)
                    {
                        float[] expectedCell = b == Padded ? c.AsSpan(previous, units).ToArray() : cPlain.AsSpan(next, units).ToArray();
                        failures += Compare(report, $"{name}: c after the step, sample {b}", expectedCell, cMasked.AsSpan(next, units).ToArray());
                    }
                }

                // Backward from the same forward state: real rows as unmasked, the padded row carried.
                float[] dh = Random(random, rows), dc = Random(random, rows);
                float[] dhPlain = (float[])dh.Clone(), dcPlain = (float[])dc.Clone(), dhMasked = (float[])dh.Clone(), dcMasked = (float[])dc.Clone();
                float[] carry = new float[rows], carryPlain = new float[rows];
                float[] gatesMaskedForward = (float[])gatesPlain.Clone(), pMaskedForward = (float[])pPlain.Clone();
                switch (gates)
                {
                    case 4:
                        Recurrent.LstmStepBackward(weightHh, gatesPlain, pPlain, cPlain, dhPlain, dcPlain, Step, Batch, units);
                        Recurrent.LstmStepBackward(weightHh, gatesMaskedForward, pMaskedForward, cPlain, dhMasked, dcMasked, mask, Step, Batch, units);
                        break;
                    case 3:
                        Recurrent.GruStepBackward(weightHh, gatesPlain, pPlain, hPlain, dhPlain, carryPlain, Step, Batch, units);
                        Recurrent.GruStepBackward(weightHh, gatesMaskedForward, pMaskedForward, hPlain, dhMasked, carry, mask, Step, Batch, units);
                        break;
                    default:
                        Recurrent.RnnStepBackward(weightHh, gatesPlain, dhPlain, Step, Batch, units);
                        Recurrent.RnnStepBackward(weightHh, gatesMaskedForward, dhMasked, carry, mask, Step, Batch, units);
                        break;
                }

                for (int b = 0; b < Batch; b++)
                {
                    int row = Step * Batch * width + b * width;
                    float[] expectedGates = b == Padded ? new float[width] : gatesPlain.AsSpan(row, width).ToArray();
                    failures += Compare(report, $"{name}: gate gradient, sample {b}", expectedGates, gatesMaskedForward.AsSpan(row, width).ToArray());
                    failures += Compare(report, $"{name}: dL/dh of the step before, sample {b}",
                        (b == Padded ? dh : dhPlain).AsSpan(b * units, units).ToArray(), dhMasked.AsSpan(b * units, units).ToArray());
                    if (gates == 4)
                    {
                        failures += Compare(report, $"{name}: dL/dc of the step before, sample {b}",
                            (b == Padded ? dc : dcPlain).AsSpan(b * units, units).ToArray(), dcMasked.AsSpan(b * units, units).ToArray());
                    }
                }
            }
        }

        return failures;
    }

    private static float[] Random(Random random, int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    private static int Compare(Action<string> report, string what, float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                report($"{what}[{i}]: {actual[i]:R} where {expected[i]:R} was expected");
                return 1;
            }
        }

        return 0;
    }
}
