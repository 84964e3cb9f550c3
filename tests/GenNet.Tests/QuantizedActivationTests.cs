using System;
using System.Collections.Generic;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// The Dense product with 8-bit activations (<see cref="Dense.ForwardQuantized(ReadOnlySpan{float}, QuantizedDenseWeights, ReadOnlySpan{float}, Span{float}, int)"/>)
/// against a scalar reference written from the unpacked codes: the quantized inputs, the int32 sums and the outputs must
/// match bit for bit on every path this machine runs (AVX-VNNI, AVX2, Vector128, scalar — each forced in-process), at
/// awkward sizes and zero points. <see cref="RunAll"/> is also run by <see cref="Program"/>'s simd-check.
/// </summary>
public sealed class QuantizedActivationTests
{
    private static readonly Int8Path[] Paths = [Int8Path.Scalar, Int8Path.Vector128, Int8Path.Avx2, Int8Path.AvxVnni];

    [Fact]
    public void Every_path_matches_the_scalar_reference_bit_for_bit() => FailureReports.AssertNone(RunAll);

    [Fact]
    public void This_machine_runs_the_widest_integer_path_it_has()
    {
        Assert.Equal(System.Runtime.Intrinsics.X86.AvxVnni.IsSupported ? Int8Path.AvxVnni : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? Int8Path.Avx2 :
            System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? Int8Path.Vector128 : Int8Path.Scalar, Int8Products.Best);
    }

    /// <summary>(batch, inputs, outputs, zero point): 1, 3, 17, 129 in every role, the seed MLP's layers, a nonzero zero point.</summary>
    public static IEnumerable<(int Batch, int Inputs, int Outputs, int ZeroPoint)> Cases()
    {
        int[] sizes = [1, 3, 17, 129];
        foreach (int batch in sizes)
        {
            foreach (int inputs in sizes)
            {
                foreach (int outputs in sizes)
                {
                    yield return (batch, inputs, outputs, (batch + inputs + outputs) % 2 == 0 ? 0 : 101);
                }
            }
        }

        yield return (6, 129, 16, 0);     // one whole six-row tile and one whole block
        yield return (10, 784, 128, 0);   // the seed MLP's first layer: a tile and four single rows, two blocks at a time
        yield return (256, 784, 128, 0);  // … at batch 256
        yield return (5, 128, 10, 255);   // its second layer (a partial block) with the largest zero point
    }

    /// <summary>Runs every comparison; reports each failure and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0;
        var random = new Random(2026);
        foreach ((int batch, int inputs, int outputs, int zeroPoint) in Cases())
        {
            float scale = 1f / 97;
            float[] x = new float[batch * inputs];
            for (int i = 0; i < x.Length; i++)
            {
                // codes over the whole 0…255 range and beyond it (clamped), with exact ties (k + ½ steps)
                x[i] = (random.Next(-20, 300) - zeroPoint + (random.Next(4) == 0 ? 0.5f : (float)random.NextDouble() - 0.5f)) * scale;
            }

            if (x.Length > 40)
            {
                (x[3], x[20], x[38]) = (float.NaN, float.PositiveInfinity, float.NegativeInfinity); // codes 0, 255, 0
            }

            var codes = new sbyte[inputs * outputs];
            random.NextBytes((byte[])(Array)codes);
            var weightScale = new float[outputs];
            var bias = new float[outputs];
            for (int o = 0; o < outputs; o++)
            {
                weightScale[o] = (float)(random.NextDouble() * 0.01 + 1e-4);
                bias[o] = (float)(random.NextDouble() - 0.5);
            }

            failures += Check($"batch {batch}, inputs {inputs}, outputs {outputs}, zero point {zeroPoint}", x, codes, weightScale, bias, scale, zeroPoint, batch, inputs, outputs, report);
        }

