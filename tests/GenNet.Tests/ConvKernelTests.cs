using System;
using System.Collections.Generic;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>One image kernel call's sizes: batch, image H×W×C, window kh×kw, stride, top/left padding and the output size.</summary>
public readonly record struct ImageCase(
    int Batch, int Height, int Width, int Channels, int KernelHeight, int KernelWidth, int Stride, int PadTop, int PadLeft, int OutHeight, int OutWidth, string Padding)
{
    public int InputSize => Height * Width * Channels;

    public int OutputPixels => OutHeight * OutWidth;

    public override string ToString() =>
        $"batch {Batch}, {Height}×{Width}×{Channels}, window {KernelHeight}×{KernelWidth}, stride {Stride}, {Padding} padding (top {PadTop}, left {PadLeft}) → {OutHeight}×{OutWidth}";

    /// <summary>
    /// Awkward sizes (1, 3, 5, 7, 17; channels 1, 3, 5, 17, 33 so every vector width's tail runs), windows 1×1, 3×3, 2×3,
    /// 5×5, strides 1–3, batches 1 and 3, and padding: none, TensorFlow's "same", asymmetric (all padding at the top and
    /// on the right) and — convolution only — wider than the window, so whole windows lie in the padding. Windows 1×2 and
    /// 1×5 over images one row high (1×7, 1×29) are the 1-D layers' calls: a sequence is the image [1, steps, channels].
    /// </summary>
    public static IEnumerable<ImageCase> All(bool pooling)
    {
        (int, int)[] images = [(1, 1), (3, 5), (5, 3), (7, 17), (17, 7), (17, 17), (1, 7), (5, 1), (1, 29)];
        int[] channelCounts = [1, 3, 5, 17, 33];
        (int, int)[] windows = [(1, 1), (3, 3), (2, 3), (5, 5), (1, 2), (1, 5)];
        string[] paddings = pooling ? ["none", "same", "asymmetric"] : ["none", "same", "asymmetric", "wide"];
        int n = 0;
        foreach ((int h, int w) in images)
        {
            foreach (int c in channelCounts)
            {
                foreach ((int kh, int kw) in windows)
                {
                    for (int stride = 1; stride <= 3; stride++)
                    {
                        foreach (string padding in paddings)
                        {
                            (int top, int bottom, int left, int right) = padding switch
                            {
                                "none" => (0, 0, 0, 0),
                                "same" => (Same(h, kh, stride).Top, Same(h, kh, stride).Bottom, Same(w, kw, stride).Top, Same(w, kw, stride).Bottom),
                                "asymmetric" => (kh - 1, 0, 0, kw - 1),
                                _ => (kh, 1, kw, 0),
                            };
                            int outHeight = (h + top + bottom - kh) / stride + 1, outWidth = (w + left + right - kw) / stride + 1;
                            if (h + top + bottom < kh || w + left + right < kw)
                            {
                                continue;
                            }

                            yield return new ImageCase(n++ % 3 == 0 ? 3 : 1, h, w, c, kh, kw, stride, top, left, outHeight, outWidth, padding);
                        }
                    }
                }
            }
        }
    }

    /// <summary>TensorFlow's "same": out = ⌈in / stride⌉, the padding it needs split with the smaller half on top.</summary>
    public static (int Top, int Bottom) Same(int size, int window, int stride)
    {
        int output = (size + stride - 1) / stride;
        int total = Math.Max((output - 1) * stride + window - size, 0);
        return (total / 2, total - total / 2);
    }
}

/// <summary>
/// <see cref="Conv.Im2Col"/>, <see cref="Conv.Col2Im"/> and <see cref="Flatten"/> against naive loops written from the
/// definitions. <see cref="RunAll"/> is also run by <see cref="Program"/>'s simd-check, so the 256-, 128-bit and scalar
/// paths are compared too (see <see cref="SimdPathTests"/>).
/// </summary>
public sealed class ConvKernelTests
{
    [Fact]
    public void Every_case_matches_the_reference() => FailureReports.AssertNone(RunAll);

    /// <summary>Runs every comparison; reports each failure (up to 20 per kind) and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0;
        var random = new Random(12345);
        foreach (ImageCase c in ImageCase.All(pooling: false))
        {
            failures += CheckIm2ColAndCol2Im(c, random, report);
        }

        foreach (ImageCase c in new[] { new ImageCase(3, 7, 5, 3, 3, 3, 2, 1, 1, 4, 3, "same"), new ImageCase(1, 17, 17, 33, 5, 5, 1, 2, 2, 17, 17, "same"), new ImageCase(3, 5, 7, 1, 2, 3, 1, 1, 2, 5, 8, "wide") })
        {
            failures += CheckAdjoint(c, random, report);
        }

        foreach ((int batch, int pixels, int channels) in new[] { (1, 1, 1), (3, 1, 17), (2, 17, 1), (3, 49, 5), (2, 289, 33), (1, 5, 100) })
        {
            failures += CheckFlatten(batch, pixels, channels, random, report);
        }

