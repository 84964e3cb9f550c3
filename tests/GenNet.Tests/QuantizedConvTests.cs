using System;
using System.Collections.Generic;
using GenNet.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>samples/MnistConv's trained convnet, inference only, its weights compiled in as 32-bit floats.</summary>
[Network(Training = false, Weights = "fashion-convnet.safetensors")]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class FashionConvFloat32;

/// <summary>The same convnet with its convolution and Dense weights compiled in and multiplied as bfloat16.</summary>
[Network(Training = false, Weights = "fashion-convnet.bf16.safetensors", WeightPrecision = WeightPrecision.BFloat16)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class FashionConvBFloat16;

/// <summary>The same convnet with its weights compiled in and multiplied as IEEE half.</summary>
[Network(Training = false, Weights = "fashion-convnet.f16.safetensors", WeightPrecision = WeightPrecision.Half)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class FashionConvHalf;

/// <summary>The same convnet with its weights compiled in as int8 codes with one scale per filter or output.</summary>
[Network(Training = false, Weights = "fashion-convnet.i8.safetensors", WeightPrecision = WeightPrecision.Int8)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class FashionConvInt8;

/// <summary>
/// Convolutions over 16- and 8-bit weights: the im2col product over stored codes (reordered to the channels-last columns
/// where the network reorders its float kernel) against a float64 direct convolution over the decoded weights at awkward
/// sizes, on every vector width (<see cref="RunAll"/> also runs in <see cref="Program"/>'s simd-check); and the trained
/// convnet compiled in at each precision against its float twin: the same outputs as its own decoded float arena, no
/// allocation after warm-up, and Fashion-MNIST accuracy within 0.2 (16-bit) and 0.5 (8-bit) percentage points.
/// </summary>
public sealed class QuantizedConvTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_convolution_case_matches_the_float64_reference() => FailureReports.AssertNone(RunAll);

    /// <summary>(batch, height, width, channels, filters, kernel height, kernel width, stride, padding on each side).</summary>
    private static IEnumerable<(int Batch, int Height, int Width, int Channels, int Filters, int Kh, int Kw, int Stride, int Pad)> Cases()
    {
        yield return (1, 5, 5, 1, 1, 3, 3, 1, 0);     // one filter over one channel: the stored order is the columns' order
        yield return (3, 7, 6, 3, 17, 3, 3, 1, 1);    // padded, 17 filters, channels reordered
        yield return (1, 9, 8, 17, 3, 2, 3, 2, 0);    // strided, a 2 × 3 window over 17 channels
        yield return (2, 13, 13, 32, 64, 3, 3, 1, 0); // the convnet's second convolution: the packed panels
        yield return (1, 1, 17, 5, 3, 1, 3, 1, 1);    // a Conv1D: a sequence as an image one step high
    }

    /// <summary>Runs every comparison; reports each failure and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0;
        var random = new Random(2027);
        foreach ((int batch, int height, int width, int channels, int filters, int kh, int kw, int stride, int pad) in Cases())
        {
            int outHeight = (height + 2 * pad - kh) / stride + 1, outWidth = (width + 2 * pad - kw) / stride + 1;
            int patch = channels * kh * kw, rows = batch * outHeight * outWidth;
            float[] x = Values(random, batch * height * width * channels, 1f), bias = Values(random, filters, 0.5f);
            float[] floats = Values(random, filters * patch, 0.3f); // [filters, channels, kh, kw] as stored
            var bf16 = new ushort[floats.Length];
            var half = new ushort[floats.Length];
            var codes = new sbyte[floats.Length];
            var scales = new float[filters];
            for (int i = 0; i < floats.Length; i++)
            {
                bf16[i] = SafeTensors.ToBFloat16(floats[i]);
                half[i] = BitConverter.HalfToUInt16Bits((Half)floats[i]);
            }

            for (int o = 0; o < filters; o++)
            {
                scales[o] = SafeTensors.QuantizeInt8(floats.AsSpan(o * patch, patch), codes.AsSpan(o * patch, patch));
            }

            // The columns in the image's (ky, kx, channel) order, so the codes are reordered as the generated code has them read.
            var columns = new float[rows * patch];
            Conv.Im2ColChannelsLast(x, columns, batch, height, width, channels, kh, kw, stride, pad, pad, outHeight, outWidth);
            var reorderedBf16 = new ushort[bf16.Length];
            var reorderedHalf = new ushort[half.Length];
            var reorderedCodes = new sbyte[codes.Length];
            Conv.ToChannelsLastCodes<ushort>(bf16, reorderedBf16, filters, channels, kh, kw);
            Conv.ToChannelsLastCodes<ushort>(half, reorderedHalf, filters, channels, kh, kw);
            Conv.ToChannelsLastCodes<sbyte>(codes, reorderedCodes, filters, channels, kh, kw);

            string shape = $"batch {batch}, {height}×{width}×{channels} → {filters} filters {kh}×{kw}, stride {stride}, padding {pad}";
            var image = (x, height, width, channels, kh, kw, stride, pad, outHeight, outWidth);
            var y = new float[rows * filters];
            Array.Fill(y, float.NaN);
            Dense.ForwardBFloat16(columns, reorderedBf16, bias, y, rows, patch, filters);
            failures += Compare($"BFloat16 {shape}", image, i => BitConverter.Int32BitsToSingle(bf16[i] << 16), bias, y, batch, filters, report);

            Array.Fill(y, float.NaN);
            Dense.ForwardHalf(columns, reorderedHalf, bias, y, rows, patch, filters);
            failures += Compare($"Half {shape}", image, i => (double)BitConverter.UInt16BitsToHalf(half[i]), bias, y, batch, filters, report);

            Array.Fill(y, float.NaN);
            Dense.ForwardInt8(columns, reorderedCodes, scales, bias, y, rows, patch, filters);
            failures += Compare($"Int8 {shape}", image, i => (double)codes[i] * scales[i / patch], bias, y, batch, filters, report);
        }

        return failures;
    }

    // A direct convolution in float64 over the stored [filters, channels, kh, kw] weights (index i), zero padding;
    // |y − reference| ≤ 2⁻¹⁶ · (|b| + Σ|w·x|), as the Dense products' comparison.
    private static int Compare(
        string what, (float[] X, int Height, int Width, int Channels, int Kh, int Kw, int Stride, int Pad, int OutHeight, int OutWidth) image,
        Func<int, double> weight, float[] bias, float[] y, int batch, int filters, Action<string> report)
    {
        (float[] x, int height, int width, int channels, int kh, int kw, int stride, int pad, int outHeight, int outWidth) = image;
        for (int b = 0; b < batch; b++)
        {
            for (int oy = 0; oy < outHeight; oy++)
            {
                for (int ox = 0; ox < outWidth; ox++)
                {
                    for (int f = 0; f < filters; f++)
                    {
                        double expected = bias[f], magnitude = Math.Abs(bias[f]);
                        for (int c = 0; c < channels; c++)
                        {
                            for (int ky = 0; ky < kh; ky++)
                            {
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    int iy = oy * stride + ky - pad, ix = ox * stride + kx - pad;
                                    if (iy < 0 || iy >= height || ix < 0 || ix >= width)
                                    {
                                        continue;
                                    }

                                    double term = weight(((f * channels + c) * kh + ky) * kw + kx) * x[((b * height + iy) * width + ix) * channels + c];
                                    expected += term;
                                    magnitude += Math.Abs(term);
                                }
                            }
                        }

                        double actual = y[((b * outHeight + oy) * outWidth + ox) * filters + f];
                        if (!(Math.Abs(actual - expected) <= magnitude / 65536 + 1e-30))
                        {
                            report($"{what}: y[{b}, {oy}, {ox}, {f}] = {actual}, expected {expected} (tolerance {magnitude / 65536:E2})");
                            return 1;
                        }
                    }
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

    /// <summary>
    /// The compiled-in convnets of reduced precision, and how far each may stray from the float one per probability: the
    /// MLP's bounds, but half's 0.005 (the convnet's three weighted layers measured 2.2e-3 against the MLP's two).
    /// </summary>
    public static TheoryData<string, double> ReducedNetworks => new() { { "BFloat16", 0.02 }, { "Half", 0.005 }, { "Int8", 0.05 }, { "Int8Activations", 0.05 } };

    private static NetworkBase Reduced(string precision) => precision switch
    {
        "BFloat16" => new FashionConvBFloat16(),
        "Half" => new FashionConvHalf(),
        "Int8Activations" => new FashionConvInt8Activations(),
        _ => new FashionConvInt8(),
    };

    [Theory]
    [MemberData(nameof(ReducedNetworks))]
    public void A_reduced_precision_convnet_agrees_with_the_float_one(string precision, double tolerance)
    {
        (Dataset test, int count) = (QuantizedWeightsTests.LoadTest(), 2000);
        var images = new float[count * 784];
        for (int i = 0; i < count; i++)
        {
            test.CopyFeatures(i, images.AsSpan(i * 784, 784));
        }

        var expected = new float[count * 10];
        var batched = new float[count * 10];
        var one = new float[10];
        new FashionConvFloat32().Forward(images, expected, count);
        NetworkBase reduced = Reduced(precision);
        reduced.Forward(images, batched, count);
        int correctFloat = 0, correctReduced = 0;
        double largest = 0;
        for (int i = 0; i < count; i++)
        {
            reduced.Forward(images.AsSpan(i * 784, 784), one);
            for (int k = 0; k < 10; k++)
            {
                largest = Math.Max(largest, Math.Abs(one[k] - expected[i * 10 + k]));
                // With 8-bit activations a Dense input code may round the other way when the float convolutions before it
                // round differently at another batch size: one step of the input (measured 4e-5 in a probability).
                Assert.True(Math.Abs(one[k] - batched[i * 10 + k]) <= (precision == "Int8Activations" ? 1e-3 : 1e-5), $"image {i}, class {k}: one at a time {one[k]}, in the batch {batched[i * 10 + k]}");
            }

            correctFloat += QuantizedWeightsTests.ArgMax(expected.AsSpan(i * 10, 10)) == test.Labels[i] ? 1 : 0;
            correctReduced += QuantizedWeightsTests.ArgMax(one) == test.Labels[i] ? 1 : 0;
        }

        double points = 100.0 * (correctReduced - correctFloat) / count;
        output.WriteLine($"{precision}: largest probability difference {largest:E2}; accuracy on {count} test images {100.0 * correctReduced / count:F2} % against {100.0 * correctFloat / count:F2} % ({points:+0.00;-0.00} pp)");
        Assert.True(largest <= tolerance, $"largest probability difference {largest} over {tolerance}");
        Assert.True(Math.Abs(points) <= (precision.StartsWith("Int8", StringComparison.Ordinal) ? 0.5 : 0.2), $"accuracy differs by {points} pp");
    }

    /// <summary>
    /// The stored-weight path (both convolutions and the Dense layer reading 16- or 8-bit weights) against the same
    /// network's float arena once Parameters is asked for: the same decoded weights, so the outputs agree to float rounding,
    /// at batches of 1, 3 and 17; and neither allocates after warm-up.
    /// </summary>
    [Theory]
    [InlineData("BFloat16")]
    [InlineData("Half")]
    [InlineData("Int8")]
    public void The_stored_weights_compute_what_their_decoded_floats_do_without_allocating(string precision)
    {
        float[] images = new float[17 * 784];
        var random = new Random(17);
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = (float)random.NextDouble();
        }

        NetworkBase stored = Reduced(precision), decoded = Reduced(precision);
        _ = decoded.Parameters; // from now on it computes with the decoded float arena
        foreach (int batch in new[] { 1, 3, 17 })
        {
            var fromStored = new float[batch * 10];
            var fromFloats = new float[batch * 10];
            ReadOnlySpan<float> x = images.AsSpan(0, batch * 784);
            stored.Forward(x, fromStored, batch);
            decoded.Forward(x, fromFloats, batch);
            for (int i = 0; i < fromStored.Length; i++)
            {
                Assert.True(Math.Abs(fromStored[i] - fromFloats[i]) <= 1e-5, $"{precision}, batch {batch}, output {i}: {fromStored[i]} from the stored weights, {fromFloats[i]} from the decoded arena");
            }

            // A round of 20 calls that allocates nothing: the JIT's tier-up can allocate once on the calling thread
            // (seen as 1,224 bytes in a first round, never with DOTNET_TieredCompilation=0), the kernels not at all.
            float[] inputs = x.ToArray(), outputs = new float[batch * 10];
            long[] rounds = new long[5];
            for (int round = 0; round < rounds.Length && (round == 0 || rounds[round - 1] != 0); round++)
            {
                rounds[round] = AllocationTests.Allocated(() => stored.Forward(inputs, outputs, batch));
            }

            Assert.True(Array.IndexOf(rounds, 0L) >= 0, $"{precision}, batch {batch}: every round allocated ({string.Join(", ", rounds)} bytes)");
        }
    }

    [Fact]
    public void Stored_codes_reorder_once_and_refuse_a_kernel_that_does_not_divide_them()
    {
        var network = new FashionConvBFloat16();
        int tensor = 2; // conv_1.weight: [64, 32, 3, 3]
        Assert.Equal("conv_1.weight", network.ParameterTensors[tensor].Name);
        EmbeddedWeights weights = EmbeddedWeights.Open(typeof(FashionConvBFloat16).Assembly, "GenNet.Weights:fashion-convnet.bf16.safetensors",
            [.. network.ParameterTensors], FashionConvBFloat16.ParameterCount);
        ReadOnlySpan<ushort> asStored = weights.BFloat16(tensor), reordered = weights.BFloat16ChannelsLast(tensor, 32, 3, 3);
        Assert.Equal(asStored.Length, reordered.Length);
        Assert.Equal(asStored[(5 * 32 + 7) * 9 + 4], reordered[(5 * 9 + 4) * 32 + 7]); // filter 5, channel 7, tap (1, 1)
        Assert.True(reordered == weights.BFloat16ChannelsLast(tensor, 32, 3, 3), "the second call reorders again");
        var error = Assert.Throws<ArgumentException>(() => weights.BFloat16ChannelsLast(0, 5, 3, 3)); // conv_0.weight: [32, 1, 3, 3], 288 weights: not whole 5 × 3 × 3 kernels
        Assert.Contains("conv_0.weight", error.Message);
        Assert.Throws<System.IO.InvalidDataException>(() => weights.Int8ChannelsLast(tensor, 32, 3, 3));
    }
}
