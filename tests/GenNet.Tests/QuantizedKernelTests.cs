using System;
using System.Collections.Generic;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// The Dense forward products over bfloat16, half and int8 weights against a float64 reference over the decoded weights,
/// at awkward sizes that reach every path: the decoding path (batches of 1–3), the decoded 4-row blocks, and the packed
/// panels (batches of Dense.DecodedPackedMinBatch, 32, and more) with their remainders. <see cref="RunAll"/> is also run by <see cref="Program"/>'s
/// simd-check, so the 256-, 128-bit and scalar paths are compared too.
/// </summary>
public sealed class QuantizedKernelTests
{
    [Fact]
    public void Every_case_matches_the_float64_reference() => FailureReports.AssertNone(RunAll);

    /// <summary>(batch, inputs, outputs): 1, 3, 17, 129 in every role, plus the packed path's shapes.</summary>
    public static IEnumerable<(int Batch, int Inputs, int Outputs)> Cases()
    {
        int[] sizes = [1, 3, 17, 129];
        foreach (int batch in sizes)
        {
            foreach (int inputs in sizes)
            {
                foreach (int outputs in sizes)
                {
                    yield return (batch, inputs, outputs);
                }
            }
        }

        yield return (4, 129, 4);     // one whole 4 × 4 tile
        yield return (130, 17, 32);   // packed (outputs a whole pair of vectors at every width), 2-sample remainder
        yield return (129, 129, 128); // packed, a 1-sample remainder and an input tail
        yield return (256, 784, 128); // the seed MLP's first layer at batch 256
        yield return (Dense.DecodedPackedMinBatch - 1, 784, 128); // the last batch of decoded 4-row blocks
        yield return (Dense.DecodedPackedMinBatch, 784, 128);     // the first packed one, whole blocks of 8 samples
        yield return (Dense.DecodedPackedMinBatch + 5, 33, 64);   // packed with a 5-sample remainder and an input tail
        yield return (1, 784, 128);   // and at one sample: bfloat16 panels in a group of four
        yield return (2, 784, 160);   // four panels and one more
        yield return (1, 5, 96);      // three single panels
    }

    /// <summary>Runs every comparison; reports each failure and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0;
        var random = new Random(2026);
        foreach ((int batch, int inputs, int outputs) in Cases())
        {
            float[] x = Values(random, batch * inputs, 1f), bias = Values(random, outputs, 0.5f);
            float[] floats = Values(random, outputs * inputs, 0.3f);
            var bf16 = new ushort[floats.Length];
            var half = new ushort[floats.Length];
            for (int i = 0; i < floats.Length; i++)
            {
                bf16[i] = SafeTensors.ToBFloat16(floats[i]);
                half[i] = BitConverter.HalfToUInt16Bits((Half)floats[i]);
            }

            var codes = new sbyte[floats.Length];
            var scales = new float[outputs];
            for (int o = 0; o < outputs; o++)
            {
                scales[o] = SafeTensors.QuantizeInt8(floats.AsSpan(o * inputs, inputs), codes.AsSpan(o * inputs, inputs));
            }

            string shape = $"batch {batch}, inputs {inputs}, outputs {outputs}";
            var y = new float[batch * outputs];
            Array.Fill(y, float.NaN);
            Dense.ForwardBFloat16(x, bf16, bias, y, batch, inputs, outputs);
            failures += Compare($"BFloat16 {shape}", x, (o, i) => BitConverter.Int32BitsToSingle(bf16[o * inputs + i] << 16), bias, y, batch, inputs, outputs, report);

            Array.Fill(y, float.NaN);
            Dense.ForwardHalf(x, half, bias, y, batch, inputs, outputs);
            failures += Compare($"Half {shape}", x, (o, i) => (double)BitConverter.UInt16BitsToHalf(half[o * inputs + i]), bias, y, batch, inputs, outputs, report);

            // The same product with the bfloat16 weights also packed in panels of 32 outputs (single samples at 512 bits stream them).
            var bf16Panels = new ushort[Dense.PairPanelLength(inputs, outputs)];
            Dense.PackBFloat16Panels(bf16, bf16Panels, inputs, outputs);
            Array.Fill(y, float.NaN);
            Dense.ForwardBFloat16(x, bf16, bf16Panels, bias, y, batch, inputs, outputs);
            failures += Compare($"BFloat16 panels {shape}", x, (o, i) => BitConverter.Int32BitsToSingle(bf16[o * inputs + i] << 16), bias, y, batch, inputs, outputs, report);

            Array.Fill(y, float.NaN);
            Dense.ForwardInt8(x, codes, scales, bias, y, batch, inputs, outputs);
            failures += Compare($"Int8 {shape}", x, (o, i) => (double)codes[o * inputs + i] * scales[o], bias, y, batch, inputs, outputs, report);
        }

        return failures;
    }

    // |y − reference| ≤ 2⁻¹⁶ · (|b| + Σ|w·x|): float32 accumulation over at most 784 terms, with room for the order of summation.
    private static int Compare(string what, float[] x, Func<int, int, double> weight, float[] bias, float[] y, int batch, int inputs, int outputs, Action<string> report)
    {
        for (int s = 0; s < batch; s++)
        {
            for (int o = 0; o < outputs; o++)
            {
                double expected = bias[o], magnitude = Math.Abs(bias[o]);
                for (int i = 0; i < inputs; i++)
                {
                    double term = weight(o, i) * x[s * inputs + i];
                    expected += term;
                    magnitude += Math.Abs(term);
                }

                double actual = y[s * outputs + o];
                if (!(Math.Abs(actual - expected) <= magnitude / 65536 + 1e-30))
                {
                    report($"{what}: y[{s}, {o}] = {actual}, expected {expected} (tolerance {magnitude / 65536:E2})");
                    return 1;
                }
            }
        }

        return 0;
    }

    private static float[] Values(Random random, int count, float range)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2 - 1) * range);
        }

        return values;
    }

    [Fact]
    public void Every_finite_half_decodes_as_the_runtime_converts_it()
    {
        for (int bits = 0; bits < 65536; bits++)
        {
            if ((bits & 0x7C00) == 0x7C00)
            {
                continue; // infinities and NaNs: refused before the kernels see them
            }

            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
            float actual = HalfWeights.Decode((ushort)bits);
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"half 0x{bits:X4}: {actual}, expected {expected}");
        }
    }

    [Fact]
    public void Int8_forward_checks_its_scales()
    {
        var error = Assert.Throws<ArgumentException>(() => Dense.ForwardInt8(new float[3], new sbyte[6], new float[1], new float[2], new float[2], 1, 3, 2));
        Assert.Contains("scale holds 1 values; 2 outputs need 2", error.Message);
    }
}