        return failures;
    }

    private static int CheckIm2ColAndCol2Im(ImageCase c, Random random, Action<string> report)
    {
        int rowLength = c.Channels * c.KernelHeight * c.KernelWidth;
        float[] x = Eighths(random, c.Batch * c.InputSize);
        float[] columns = Garbage(c.Batch * c.OutputPixels * rowLength);
        Conv.Im2Col(x, columns, c.Batch, c.Height, c.Width, c.Channels, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth);
        float[] expected = ReferenceIm2Col(x, c);
        int failures = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!columns[i].Equals(expected[i]))
            {
                failures++;
                report($"Im2Col {c}: columns[{i}] = {columns[i]}, expected {expected[i]}");
                break;
            }
        }

        // Col2Im of random eighths: every sum is exact, so any summation order must match exactly.
        float[] g = Eighths(random, columns.Length);
        float[] dx = Garbage(x.Length);
        Conv.Col2Im(g, dx, c.Batch, c.Height, c.Width, c.Channels, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth);
        float[] expectedDx = ReferenceCol2Im(g, c);
        for (int i = 0; i < expectedDx.Length; i++)
        {
            if (!dx[i].Equals(expectedDx[i]))
            {
                failures++;
                report($"Col2Im {c}: dx[{i}] = {dx[i]}, expected {expectedDx[i]}");
                break;
            }
        }

        return failures;
    }

    /// <summary>⟨Im2Col(x), g⟩ = ⟨x, Col2Im(g)⟩ for arbitrary floats.</summary>
    private static int CheckAdjoint(ImageCase c, Random random, Action<string> report)
    {
        float[] x = Uniform(random, c.Batch * c.InputSize);
        float[] g = Uniform(random, c.Batch * c.OutputPixels * c.Channels * c.KernelHeight * c.KernelWidth);
        float[] columns = new float[g.Length], dx = new float[x.Length];
        Conv.Im2Col(x, columns, c.Batch, c.Height, c.Width, c.Channels, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth);
        Conv.Col2Im(g, dx, c.Batch, c.Height, c.Width, c.Channels, c.KernelHeight, c.KernelWidth, c.Stride, c.PadTop, c.PadLeft, c.OutHeight, c.OutWidth);
        double left = Dot(columns, g), right = Dot(x, dx);
        if (Math.Abs(left - right) > 1e-5 * Math.Max(1, Math.Abs(left)))
        {
            report($"adjoint {c}: ⟨Im2Col(x), g⟩ = {left}, ⟨x, Col2Im(g)⟩ = {right}");
            return 1;
        }

        return 0;
    }

    private static int CheckFlatten(int batch, int pixels, int channels, Random random, Action<string> report)
    {
        float[] x = Uniform(random, batch * pixels * channels);
        float[] y = Garbage(x.Length), back = Garbage(x.Length);
        Flatten.ToChannelMajor(x, y, batch, pixels, channels);
        Flatten.FromChannelMajor(y, back, batch, pixels, channels);
        for (int b = 0; b < batch; b++)
        {
            for (int p = 0; p < pixels; p++)
            {
                for (int c = 0; c < channels; c++)
                {
                    int hwc = b * pixels * channels + p * channels + c, chw = b * pixels * channels + c * pixels + p;
                    if (!y[chw].Equals(x[hwc]) || !back[hwc].Equals(x[hwc]))
                    {
                        report($"Flatten batch {batch}, {pixels} pixels × {channels} channels: sample {b} pixel {p} channel {c}: x {x[hwc]}, CHW {y[chw]}, back {back[hwc]}");
                        return 1;
                    }
                }
            }
        }

        return 0;
    }

    private static float[] ReferenceIm2Col(float[] x, ImageCase c)
    {
        int rowLength = c.Channels * c.KernelHeight * c.KernelWidth;
        var columns = new float[c.Batch * c.OutputPixels * rowLength];
        for (int b = 0; b < c.Batch; b++)
        {
            for (int oy = 0; oy < c.OutHeight; oy++)
            {
                for (int ox = 0; ox < c.OutWidth; ox++)
                {
                    int r = (b * c.OutHeight + oy) * c.OutWidth + ox;
                    for (int ch = 0; ch < c.Channels; ch++)
                    {
                        for (int ky = 0; ky < c.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < c.KernelWidth; kx++)
                            {
                                int iy = oy * c.Stride + ky - c.PadTop, ix = ox * c.Stride + kx - c.PadLeft;
                                bool inside = iy >= 0 && iy < c.Height && ix >= 0 && ix < c.Width;
                                columns[r * rowLength + (ch * c.KernelHeight + ky) * c.KernelWidth + kx] =
                                    inside ? x[b * c.InputSize + (iy * c.Width + ix) * c.Channels + ch] : 0f;
                            }
                        }
                    }
                }
            }
        }

        return columns;
    }

    private static float[] ReferenceCol2Im(float[] columns, ImageCase c)
    {
        int rowLength = c.Channels * c.KernelHeight * c.KernelWidth;
        var dx = new float[c.Batch * c.InputSize];
        for (int b = 0; b < c.Batch; b++)
        {
            for (int oy = 0; oy < c.OutHeight; oy++)
            {
                for (int ox = 0; ox < c.OutWidth; ox++)
                {
                    int r = (b * c.OutHeight + oy) * c.OutWidth + ox;
                    for (int ch = 0; ch < c.Channels; ch++)
                    {
                        for (int ky = 0; ky < c.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < c.KernelWidth; kx++)
                            {
                                int iy = oy * c.Stride + ky - c.PadTop, ix = ox * c.Stride + kx - c.PadLeft;
                                if (iy >= 0 && iy < c.Height && ix >= 0 && ix < c.Width)
                                {
                                    dx[b * c.InputSize + (iy * c.Width + ix) * c.Channels + ch] += columns[r * rowLength + (ch * c.KernelHeight + ky) * c.KernelWidth + kx];
                                }
                            }
                        }
                    }
                }
            }
        }

        return dx;
    }

    [Fact]
    public void Im2Col_of_a_tiny_image_is_laid_out_in_pytorch_order()
    {
        // One 2×2 image with 2 channels (HWC): pixel (y, x) channel c holds 10·c + 2·y + x. A 2×2 window, padding 1 on top
        // only, stride 1: output 2×1. Row 0's window covers rows −1 and 0, row 1's rows 0 and 1.
        float[] x = [0, 10, 1, 11, 2, 12, 3, 13];
        var columns = new float[2 * 8];
        Conv.Im2Col(x, columns, 1, 2, 2, 2, 2, 2, 1, 1, 0, 2, 1);
        // k = (c·2 + ky)·2 + kx.
        Assert.Equal(new float[] { 0, 0, 0, 1, 0, 0, 10, 11, /* row 1 */ 0, 1, 2, 3, 10, 11, 12, 13 }, columns);
    }

    [Fact]
    public void Col2Im_sums_overlapping_windows()
    {
        // 1×3 image, one channel, 1×2 windows with stride 1: the middle pixel is in both windows.
        float[] g = [1, 2, 4, 8];
        float[] dx = [99, 99, 99];
        Conv.Col2Im(g, dx, 1, 1, 3, 1, 1, 2, 1, 0, 0, 1, 2);
        Assert.Equal(new float[] { 1, 2 + 4, 8 }, dx);
    }

    [Fact]
    public void Wrong_lengths_throw()
    {
        // batch 2, 5×5×3, 3×3 window, stride 2, padding 1 → 3×3 outputs: columns [18, 27].
        float[] x = new float[2 * 75], columns = new float[18 * 27];
        Conv.Im2Col(x, columns, 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3);
        Conv.Col2Im(columns, x, 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3);
        Assert.Throws<ArgumentException>(() => Conv.Im2Col(x.AsSpan(1), columns, 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3));
        Assert.Throws<ArgumentException>(() => Conv.Im2Col(x, columns.AsSpan(1), 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3));
        Assert.Throws<ArgumentException>(() => Conv.Im2Col(x, new float[columns.Length + 1], 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3));
        Assert.Throws<ArgumentException>(() => Conv.Col2Im(columns, new float[x.Length + 1], 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3));
        Assert.Throws<ArgumentException>(() => Conv.Col2Im(columns.AsSpan(1), x, 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3));
        Assert.Throws<ArgumentException>(() => Conv.Im2Col(x, columns, 2, 5, 5, 3, 3, 3, 0, 1, 1, 3, 3)); // stride 0
        Assert.Throws<ArgumentException>(() => Conv.Im2Col(x, columns, 2, 5, 5, 3, 3, 3, 2, -1, 1, 3, 3)); // negative padding
        Assert.Throws<ArgumentException>(() => Flatten.ToChannelMajor(x, new float[x.Length - 1], 2, 25, 3));
        Assert.Throws<ArgumentException>(() => Flatten.FromChannelMajor(x.AsSpan(3), new float[x.Length], 2, 25, 3));
    }

    [Fact]
    public void The_kernels_allocate_nothing()
    {
        float[] x = new float[2 * 75], columns = new float[18 * 27], one = new float[2 * 75 * 9], y = new float[2 * 75];
        void Run()
        {
            Conv.Im2Col(x, columns, 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3);
            Conv.Col2Im(columns, x, 2, 5, 5, 3, 3, 3, 2, 1, 1, 3, 3);
            Conv.Im2Col(x, one, 2, 5, 5, 3, 3, 3, 1, 1, 1, 5, 5);
            Conv.Col2Im(one, x, 2, 5, 5, 3, 3, 3, 1, 1, 1, 5, 5);
            Flatten.ToChannelMajor(x, y, 2, 25, 3);
            Flatten.FromChannelMajor(y, x, 2, 25, 3);
        }

        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Multiples of 1/8 in [−1/2, 1/2]: sums of a few hundred are exact in float in any order.</summary>
    internal static float[] Eighths(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.Next(-4, 5) / 8f;
        }

        return values;
    }

    internal static float[] Uniform(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }

    /// <summary>An output buffer full of NaN: any element the kernel fails to overwrite shows.</summary>
    internal static float[] Garbage(int count)
    {
        var values = new float[count];
        Array.Fill(values, float.NaN);
        return values;
    }

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }
}
