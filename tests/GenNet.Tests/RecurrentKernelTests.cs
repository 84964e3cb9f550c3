using System;
using System.Linq;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// Kernels.Recurrent against float64 formulas written out here: one forward and one backward step of each kind (step 1 of a
/// two-step buffer, so the slot arithmetic and the product into dL/dh of the step before are both exercised; step 0, which
/// stops there), for units whose rows end in every vector width's remainder, and the step-major transposes.
/// <see cref="RunAll"/> also runs in <see cref="Program"/>'s simd-check, so the 256-, 128-bit and scalar paths are compared too.
/// </summary>
[Collection(SerialCollection.Name)] // one test counts allocations
public sealed class RecurrentKernelTests
{
    private static readonly int[] s_units = [1, 2, 3, 4, 5, 8, 9, 16, 17, 33];

    private const double Tolerance = 1e-5;

    [Fact]
    public void Every_case_matches_the_reference() => FailureReports.AssertNone(RunAll);

    [Fact]
    public void A_recurrent_network_trains_and_infers_without_allocating()
    {
        var network = new PyTorchRecurrent();
        network.InitializeParameters(5);
        const int batch = 7;
        float[] inputs = Enumerable.Range(0, batch * PyTorchRecurrent.InputSize).Select(i => i % 13 / 13f - 0.5f).ToArray();
        int[] labels = [0, 1, 2, 3, 0, 1, 2];
        float[] outputs = new float[batch * PyTorchRecurrent.OutputSize];
        var adam = new Adam();
        Assert.Equal(0, AllocationTests.Allocated(() => network.Forward(inputs.AsSpan(0, PyTorchRecurrent.InputSize), outputs.AsSpan(0, PyTorchRecurrent.OutputSize))));
        Assert.Equal(0, AllocationTests.Allocated(() => network.Forward(inputs, outputs, batch)));
        Assert.Equal(0, AllocationTests.Allocated(() =>
        {
            network.ComputeGradients(inputs, labels, batch);
            adam.Step(network.Parameters, network.Gradients);
        }));
        var inferenceOnly = new CompiledPyTorchRecurrent();
        Assert.Equal(0, AllocationTests.Allocated(() => inferenceOnly.Forward(inputs, outputs, batch)));
    }

    [Fact]
    public void A_span_of_the_wrong_length_is_an_argument_exception()
    {
        var x = new float[2 * 3 * 4];
        Assert.Throws<ArgumentException>(() => Recurrent.ToStepMajor(x, new float[x.Length - 1], batchSize: 2, steps: 3, width: 4));
        Assert.Throws<ArgumentException>(() => Recurrent.AddStep(x, new float[7], step: 0, batchSize: 2, steps: 3, units: 4));
        Assert.Throws<ArgumentException>(() =>
            Recurrent.RnnStepBackward(new float[16], new float[2 * 2 * 4], new float[7], step: 1, batchSize: 2, units: 4));
    }

    /// <summary>Runs every comparison; reports each failure and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0;
        var random = new Random(2468);
        foreach (int units in s_units)
        {
            foreach (int batch in new[] { 1, 3 })
            {
                foreach (int gates in new[] { 4, 3, 1 })
                {
                    foreach (int step in new[] { 0, 1 })
                    {
                        failures += Check(gates, units, batch, step, random, report);
                    }
                }
            }
        }

