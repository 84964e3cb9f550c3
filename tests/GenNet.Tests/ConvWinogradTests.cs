using System;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// The convolutions' direct and Winograd kernels against a direct convolution summed in double: <see cref="Conv.ForwardDirect"/> (few
/// channels) at every geometry of <see cref="ImageCase.All"/>, and <see cref="Conv.ForwardWinograd3x3"/> (2×2 tiles) and
/// <see cref="Conv.ForwardWinograd4x4"/> (4×4 tiles) at awkward sizes: images
/// 1×1 to 17×17 (odd outputs, so the last tiles are cropped), channels and filters 1, 3, 17, 33 and 64 (every vector
/// width's tail), every padding the layers use and wider, batches 1 and 3, and scratch for one tile at a time as well as
/// for many; every other case with ReLU fused into the store. The tolerance is relative to each output's Σ|x·w| + |b|, the scale of its rounding. <see cref="RunAll"/>
/// also runs in <see cref="Program"/>'s simd-check, so the 256-, 128-bit and scalar paths are compared too.
/// </summary>
public sealed class ConvWinogradTests
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void Every_case_matches_the_direct_convolution() => FailureReports.AssertNone(RunAll);

    [Fact]
    public void Mnist_convnets_second_convolution_matches_the_im2col_product()
    {
        // [13, 13, 32] → [11, 11, 64] as the generated network runs it in training: im2col, then the dense product.
        var random = new Random(7);
        float[] x = Values(random, 2 * 13 * 13 * 32), weight = Values(random, 64 * 32 * 9), bias = Values(random, 64);
        float[] columns = new float[2 * 121 * 288], product = new float[2 * 121 * 64], kernel = new float[weight.Length];
        Conv.Im2Col(x, columns, 2, 13, 13, 32, 3, 3, 1, 0, 0, 11, 11);
        Dense.Forward(columns, weight, bias, product, 2 * 121, 288, 64);

        float[] transformed = new float[16 * 32 * 64], source = new float[weight.Length], winograd = new float[product.Length];
        Conv.RefreshWinogradKernel(weight, source, transformed, 64, 32);
        Assert.Equal(weight, source); // the record of what was transformed
        Conv.ForwardWinograd3x3(x, transformed, bias, winograd, new float[2 * 121 * 288], 2, 13, 13, 32, 64, 0, 0, 11, 11);
        for (int i = 0; i < product.Length; i++)
        {
            Assert.True(Math.Abs(product[i] - winograd[i]) <= 1e-4 * Math.Max(1, Math.Abs(product[i])), $"output {i}: {winograd[i]} against {product[i]}");
        }

        // ReLU fused into the store gives Activations.Relu's values bit for bit.
        float[] fused = new float[product.Length];
        Conv.ForwardWinograd3x3(x, transformed, bias, fused, new float[2 * 121 * 288], 2, 13, 13, 32, 64, 0, 0, 11, 11, relu: true);
        Activations.Relu(winograd);
        Assert.Equal(winograd, fused);

        // Unchanged weights are not transformed again; changed ones are.
        Array.Fill(transformed, float.NaN);
        Assert.False(Conv.RefreshWinogradKernel(weight, source, transformed, 64, 32));
        Assert.True(float.IsNaN(transformed[0]));
        weight[5] += 1;
        Assert.True(Conv.RefreshWinogradKernel(weight, source, transformed, 64, 32));
        float[] fresh = new float[transformed.Length];
        Conv.ToWinogradKernel(weight, fresh, 64, 32);
        Assert.Equal(fresh, transformed); // the changed weight's transform, not the old one's
        Assert.Equal(weight, source);
    }

    [Fact]
    public void Mnist_convnets_first_convolution_with_relu_fused_is_the_direct_one_then_relu_bit_for_bit()
    {
        var random = new Random(8);
        float[] x = Values(random, 3 * 28 * 28), weight = Values(random, 32 * 9), bias = Values(random, 32);
        float[] taps = new float[weight.Length], plain = new float[3 * 26 * 26 * 32], fused = new float[plain.Length];
        Conv.ToTapMajorKernel(weight, taps, 32, 1, 3, 3);
        Conv.ForwardDirect(x, taps, bias, plain, 3, 28, 28, 1, 32, 3, 3, 1, 0, 0, 26, 26);
        Conv.ForwardDirect(x, taps, bias, fused, 3, 28, 28, 1, 32, 3, 3, 1, 0, 0, 26, 26, relu: true);
        Activations.Relu(plain);
        Assert.Equal(plain, fused);
        Assert.Contains(fused, v => v == 0);
    }

    [Fact]
    public void Mnist_convnets_second_convolution_through_4x4_tiles_matches_the_im2col_product()
    {
        var random = new Random(9);
        float[] x = Values(random, 2 * 13 * 13 * 32), weight = Values(random, 64 * 32 * 9), bias = Values(random, 64);
        float[] columns = new float[2 * 121 * 288], product = new float[2 * 121 * 64];
        Conv.Im2Col(x, columns, 2, 13, 13, 32, 3, 3, 1, 0, 0, 11, 11);
        Dense.Forward(columns, weight, bias, product, 2 * 121, 288, 64);

        float[] transformed = new float[36 * 32 * 64], source = new float[weight.Length], winograd = new float[product.Length], fused = new float[product.Length];
        Assert.True(Conv.RefreshWinograd4x4Kernel(weight, source, transformed, 64, 32));
        Assert.False(Conv.RefreshWinograd4x4Kernel(weight, source, transformed, 64, 32));
        Conv.ForwardWinograd4x4(x, transformed, bias, winograd, new float[2 * 121 * 288], 2, 13, 13, 32, 64, 0, 0, 11, 11);
        for (int i = 0; i < product.Length; i++)
        {
            Assert.True(Math.Abs(product[i] - winograd[i]) <= 1e-4 * Math.Max(1, Math.Abs(product[i])), $"output {i}: {winograd[i]} against {product[i]}");
        }

        Conv.ForwardWinograd4x4(x, transformed, bias, fused, new float[2 * 121 * 288], 2, 13, 13, 32, 64, 0, 0, 11, 11, relu: true);
        Activations.Relu(winograd);
        Assert.Equal(winograd, fused);
        weight[7] -= 1;
        Assert.True(Conv.RefreshWinograd4x4Kernel(weight, source, transformed, 64, 32));
        float[] fresh = new float[transformed.Length];
        Conv.ToWinograd4x4Kernel(weight, fresh, 64, 32);
        Assert.Equal(fresh, transformed); // the changed weight's transform, not the old one's
        Assert.Equal(weight, source);
    }

    [Fact]
    public void Wrong_sizes_are_refused()
    {
        float[] x = new float[5 * 5 * 3], transformed = new float[16 * 3 * 4], bias = new float[4], y = new float[3 * 3 * 4];
        Assert.Throws<ArgumentException>(() => Conv.ForwardWinograd3x3(x, transformed, bias, y, new float[Conv.WinogradScratchMinimum(3, 4) - 1], 1, 5, 5, 3, 4, 0, 0, 3, 3));
        Assert.Throws<ArgumentException>(() => Conv.ForwardWinograd3x3(x, transformed, bias, new float[y.Length + 1], new float[1000], 1, 5, 5, 3, 4, 0, 0, 3, 3));
        Assert.Throws<ArgumentException>(() => Conv.ForwardWinograd3x3(x, transformed.AsSpan(1), bias, y, new float[1000], 1, 5, 5, 3, 4, 0, 0, 3, 3));
        Assert.Throws<ArgumentException>(() => Conv.ToWinogradKernel(new float[4 * 3 * 9 - 1], transformed, 4, 3));
        Assert.Throws<ArgumentException>(() => Conv.ForwardWinograd4x4(x, new float[36 * 3 * 4], bias, y, new float[Conv.Winograd4x4ScratchMinimum(3, 4) - 1], 1, 5, 5, 3, 4, 0, 0, 3, 3));
        Assert.Throws<ArgumentException>(() => Conv.ForwardWinograd4x4(x, transformed, bias, y, new float[1000], 1, 5, 5, 3, 4, 0, 0, 3, 3));
    }

    /// <summary>Runs every comparison; reports each failure (up to 20) and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0, n = 0;
        var random = new Random(2024);
        (int, int)[] images = [(1, 1), (3, 5), (5, 3), (7, 17), (17, 7), (4, 4)];
        (int, int)[] sizes = [(1, 1), (3, 17), (17, 3), (33, 64), (64, 33)];
        foreach ((int h, int w) in images)
        {
            foreach ((int channels, int filters) in sizes)
            {
                foreach (string padding in new[] { "none", "same", "asymmetric", "wide" })
                {
                    (int top, int bottom, int left, int right) = padding switch
                    {
                        "none" => (0, 0, 0, 0),
                        "same" => (1, 1, 1, 1),
                        "asymmetric" => (2, 0, 0, 2),
                        _ => (3, 1, 3, 0),
                    };
                    int outHeight = h + top + bottom - 2, outWidth = w + left + right - 2;
                    if (outHeight < 1 || outWidth < 1)
                    {
                        continue;
                    }

                    int batch = n++ % 3 == 0 ? 3 : 1;
                    foreach (bool small in new[] { true, false })
                    {
                        foreach (bool large in new[] { false, true })
                        {
                            failures += Check(random, batch, h, w, channels, filters, top, left, outHeight, outWidth, small, large, relu: n % 2 == 0, padding, failures < 20 ? report : _ => { });
                        }
                    }
                }
            }
        }

        int filterCase = 0;
        int[] filterCounts = [1, 3, 17, 33, 64];
        foreach (ImageCase c in ImageCase.All(pooling: false))
        {
            bool relu = filterCase % 2 == 1;
            failures += CheckDirect(random, c, filterCounts[filterCase++ % filterCounts.Length], relu, failures < 20 ? report : _ => { });
        }

        return failures;
    }

    /// <summary><see cref="Conv.ForwardDirect"/> (the few-channel inference path) against the double direct convolution, at one of <see cref="ImageCase.All"/>'s geometries.</summary>
    private static int CheckDirect(Random random, ImageCase c, int filters, bool relu, Action<string> report)
    {
        int window = c.KernelHeight * c.KernelWidth;
        float[] x = Values(random, c.Batch * c.InputSize), weight = Values(random, filters * c.Channels * window), bias = Values(random, filters);
        float[] kernel = new float[weight.Length], source = new float[weight.Length];
        Assert.True(Conv.RefreshTapMajorKernel(weight, source, kernel, filters, c.Channels, c.KernelHeight, c.KernelWidth)); // random weights differ from the zero record
        Assert.False(Conv.RefreshTapMajorKernel(weight, source, kernel, filters, c.Channels, c.KernelHeight, c.KernelWidth)); // unchanged: not reordered again
        float[] y = new float[c.Batch * c.OutputPixels * filters];
        Array.Fill(y, float.NaN); // every element is written
        Conv.ForwardDirect(x, kernel, bias, y, c.Batch, c.Height, c.Width, c.Channels, filters, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth, relu);
        for (int b = 0; b < c.Batch; b++)
        {
            for (int p = 0; p < c.OutputPixels; p++)
            {
                int oy = p / c.OutWidth, ox = p % c.OutWidth;
                for (int o = 0; o < filters; o++)
                {
                    double sum = bias[o], scale = Math.Abs(bias[o]);
                    for (int ch = 0; ch < c.Channels; ch++)
                    {
                        for (int ky = 0; ky < c.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < c.KernelWidth; kx++)
                            {
                                int iy = oy * c.Stride + ky - c.PadTop, ix = ox * c.Stride + kx - c.PadLeft;
                                if (iy >= 0 && iy < c.Height && ix >= 0 && ix < c.Width)
                                {
                                    double term = (double)x[((b * c.Height + iy) * c.Width + ix) * c.Channels + ch] * weight[((o * c.Channels + ch) * c.KernelHeight + ky) * c.KernelWidth + kx];
                                    sum += term;
                                    scale += Math.Abs(term);
                                }
                            }
                        }
                    }

                    sum = relu ? Math.Max(sum, 0) : sum;
                    float actual = y[(b * c.OutputPixels + p) * filters + o];
                    if (!(Math.Abs(actual - sum) <= Tolerance * Math.Max(scale, 1e-3)))
                    {
                        report($"direct {c}, {filters} filters{(relu ? ", ReLU" : "")}: y[{b}, {oy}, {ox}, {o}] = {actual}, expected {sum} (scale {scale})");
                        return 1;
                    }
                }
            }
        }

        return 0;
    }

    private static int Check(Random random, int batch, int h, int w, int channels, int filters, int top, int left, int outHeight, int outWidth, bool smallScratch, bool large, bool relu, string padding, Action<string> report)
    {
        float[] x = Values(random, batch * h * w * channels), weight = Values(random, filters * channels * 9), bias = Values(random, filters);
        float[] transformed = new float[(large ? 36 : 16) * channels * filters];
        float[] y = new float[batch * outHeight * outWidth * filters];
        Array.Fill(y, float.NaN); // every element is written
        int minimum = large ? Conv.Winograd4x4ScratchMinimum(channels, filters) : Conv.WinogradScratchMinimum(channels, filters);
        int scratch = smallScratch ? minimum : batch * outHeight * outWidth * channels * 9 + minimum;
        if (large)
        {
            Conv.ToWinograd4x4Kernel(weight, transformed, filters, channels);
            Conv.ForwardWinograd4x4(x, transformed, bias, y, new float[scratch], batch, h, w, channels, filters, top, left, outHeight, outWidth, relu);
        }
        else
        {
            Conv.ToWinogradKernel(weight, transformed, filters, channels);
            Conv.ForwardWinograd3x3(x, transformed, bias, y, new float[scratch], batch, h, w, channels, filters, top, left, outHeight, outWidth, relu);
        }

        // Each output's exact value and the scale of its rounding, Σ|x·w| + |b|. Through 4×4 tiles the transforms mix the
        // sixteen outputs of a tile, so an output's rounding follows the largest scale in its tile (where a wide padding
        // leaves an output one term beside neighbours of many, its own scale understates it); 2×2 tiles are held to their own.
        var expected = new double[y.Length];
        var scales = new double[y.Length];
        for (int b = 0; b < batch; b++)
        {
            for (int oy = 0; oy < outHeight; oy++)
            {
                for (int ox = 0; ox < outWidth; ox++)
                {
                    for (int o = 0; o < filters; o++)
                    {
                        double sum = bias[o], scale = Math.Abs(bias[o]);
                        for (int c = 0; c < channels; c++)
                        {
                            for (int ky = 0; ky < 3; ky++)
                            {
                                for (int kx = 0; kx < 3; kx++)
                                {
                                    int iy = oy + ky - top, ix = ox + kx - left;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                    {
                                        continue;
                                    }

                                    double term = (double)x[((b * h + iy) * w + ix) * channels + c] * weight[((o * channels + c) * 3 + ky) * 3 + kx];
                                    sum += term;
                                    scale += Math.Abs(term);
                                }
                            }
                        }

                        int at = ((b * outHeight + oy) * outWidth + ox) * filters + o;
                        expected[at] = relu ? Math.Max(sum, 0) : sum;
                        scales[at] = scale;
                    }
                }
            }
        }

        for (int b = 0; b < batch; b++)
        {
            for (int oy = 0; oy < outHeight; oy++)
            {
                for (int ox = 0; ox < outWidth; ox++)
                {
                    for (int o = 0; o < filters; o++)
                    {
                        int at = ((b * outHeight + oy) * outWidth + ox) * filters + o;
                        double scale = scales[at];
                        if (large)
                        {
                            int ty = oy / 4 * 4, tx = ox / 4 * 4;
                            for (int i = ty; i < Math.Min(ty + 4, outHeight); i++)
                            {
                                for (int j = tx; j < Math.Min(tx + 4, outWidth); j++)
                                {
                                    scale = Math.Max(scale, scales[((b * outHeight + i) * outWidth + j) * filters + o]);
                                }
                            }
                        }

                        float actual = y[at];
                        if (!(Math.Abs(actual - expected[at]) <= Tolerance * Math.Max(scale, 1e-3)))
                        {
                            report($"winograd F({(large ? "4×4" : "2×2")}, 3×3) batch {batch}, {h}×{w}×{channels} → {outHeight}×{outWidth}×{filters}, {padding} padding, {(smallScratch ? "one tile" : "many tiles")} at a time{(relu ? ", ReLU" : "")}: " +
                                   $"y[{b}, {oy}, {ox}, {o}] = {actual}, expected {expected[at]} (scale {scale})");
                            return 1;
                        }
                    }
                }
            }
        }

        return 0;
    }

    private static float[] Values(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }
}
