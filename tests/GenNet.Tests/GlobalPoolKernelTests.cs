using System;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// <see cref="Pool"/>'s global pooling kernels against naive loops written from the definitions, at channel counts on both
/// sides of every vector width and images from 1×1 up. <see cref="RunAll"/> is also run by <see cref="Program"/>'s
/// simd-check, so the 256-, 128-bit and scalar paths are compared too.
/// </summary>
public sealed class GlobalPoolKernelTests
{
    private static readonly int[] s_channels = [1, 3, 4, 7, 8, 9, 16, 17, 31, 33, 64];
    private static readonly int[] s_pixels = [1, 2, 15, 49];

    [Fact]
    public void Every_case_matches_the_reference() => FailureReports.AssertNone(RunAll);

    /// <summary>Runs every comparison; reports each failure and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0;
        var random = new Random(2468);
        foreach (int channels in s_channels)
        {
            foreach (int pixels in s_pixels)
            {
                foreach (int batch in new[] { 1, 3 })
                {
                    // Eighths in [−1/2, 1/2]: many ties (the first position must win) and exact sums.
                    float[] x = ConvKernelTests.Eighths(random, batch * pixels * channels);
                    failures += CheckMax(x, batch, pixels, channels, random, report);
                    failures += CheckAverage(x, batch, pixels, channels, random, report);
                }
            }
        }