        // The extremes: every byte 255 against every code −128 (vpmaddubsw would saturate its int16 pairs here).
        const int Long = 4099;
        float[] top = new float[2 * Long];
        Array.Fill(top, 1000f);
        var lowest = new sbyte[Long * 3];
        Array.Fill(lowest, sbyte.MinValue);
        failures += Check("bytes 255 × codes −128", top, lowest, [1f, 1f, 1f], [0f, 0f, 0f], 1f, 0, 2, Long, 3, report);
        return failures;
    }

    private static int Check(string what, float[] x, sbyte[] codes, float[] weightScale, float[] bias, float scale, int zeroPoint, int batch, int inputs, int outputs, Action<string> report)
    {
        var weights = new QuantizedDenseWeights(codes, weightScale, scale, zeroPoint, inputs, outputs);

        // The reference: codes by the definition, sums in int64 from the unpacked weights, the documented epilogue.
        var q = new byte[batch * inputs];
        var expected = new float[batch * outputs];
        for (int b = 0; b < batch; b++)
        {
            for (int k = 0; k < inputs; k++)
            {
                double v = Math.Round((double)(x[b * inputs + k] * (1f / scale)), MidpointRounding.ToEven) + zeroPoint;
                q[b * inputs + k] = double.IsNaN(v) ? (byte)0 : (byte)Math.Clamp(v, 0, 255);
            }

            for (int o = 0; o < outputs; o++)
            {
                long sum = 0, rowSum = 0;
                for (int k = 0; k < inputs; k++)
                {
                    sum += q[b * inputs + k] * codes[o * inputs + k];
                    rowSum += codes[o * inputs + k];
                }

                expected[b * outputs + o] = bias[o] + scale * weightScale[o] * (float)checked((int)(sum - zeroPoint * rowSum));
            }
        }

        foreach (Int8Path path in Paths)
        {
            if (!Int8Products.Supported(path))
            {
                continue;
            }

            var row = new byte[weights.Stride];
            for (int b = 0; b < batch; b++)
            {
                Int8Products.Quantize(x.AsSpan(b * inputs, inputs), row, weights.InverseInputScale, zeroPoint, path);
                for (int k = 0; k < weights.Stride; k++)
                {
                    byte wanted = k < inputs ? q[b * inputs + k] : (byte)0;
                    if (row[k] != wanted)
                    {
                        report($"{what}, {path}: code of x[{b}, {k}] = {x[b * inputs + Math.Min(k, inputs - 1)]} is {row[k]}, expected {wanted}");
                        return 1;
                    }
                }
            }

            var y = new float[batch * outputs];
            Array.Fill(y, float.NaN);
            Dense.ForwardQuantized(x, weights, bias, y, batch, path);
            for (int i = 0; i < y.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(y[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                {
                    report($"{what}, {path}: y[{i / outputs}, {i % outputs}] = {y[i]:R}, expected {expected[i]:R}");
                    return 1;
                }
            }
        }

        return 0;
    }

    [Fact]
    public void The_product_tracks_the_float_product_within_the_quantization_error()
    {
        var random = new Random(7);
        const int Batch = 9, Inputs = 129, Outputs = 17;
        float[] x = new float[Batch * Inputs], floats = new float[Outputs * Inputs], bias = new float[Outputs];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)random.NextDouble() * 2 - 0.5f; // −0.5 … 1.5: a nonzero zero point
        }

        for (int i = 0; i < floats.Length; i++)
        {
            floats[i] = (float)(random.NextDouble() - 0.5);
        }

        var codes = new sbyte[floats.Length];
        var scales = new float[Outputs];
        for (int o = 0; o < Outputs; o++)
        {
            scales[o] = SafeTensors.QuantizeInt8(floats.AsSpan(o * Inputs, Inputs), codes.AsSpan(o * Inputs, Inputs));
        }

        float inputScale = 2f / 255;
        int zeroPoint = (int)Math.Round(0.5 / inputScale);
        var weights = new QuantizedDenseWeights(codes, scales, inputScale, zeroPoint, Inputs, Outputs);
        var y = new float[Batch * Outputs];
        Dense.ForwardQuantized(x, weights, bias, y, Batch);
        for (int b = 0; b < Batch; b++)
        {
            for (int o = 0; o < Outputs; o++)
            {
                double exact = 0, bound = 0;
                for (int k = 0; k < Inputs; k++)
                {
                    double w = floats[o * Inputs + k], v = x[b * Inputs + k];
                    exact += w * v;
                    bound += Math.Abs(w) * inputScale / 2 + Math.Abs(v) * scales[o] / 2 + inputScale * scales[o] / 4; // |Δx| ≤ s/2, |Δw| ≤ scale/2
                }

                Assert.True(Math.Abs(y[b * Outputs + o] - exact) <= bound + 1e-5, $"y[{b}, {o}] = {y[b * Outputs + o]}, float product {exact}, bound {bound}");
            }
        }
    }

    [Fact]
    public void The_product_allocates_nothing_once_warm()
    {
        var weights = new QuantizedDenseWeights(new sbyte[784 * 128], new float[128], 1f / 255, 0, 784, 128);
        float[] x = new float[256 * 784], y = new float[256 * 128], bias = new float[128];
        Dense.ForwardQuantized(x, weights, bias, y, 256);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Dense.ForwardQuantized(x.AsSpan(0, 784), weights, bias, y.AsSpan(0, 128), 1);
        Dense.ForwardQuantized(x, weights, bias, y, 256);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_their_reason()
    {
        Assert.Contains("784", Assert.Throws<ArgumentException>(() => new QuantizedDenseWeights(new sbyte[10], new float[2], 1f, 0, 784, 2)).Message);
        Assert.Contains("weightScale", Assert.Throws<ArgumentException>(() => new QuantizedDenseWeights(new sbyte[6], new float[3], 1f, 0, 3, 2)).Message);
        Assert.Contains("positive and finite", Assert.Throws<ArgumentException>(() => new QuantizedDenseWeights(new sbyte[6], new float[2], float.NaN, 0, 3, 2)).Message);
        Assert.Contains("positive and finite", Assert.Throws<ArgumentException>(() => new QuantizedDenseWeights(new sbyte[6], new float[2], 0f, 0, 3, 2)).Message);
        Assert.Contains("0…255", Assert.Throws<ArgumentException>(() => new QuantizedDenseWeights(new sbyte[6], new float[2], 1f, 256, 3, 2)).Message);
        var weights = new QuantizedDenseWeights(new sbyte[6], new float[2], 1f, 0, 3, 2);
        Assert.Throws<ArgumentException>(() => Dense.ForwardQuantized(new float[2], weights, new float[2], new float[2], 1));
        Assert.Throws<ArgumentException>(() => Dense.ForwardQuantized(new float[3], weights, new float[1], new float[2], 1));
    }
}