        failures += CheckTransposes(random, report);
        return failures;
    }

    private static int CheckTransposes(Random random, Action<string> report)
    {
        const int batch = 3, steps = 5, width = 7;
        float[] x = Uniform(random, batch * steps * width, 1);
        var xs = new float[x.Length];
        var back = new float[x.Length];
        Recurrent.ToStepMajor(x, xs, batch, steps, width);
        Recurrent.ToSampleMajor(xs, back, batch, steps, width);
        int failures = 0;
        if (xs[(2 * batch + 1) * width + 3] != x[(1 * steps + 2) * width + 3] || !back.SequenceEqual(x))
        {
            report("ToStepMajor/ToSampleMajor: not each other's inverse, or not [t, b] ↔ [b, t]");
            failures++;
        }

        var dh = new float[batch * width];
        Recurrent.AddStep(x, dh, step: 4, batch, steps, width);
        if (dh[2 * width + 6] != x[(2 * steps + 4) * width + 6])
        {
            report("AddStep: dh[b] is not dy[b, step]");
            failures++;
        }

        return failures;
    }

    /// <summary>One forward and one backward step of the kind with <paramref name="gates"/> gates (4 LSTM, 3 GRU, 1 SimpleRNN).</summary>
    private static int Check(int gates, int units, int batch, int step, Random random, Action<string> report)
    {
        string kind = gates switch { 4 => "LSTM", 3 => "GRU", _ => "SimpleRNN" };
        string at = $"{kind} step {step}, {units} units, batch {batch}";
        int width = gates * units, rows = batch * units;
        float[] weight = Uniform(random, width * units, 0.6), bias = Uniform(random, width, 0.4);
        float[] gateValues = Uniform(random, 2 * batch * width, 1.2); // two steps of input projections
        float[] projection = new float[(gates == 3 ? 2 : 1) * batch * width];
        float[] h = Uniform(random, 3 * rows, 0.8), c = Uniform(random, 3 * rows, 1.5);
        int sPrev = step * rows, sNext = (step + 1) * rows, g0 = step * batch * width;
        if (step == 0)
        {
            Array.Clear(h, 0, rows);
            Array.Clear(c, 0, rows);
        }

        // Expected forward: pre-activations in float64 from the same float inputs.
        double[] input = gateValues.Skip(g0).Take(batch * width).Select(v => (double)v).ToArray();
        var recurrent = new double[batch * width];
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < width; j++)
            {
                double sum = bias[j];
                for (int k = 0; k < units; k++)
                {
                    sum += weight[j * units + k] * (double)h[sPrev + b * units + k];
                }

                recurrent[b * width + j] = sum;
            }
        }

        var expectedGates = new double[batch * width];
        var expectedH = new double[rows];
        var expectedC = new double[rows];
        for (int b = 0; b < batch; b++)
        {
            for (int u = 0; u < units; u++)
            {
                int r0 = b * width + u;
                double hPrev = h[sPrev + b * units + u];
                switch (gates)
                {
                    case 4:
                        double i = S(input[r0] + recurrent[r0]), f = S(input[r0 + units] + recurrent[r0 + units]);
                        double g = Math.Tanh(input[r0 + 2 * units] + recurrent[r0 + 2 * units]), o = S(input[r0 + 3 * units] + recurrent[r0 + 3 * units]);
                        (expectedGates[r0], expectedGates[r0 + units], expectedGates[r0 + 2 * units], expectedGates[r0 + 3 * units]) = (i, f, g, o);
                        expectedC[b * units + u] = f * c[sPrev + b * units + u] + i * g;
                        expectedH[b * units + u] = o * Math.Tanh(expectedC[b * units + u]);
                        break;
                    case 3:
                        double r = S(input[r0] + recurrent[r0]), z = S(input[r0 + units] + recurrent[r0 + units]);
                        double n = Math.Tanh(input[r0 + 2 * units] + r * recurrent[r0 + 2 * units]);
                        (expectedGates[r0], expectedGates[r0 + units], expectedGates[r0 + 2 * units]) = (r, z, n);
                        expectedH[b * units + u] = (1 - z) * n + z * hPrev;
                        break;
                    default:
                        expectedGates[r0] = expectedH[b * units + u] = Math.Tanh(input[r0] + recurrent[r0]);
                        break;
                }
            }
        }

        switch (gates)
        {
            case 4: Recurrent.LstmStep(weight, bias, gateValues, projection, h, c, step, batch, units); break;
            case 3: Recurrent.GruStep(weight, bias, gateValues, projection, h, step, batch, units); break;
            default: Recurrent.RnnStep(weight, bias, gateValues, projection, h, step, batch, units); break;
        }

        int failures = Compare(report, $"{at}: gates", gateValues.AsSpan(g0, batch * width), expectedGates)
            + Compare(report, $"{at}: h", h.AsSpan(sNext, rows), expectedH)
            + (gates == 4 ? Compare(report, $"{at}: c", c.AsSpan(sNext, rows), expectedC) : 0);

        // Expected backward, from the float activations the forward kept.
        float[] dh = Uniform(random, rows, 1), dc = Uniform(random, rows, 1);
        var dInput = new double[batch * width];
        var dRecurrent = new double[batch * width];
        var dhAfter = new double[rows];
        var dcAfter = new double[rows];
        for (int b = 0; b < batch; b++)
        {
            for (int u = 0; u < units; u++)
            {
                int r0 = b * width + u, q = b * units + u;
                double d = dh[q];
                switch (gates)
                {
                    case 4:
                        double i = gateValues[g0 + r0], f = gateValues[g0 + r0 + units], g = gateValues[g0 + r0 + 2 * units], o = gateValues[g0 + r0 + 3 * units];
                        double tau = Math.Tanh(c[sNext + q]);
                        double dCell = dc[q] + d * o * (1 - tau * tau);
                        dInput[r0] = dCell * g * i * (1 - i);
                        dInput[r0 + units] = dCell * c[sPrev + q] * f * (1 - f);
                        dInput[r0 + 2 * units] = dCell * i * (1 - g * g);
                        dInput[r0 + 3 * units] = d * tau * o * (1 - o);
                        dcAfter[q] = dCell * f;
                        break;
                    case 3:
                        double r = gateValues[g0 + r0], z = gateValues[g0 + r0 + units], n = gateValues[g0 + r0 + 2 * units];
                        double dN = d * (1 - z) * (1 - n * n);
                        dInput[r0] = dN * projection[g0 + r0 + 2 * units] * r * (1 - r);
                        dInput[r0 + units] = d * (h[sPrev + q] - n) * z * (1 - z);
                        dInput[r0 + 2 * units] = dN;
                        dhAfter[q] = d * z;
                        break;
                    default:
                        double y = gateValues[g0 + r0];
                        dInput[r0] = d * (1 - y * y);
                        break;
                }
            }
        }

        Array.Copy(dInput, dRecurrent, dInput.Length);
        if (gates == 3)
        {
            for (int b = 0; b < batch; b++)
            {
                for (int u = 0; u < units; u++)
                {
                    dRecurrent[b * width + 2 * units + u] *= gateValues[g0 + b * width + u]; // dn · r
                }
            }
        }

        if (step > 0)
        {
            for (int b = 0; b < batch; b++)
            {
                for (int k = 0; k < units; k++)
                {
                    double sum = 0;
                    for (int j = 0; j < width; j++)
                    {
                        sum += dRecurrent[b * width + j] * weight[j * units + k];
                    }

                    dhAfter[b * units + k] += sum;
                }
            }
        }

        switch (gates)
        {
            case 4: Recurrent.LstmStepBackward(weight, gateValues, projection, c, dh, dc, step, batch, units); break;
            case 3: Recurrent.GruStepBackward(weight, gateValues, projection, h, dh, new float[rows], step, batch, units); break;
            default: Recurrent.RnnStepBackward(weight, gateValues, dh, step, batch, units); break;
        }

        failures += Compare(report, $"{at}: d(pre) of the input", gateValues.AsSpan(g0, batch * width), dInput);
        if (gates == 3)
        {
            failures += Compare(report, $"{at}: d(pre) of the recurrent projection", projection.AsSpan(g0, batch * width), dRecurrent);
        }

        if (gates == 4)
        {
            failures += Compare(report, $"{at}: dc of the step before", dc, dcAfter);
        }

        if (step > 0 || gates == 3)
        {
            failures += Compare(report, $"{at}: dh of the step before", dh, dhAfter);
        }

        return failures;
    }

    private static double S(double z) => 1 / (1 + Math.Exp(-z));

    private static int Compare(Action<string> report, string what, ReadOnlySpan<float> actual, double[] expected)
    {
        for (int k = 0; k < expected.Length; k++)
        {
            if (!(Math.Abs(actual[k] - expected[k]) <= Tolerance * (1 + Math.Abs(expected[k]))))
            {
                report($"{what}[{k}] = {actual[k]}, expected {expected[k]}");
                return 1;
            }
        }

        return 0;
    }

    private static float[] Uniform(Random random, int length, double bound) =>
        Enumerable.Range(0, length).Select(_ => (float)((2 * random.NextDouble() - 1) * bound)).ToArray();
}