        return failures;
    }

    private static int CheckMax(float[] x, int batch, int pixels, int channels, Random random, Action<string> report)
    {
        string at = $"batch {batch}, {pixels} pixels, {channels} channels";
        float[] y = ConvKernelTests.Garbage(batch * channels), inferenceY = ConvKernelTests.Garbage(batch * channels);
        int[] argmax = new int[batch * channels];
        Array.Fill(argmax, -7);
        Pool.GlobalMaxForward(x, y, argmax, batch, pixels, channels);
        Pool.GlobalMaxForward(x, inferenceY, Span<int>.Empty, batch, pixels, channels);
        for (int b = 0; b < batch; b++)
        {
            for (int c = 0; c < channels; c++)
            {
                int first = 0; // the first position holding the channel's maximum
                for (int p = 1; p < pixels; p++)
                {
                    if (x[(b * pixels + p) * channels + c] > x[(b * pixels + first) * channels + c])
                    {
                        first = p;
                    }
                }

                int o = b * channels + c;
                float expected = x[(b * pixels + first) * channels + c];
                if (!y[o].Equals(expected) || !inferenceY[o].Equals(expected) || argmax[o] != first * channels + c)
                {
                    report($"GlobalMaxForward {at}: output {o}: y {y[o]} (without argmax {inferenceY[o]}), argmax {argmax[o]}; expected {expected} at {first * channels + c}");
                    return 1;
                }
            }
        }

        float[] dy = ConvKernelTests.Eighths(random, batch * channels);
        float[] dx = ConvKernelTests.Garbage(x.Length);
        Pool.MaxBackward(dy, argmax, dx, batch, pixels * channels, channels);
        float[] expectedDx = new float[x.Length];
        for (int o = 0; o < dy.Length; o++)
        {
            expectedDx[o / channels * pixels * channels + argmax[o]] = dy[o];
        }

        return CompareDx("MaxBackward", at, dx, expectedDx, report);
    }

    private static int CheckAverage(float[] x, int batch, int pixels, int channels, Random random, Action<string> report)
    {
        string at = $"batch {batch}, {pixels} pixels, {channels} channels";
        float[] y = ConvKernelTests.Garbage(batch * channels);
        Pool.GlobalAverageForward(x, y, batch, pixels, channels);
        for (int o = 0; o < y.Length; o++)
        {
            int b = o / channels, c = o % channels;
            float sum = 0; // in position order, as the kernel adds
            for (int p = 0; p < pixels; p++)
            {
                sum += x[(b * pixels + p) * channels + c];
            }

            if (!y[o].Equals(sum / pixels))
            {
                report($"GlobalAverageForward {at}: output {o} is {y[o]}, expected {sum / pixels}");
                return 1;
            }
        }

        float[] dy = ConvKernelTests.Eighths(random, batch * channels);
        float[] dx = ConvKernelTests.Garbage(x.Length);
        Pool.GlobalAverageBackward(dy, dx, batch, pixels, channels);
        float[] expectedDx = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int b = i / (pixels * channels), c = i % channels;
            expectedDx[i] = dy[b * channels + c] / pixels;
        }

        return CompareDx("GlobalAverageBackward", at, dx, expectedDx, report);
    }

    private static int CompareDx(string kernel, string at, float[] dx, float[] expected, Action<string> report)
    {
        for (int i = 0; i < dx.Length; i++)
        {
            if (!dx[i].Equals(expected[i]))
            {
                report($"{kernel} {at}: dx[{i}] = {dx[i]}, expected {expected[i]}");
                return 1;
            }
        }

        return 0;
    }

    [Fact]
    public void Ties_go_to_the_first_position_and_only_it_gets_the_gradient()
    {
        // A 2×2 image, 3 channels: channel 0 is constant, channel 1 holds its maximum 5 at positions 1 and 3, channel 2 at 2 only.
        float[] x = [1, 0, 0, 1, 5, 0, 1, 0, 4, 1, 5, 0];
        float[] y = new float[3];
        int[] argmax = new int[3];
        Pool.GlobalMaxForward(x, y, argmax, 1, 4, 3);
        Assert.Equal(new float[] { 1, 5, 4 }, y);
        Assert.Equal(new[] { 0, 1 * 3 + 1, 2 * 3 + 2 }, argmax);

        float[] dx = new float[12];
        Array.Fill(dx, 99f);
        Pool.MaxBackward([2f, 3f, 4f], argmax, dx, 1, 12, 3);
        Assert.Equal(new float[] { 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0 }, dx);
    }

    [Fact]
    public void A_nan_propagates_and_negative_infinity_is_a_maximum()
    {
        float[] x = [float.NegativeInfinity, 1f, float.NegativeInfinity, float.NaN, float.NegativeInfinity, 2f];
        float[] y = new float[2];
        int[] argmax = new int[2];
        Pool.GlobalMaxForward(x, y, argmax, 1, 3, 2);
        Assert.Equal(float.NegativeInfinity, y[0]);
        Assert.Equal(0, argmax[0]);
        Assert.True(float.IsNaN(y[1]));
        Assert.Equal(3, argmax[1]);
    }

    [Fact]
    public void Average_backward_overwrites_dx_with_equal_shares()
    {
        float[] dx = [99, 99, 99, 99, 99, 99];
        Pool.GlobalAverageBackward([3f, 6f], dx, 1, 3, 2);
        Assert.Equal(new float[] { 1, 2, 1, 2, 1, 2 }, dx);
    }

    [Fact]
    public void Wrong_lengths_and_sizes_throw()
    {
        Assert.Throws<ArgumentException>(() => Pool.GlobalAverageForward(new float[6], new float[3], 1, 3, 2));
        Assert.Throws<ArgumentException>(() => Pool.GlobalAverageForward(new float[5], new float[2], 1, 3, 2));
        Assert.Throws<ArgumentException>(() => Pool.GlobalAverageForward(new float[0], new float[0], 1, 0, 2));
        Assert.Throws<ArgumentException>(() => Pool.GlobalAverageBackward(new float[6], new float[2], 1, 3, 2)); // dy, dx swapped
        Assert.Throws<ArgumentException>(() => Pool.GlobalMaxForward(new float[6], new float[2], new int[1], 1, 3, 2));
        Assert.Throws<ArgumentException>(() => Pool.GlobalMaxForward(new float[6], new float[2], Span<int>.Empty, -1, 3, 2));
    }
}
