using System;
using System.Linq;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// <see cref="Depthwise"/>'s three kernels against naive loops written from the definitions, over every
/// <see cref="ImageCase"/> of the convolution kernels (channels 1 to 33, so every vector width's tail runs; windows in the
/// padding) at multipliers 1, 2 and 3. Inputs are eighths, so every sum is exact and any summation order or fused
/// multiply-add must match exactly. <see cref="RunAll"/> is also run by <see cref="Program"/>'s simd-check, so the 256-,
/// 128-bit and scalar paths are compared too (see <see cref="SimdPathTests"/>).
/// </summary>
public sealed class DepthwiseKernelTests
{
    [Fact]
    public void Every_case_matches_the_reference() => FailureReports.AssertNone(RunAll);

    [Fact]
    public void Wrong_lengths_and_multipliers_are_rejected()
    {
        float[] x = new float[2 * 3 * 3], kernel = new float[4 * 2 * 2], bias = new float[4], y = new float[2 * 2 * 4];
        Depthwise.Forward(x, kernel, bias, y, 2, 1, 3, 3, 2, 2, 2, 1, 0, 0, 2, 2); // the right sizes pass
        Assert.Throws<ArgumentException>(() => Depthwise.Forward(x, kernel, bias, y, 1, 1, 3, 3, 2, 2, 2, 1, 0, 0, 2, 2));
        Assert.Throws<ArgumentException>(() => Depthwise.Forward(x, kernel, bias, y, 0, 1, 3, 3, 2, 2, 2, 1, 0, 0, 2, 2));
        Assert.Throws<ArgumentException>(() => Depthwise.Forward(x, kernel, bias.AsSpan(1), y, 2, 1, 3, 3, 2, 2, 2, 1, 0, 0, 2, 2));
        Assert.Throws<ArgumentException>(() => Depthwise.BackwardInput(y, kernel, x.AsSpan(1), 2, 1, 3, 3, 2, 2, 2, 1, 0, 0, 2, 2));
        Assert.Throws<ArgumentException>(() => Depthwise.BackwardKernel(x, y, kernel.AsSpan(1), bias, 2, 1, 3, 3, 2, 2, 2, 1, 0, 0, 2, 2));
    }

    /// <summary>Runs every comparison; reports each failure and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0;
        var random = new Random(1357);
        int n = 0;
        foreach (ImageCase c in ImageCase.All(pooling: false))
        {
            failures += Check(c, multiplier: 1 + n++ % 3, random, report);
        }

        return failures;
    }

    private static int Check(ImageCase c, int multiplier, Random random, Action<string> report)
    {
        string at = $"{c}, multiplier {multiplier}";
        int outChannels = c.Channels * multiplier, taps = c.KernelHeight * c.KernelWidth;
        float[] x = ConvKernelTests.Eighths(random, c.Batch * c.InputSize);
        float[] kernel = ConvKernelTests.Eighths(random, taps * outChannels);
        float[] bias = ConvKernelTests.Eighths(random, outChannels);
        float[] dy = ConvKernelTests.Eighths(random, c.Batch * c.OutputPixels * outChannels);

        // The definitions, over every (sample, output pixel, output channel, tap) that reads the image.
        var y = new double[dy.Length];
        var dx = new double[x.Length];
        var dKernel = new double[kernel.Length];
        var dBias = new double[outChannels];
        for (int b = 0; b < c.Batch; b++)
        {
            for (int oy = 0; oy < c.OutHeight; oy++)
            {
                for (int ox = 0; ox < c.OutWidth; ox++)
                {
                    int pixel = (b * c.OutHeight + oy) * c.OutWidth + ox;
                    for (int o = 0; o < outChannels; o++)
                    {
                        int at0 = pixel * outChannels + o;
                        dBias[o] += dy[at0];
                        for (int ky = 0; ky < c.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < c.KernelWidth; kx++)
                            {
                                int iy = oy * c.Stride + ky - c.PadTop, ix = ox * c.Stride + kx - c.PadLeft;
                                if (iy < 0 || iy >= c.Height || ix < 0 || ix >= c.Width)
                                {
                                    continue;
                                }

                                int input = ((b * c.Height + iy) * c.Width + ix) * c.Channels + o / multiplier;
                                int tap = (ky * c.KernelWidth + kx) * outChannels + o;
                                y[at0] += kernel[tap] * x[input];
                                dx[input] += dy[at0] * kernel[tap];
                                dKernel[tap] += dy[at0] * x[input];
                            }
                        }
                    }
                }
            }
        }

        float[] withBias = ConvKernelTests.Garbage(dy.Length), withoutBias = ConvKernelTests.Garbage(dy.Length);
        Depthwise.Forward(x, kernel, bias, withBias, multiplier, c.Batch, c.Height, c.Width, c.Channels, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth);
        Depthwise.Forward(x, kernel, default, withoutBias, multiplier, c.Batch, c.Height, c.Width, c.Channels, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth);
        float[] gotDx = ConvKernelTests.Garbage(x.Length);
        Depthwise.BackwardInput(dy, kernel, gotDx, multiplier, c.Batch, c.Height, c.Width, c.Channels, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth);
        float[] gotKernel = ConvKernelTests.Garbage(kernel.Length);
        float[] gotBias = bias.ToArray(); // the bias gradient is added to what is there
        Depthwise.BackwardKernel(x, dy, gotKernel, gotBias, multiplier, c.Batch, c.Height, c.Width, c.Channels, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth);
        float[] kernelOnly = ConvKernelTests.Garbage(kernel.Length);
        Depthwise.BackwardKernel(x, dy, kernelOnly, default, multiplier, c.Batch, c.Height, c.Width, c.Channels, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth);

        int failures = 0;
        void Compare(string what, float[] got, Func<int, double> expected)
        {
            for (int i = 0; i < got.Length; i++)
            {
                if (!got[i].Equals((float)expected(i)))
                {
                    failures++;
                    report($"Depthwise {what} {at}: [{i}] = {got[i]}, expected {expected(i)}");
                    return;
                }
            }
        }

        Compare("Forward", withBias, i => y[i] + bias[i % outChannels]);
        Compare("Forward without bias", withoutBias, i => y[i]);
        Compare("BackwardInput", gotDx, i => dx[i]);
        Compare("BackwardKernel", gotKernel, i => dKernel[i]);
        Compare("BackwardKernel's bias gradient", gotBias, i => bias[i] + dBias[i]);
        Compare("BackwardKernel without bias", kernelOnly, i => dKernel[i]);
        return failures;
    }
}
