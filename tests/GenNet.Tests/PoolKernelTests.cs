using System;
using System.Collections.Generic;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// <see cref="Pool"/>'s kernels against naive loops written from the definitions, at the sizes of
/// <see cref="ImageCase.All"/>. <see cref="RunAll"/> is also run by <see cref="Program"/>'s simd-check, so the 256-,
/// 128-bit and scalar paths are compared too.
/// </summary>
public sealed class PoolKernelTests
{
    [Fact]
    public void Every_case_matches_the_reference() => FailureReports.AssertNone(RunAll);

    /// <summary>Runs every comparison; reports each failure and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0;
        var random = new Random(54321);
        int n = 0;
        foreach (ImageCase c in ImageCase.All(pooling: true))
        {
            // Eighths in [−1/2, 1/2]: many ties (the first in scan order must win) and exact sums. Every 7th case gets NaNs.
            float[] x = ConvKernelTests.Eighths(random, c.Batch * c.InputSize);
            if (n++ % 7 == 0)
            {
                for (int i = 0; i < x.Length; i += 1 + random.Next(40))
                {
                    x[i] = float.NaN;
                }
            }

            failures += CheckMax(c, x, random, report);
            failures += CheckAverage(c, x, random, report);
        }

        return failures;
    }

    private static int CheckMax(ImageCase c, float[] x, Random random, Action<string> report)
    {
        int outputs = c.Batch * c.OutputPixels * c.Channels;
        (float[] expected, int[] expectedArgmax) = ReferenceMax(x, c);
        float[] y = ConvKernelTests.Garbage(outputs), inferenceY = ConvKernelTests.Garbage(outputs);
        int[] argmax = new int[outputs];
        Array.Fill(argmax, -7);
        Pool.MaxForward(x, y, argmax, c.Batch, c.Height, c.Width, c.Channels, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth);
        Pool.MaxForward(x, inferenceY, Span<int>.Empty, c.Batch, c.Height, c.Width, c.Channels, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth);
        for (int i = 0; i < outputs; i++)
        {
            if (!y[i].Equals(expected[i]) || argmax[i] != expectedArgmax[i] || !inferenceY[i].Equals(expected[i]))
            {
                report($"MaxForward {c}: output {i}: y {y[i]} (without argmax {inferenceY[i]}), argmax {argmax[i]}; expected {expected[i]} at {expectedArgmax[i]}");
                return 1;
            }
        }

        float[] dy = ConvKernelTests.Eighths(random, outputs);
        float[] dx = ConvKernelTests.Garbage(c.Batch * c.InputSize);
        Pool.MaxBackward(dy, argmax, dx, c.Batch, c.InputSize, c.OutputPixels * c.Channels);
        float[] expectedDx = new float[dx.Length];
        for (int b = 0; b < c.Batch; b++)
        {
            for (int i = 0; i < c.OutputPixels * c.Channels; i++)
            {
                int o = b * c.OutputPixels * c.Channels + i;
                expectedDx[b * c.InputSize + expectedArgmax[o]] += dy[o];
            }
        }

        for (int i = 0; i < dx.Length; i++)
        {
            if (!dx[i].Equals(expectedDx[i]))
            {
                report($"MaxBackward {c}: dx[{i}] = {dx[i]}, expected {expectedDx[i]}");
                return 1;
            }
        }

        return 0;
    }

    private static int CheckAverage(ImageCase c, float[] x, Random random, Action<string> report)
    {
        int outputs = c.Batch * c.OutputPixels * c.Channels;
        float[] y = ConvKernelTests.Garbage(outputs);
        Pool.AverageForward(x, y, c.Batch, c.Height, c.Width, c.Channels, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth);
        float[] dy = ConvKernelTests.Eighths(random, outputs);
        float[] dx = ConvKernelTests.Garbage(c.Batch * c.InputSize);
        Pool.AverageBackward(dy, dx, c.Batch, c.Height, c.Width, c.Channels, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth);

        var expectedY = new double[outputs];
        var expectedDx = new double[dx.Length];
        for (int b = 0; b < c.Batch; b++)
        {
            for (int oy = 0; oy < c.OutHeight; oy++)
            {
                for (int ox = 0; ox < c.OutWidth; ox++)
                {
                    for (int ch = 0; ch < c.Channels; ch++)
                    {
                        int o = ((b * c.OutHeight + oy) * c.OutWidth + ox) * c.Channels + ch;
                        double sum = 0;
                        int count = 0;
                        for (int ky = 0; ky < c.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < c.KernelWidth; kx++)
                            {
                                int iy = oy * c.Stride + ky - c.PadTop, ix = ox * c.Stride + kx - c.PadLeft;
                                if (iy >= 0 && iy < c.Height && ix >= 0 && ix < c.Width)
                                {
                                    sum += x[b * c.InputSize + (iy * c.Width + ix) * c.Channels + ch];
                                    count++;
                                }
                            }
                        }

                        expectedY[o] = sum / count;
                        for (int ky = 0; ky < c.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < c.KernelWidth; kx++)
                            {
                                int iy = oy * c.Stride + ky - c.PadTop, ix = ox * c.Stride + kx - c.PadLeft;
                                if (iy >= 0 && iy < c.Height && ix >= 0 && ix < c.Width)
                                {
                                    expectedDx[b * c.InputSize + (iy * c.Width + ix) * c.Channels + ch] += (double)dy[o] / count;
                                }
                            }
                        }
                    }
                }
            }
        }

        for (int i = 0; i < outputs; i++)
        {
            if (!Close(y[i], expectedY[i]))
            {
                report($"AverageForward {c}: y[{i}] = {y[i]}, expected {expectedY[i]}");
                return 1;
            }
        }

        for (int i = 0; i < dx.Length; i++)
        {
            if (!Close(dx[i], expectedDx[i]))
            {
                report($"AverageBackward {c}: dx[{i}] = {dx[i]}, expected {expectedDx[i]}");
                return 1;
            }
        }

        return 0;
    }

    private static bool Close(float actual, double expected) =>
        double.IsNaN(expected) ? float.IsNaN(actual) : Math.Abs(actual - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected));

    /// <summary>
    /// The definition: per window and channel, if any in-image element is NaN the result is NaN at the last NaN in scan
    /// order (PyTorch's CPU kernel: an element replaces the maximum if greater or NaN); else the largest value, at the
    /// first element in scan order that holds it.
    /// </summary>
    private static (float[] Y, int[] Argmax) ReferenceMax(float[] x, ImageCase c)
    {
        int outputs = c.Batch * c.OutputPixels * c.Channels;
        var y = new float[outputs];
        var argmax = new int[outputs];
        for (int b = 0; b < c.Batch; b++)
        {
            for (int oy = 0; oy < c.OutHeight; oy++)
            {
                for (int ox = 0; ox < c.OutWidth; ox++)
                {
                    for (int ch = 0; ch < c.Channels; ch++)
                    {
                        var inWindow = new List<int>(); // indices within the sample, in scan order
                        for (int ky = 0; ky < c.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < c.KernelWidth; kx++)
                            {
                                int iy = oy * c.Stride + ky - c.PadTop, ix = ox * c.Stride + kx - c.PadLeft;
                                if (iy >= 0 && iy < c.Height && ix >= 0 && ix < c.Width)
                                {
                                    inWindow.Add((iy * c.Width + ix) * c.Channels + ch);
                                }
                            }
                        }

                        int lastNaN = inWindow.FindLastIndex(i => float.IsNaN(x[b * c.InputSize + i]));
                        int chosen = lastNaN >= 0 ? inWindow[lastNaN] : inWindow[0];
                        if (lastNaN < 0)
                        {
                            foreach (int i in inWindow)
                            {
                                if (x[b * c.InputSize + i] > x[b * c.InputSize + chosen])
                                {
                                    chosen = i;
                                }
                            }
                        }

                        int o = ((b * c.OutHeight + oy) * c.OutWidth + ox) * c.Channels + ch;
                        y[o] = x[b * c.InputSize + chosen];
                        argmax[o] = chosen;
                    }
                }
            }
        }

        return (y, argmax);
    }

    [Fact]
    public void Ties_go_to_the_first_element_in_scan_order()
    {
        // 3×3 image, 2 channels, 2×2 windows, stride 1. Channel 0 is constant; channel 1 holds 5 at (0, 1) and (1, 0).
        float[] x = new float[18];
        Array.Fill(x, 2f);
        x[(0 * 3 + 1) * 2 + 1] = 5;
        x[(1 * 3 + 0) * 2 + 1] = 5;
        float[] y = new float[8];
        int[] argmax = new int[8];
        Pool.MaxForward(x, y, argmax, 1, 3, 3, 2, 2, 2, 1, 0, 0, 2, 2);
        // Window (oy, ox) starts at pixel (oy, ox): channel 0's argmax is that pixel; channel 1's is (0, 1) for the
        // windows holding it and (1, 0) for window (1, 0), while window (1, 1) holds neither 5 and starts at pixel (1, 1).
        Assert.Equal(new[] { 0, 3, 2, 3, 6, 7, 8, 9 }, argmax);
        Assert.Equal(new float[] { 2, 5, 2, 5, 2, 5, 2, 2 }, y);
    }

    [Fact]
    public void Negative_infinity_windows_and_a_nan_do_not_crash()
    {
        float[] x = [float.NegativeInfinity, float.NegativeInfinity, float.NaN, 1f];
        float[] y = new float[2];
        int[] argmax = new int[2];
        Pool.MaxForward(x, y, argmax, 1, 1, 4, 1, 1, 2, 2, 0, 0, 1, 2); // 1×4 image, 1×2 windows, stride 2
        Assert.Equal(float.NegativeInfinity, y[0]);
        Assert.Equal(0, argmax[0]);
        Assert.True(float.IsNaN(y[1]));
        Assert.Equal(2, argmax[1]);
    }

    [Fact]
    public void Backward_kernels_overwrite_dx()
    {
        // 1×3 image, one channel, 1×2 windows, stride 1: the middle element is in both windows.
        float[] dx = [99, 99, 99];
        Pool.AverageBackward([2f, 4f], dx, 1, 1, 3, 1, 1, 2, 1, 0, 0, 1, 2);
        Assert.Equal(new float[] { 1, 1 + 2, 2 }, dx);
        Pool.MaxBackward([2f, 4f], [1, 1], dx, 1, 3, 2);
        Assert.Equal(new float[] { 0, 6, 0 }, dx);
    }

    [Fact]
    public void Wrong_lengths_and_geometries_throw()
    {
        // batch 2, 5×5×3, 3×3 windows, stride 2, padding 1 → 3×3.
        float[] x = new float[150], y = new float[54];
        int[] argmax = new int[54];
        Pool.MaxForward(x, y, argmax, 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3);
        Assert.Throws<ArgumentException>(() => Pool.MaxForward(x.AsSpan(1), y, argmax, 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3));
        Assert.Throws<ArgumentException>(() => Pool.MaxForward(x, y.AsSpan(1), argmax, 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3));
        Assert.Throws<ArgumentException>(() => Pool.MaxForward(x, y, argmax.AsSpan(1), 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3));
        Assert.Throws<ArgumentException>(() => Pool.AverageForward(x, new float[55], 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3));
        Assert.Throws<ArgumentException>(() => Pool.AverageBackward(y, new float[151], 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3));
        Assert.Throws<ArgumentException>(() => Pool.MaxBackward(y, argmax, new float[149], 2, 75, 27));
        Assert.Throws<ArgumentException>(() => Pool.MaxBackward(y.AsSpan(1), argmax, x, 2, 75, 27));
        Assert.Throws<ArgumentException>(() => Pool.AverageForward(x, y, 2, 5, 5, 3, 3, 3, 2, 3, 1, 3, 3)); // padding ≥ window
        Assert.Throws<ArgumentException>(() => Pool.AverageForward(x, new float[2 * 4 * 3 * 3], 2, 5, 5, 3, 3, 3, 2, 1, 1, 4, 3)); // last window below the image

        argmax[5] = 75; // outside the sample
        Assert.Throws<ArgumentException>(() => Pool.MaxBackward(y, argmax, x, 2, 75, 27));
        argmax[5] = -1;
        Assert.Throws<ArgumentException>(() => Pool.MaxBackward(y, argmax, x, 2, 75, 27));
    }

    [Fact]
    public void The_kernels_allocate_nothing()
    {
        float[] x = new float[2 * 7 * 7 * 33], y = new float[2 * 4 * 4 * 33];
        int[] argmax = new int[y.Length];
        void Run()
        {
            Pool.MaxForward(x, y, argmax, 2, 7, 7, 33, 3, 3, 2, 1, 1, 4, 4);
            Pool.MaxForward(x, y, Span<int>.Empty, 2, 7, 7, 33, 3, 3, 2, 1, 1, 4, 4);
            Pool.MaxBackward(y, argmax, x, 2, 7 * 7 * 33, 4 * 4 * 33);
            Pool.AverageForward(x, y, 2, 7, 7, 33, 3, 3, 2, 1, 1, 4, 4);
            Pool.AverageBackward(y, x, 2, 7, 7, 33, 3, 3, 2, 1, 1, 4, 4);
        }

        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
