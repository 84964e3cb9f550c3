using System;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// <see cref="BatchNorm"/>'s kernels against the definitions computed in double, one channel at a time: channel counts
/// on both sides of every vector width and of the kernel's 512-float tile (1,500 takes the rented path), row counts that
/// leave a partial last tile and that cross the points where float partial sums move into double (more than 16 tiles),
/// values offset by 100 so a careless variance would cancel. <see cref="RunAll"/> is also run by <see cref="Program"/>'s
/// simd-check, so the 256-, 128-bit and scalar paths are compared too.
/// </summary>
public sealed class BatchNormKernelTests
{
    private static readonly int[] s_channels = [1, 3, 8, 17, 32, 129, 513, 1500];
    private static readonly int[] s_rows = [1, 2, 7, 100, 2049];

    [Fact]
    public void Every_case_matches_the_reference() => FailureReports.AssertNone(RunAll);

    /// <summary>Runs every comparison; reports each failure and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0;
        var random = new Random(1357);
        foreach (int channels in s_channels)
        {
            foreach (int rows in s_rows)
            {
                if ((long)rows * channels > 400_000)
                {
                    continue; // the largest channel counts at fewer rows: the tile logic is the same
                }

                failures += Check(random, rows, channels, report);
            }
        }

        return failures;
    }

    private static int Check(Random random, int rows, int channels, Action<string> report)
    {
        string at = $"{rows} rows × {channels} channels";
        int n = rows * channels;
        float[] x = Values(random, n, offset: 100f), dy = Values(random, n, offset: 0f);
        float[] weight = Values(random, channels, offset: 1f), bias = Values(random, channels, offset: 0f);
        float[] runningMean = Values(random, channels, offset: 0f), runningVar = Values(random, channels, offset: 2f);
        float[] expectedMean = (float[])runningMean.Clone(), expectedVar = (float[])runningVar.Clone();
        float[] tracked = [3f], statistics = ConvKernelTests.Garbage(BatchNorm.StatisticsLength(channels));
        float[] y = ConvKernelTests.Garbage(n), dx = ConvKernelTests.Garbage(n), inference = ConvKernelTests.Garbage(n);
        float[] dWeight = new float[channels], dBias = new float[channels];
        Array.Fill(dWeight, 0.5f);
        Array.Fill(dBias, -0.25f);
        const float Momentum = 0.1f, Epsilon = 1e-5f;

        BatchNorm.ForwardTraining(x, weight, bias, runningMean, runningVar, tracked, statistics, y, rows, channels, Momentum, Epsilon);
        BatchNorm.Backward(x, weight, statistics, dy, dx, dWeight, dBias, rows, channels);
        BatchNorm.ForwardInference(x, weight, bias, runningMean, runningVar, inference, rows, channels, Epsilon);

        int failures = 0;
        void Expect(bool ok, string what)
        {
            if (!ok)
            {
                failures++;
                report($"batch norm, {at}: {what}");
            }
        }

        Expect(tracked[0] == (rows > 1 ? 4f : 3f), $"num_batches_tracked {tracked[0]}");
        for (int c = 0; c < channels; c++)
        {
            double sum = 0, squares = 0, g = 0, gx = 0;
            for (int r = 0; r < rows; r++)
            {
                sum += x[r * channels + c];
            }

            double mean = sum / rows;
            for (int r = 0; r < rows; r++)
            {
                double d = x[r * channels + c] - mean;
                squares += d * d;
            }

            double variance = squares / rows, inverseStd = 1 / Math.Sqrt(variance + Epsilon);
            if (rows > 1)
            {
                expectedMean[c] = (float)(0.9 * expectedMean[c] + 0.1 * mean);
                expectedVar[c] = (float)(0.9 * expectedVar[c] + 0.1 * variance * rows / (rows - 1));
            }

            Expect(Close(runningMean[c], expectedMean[c], 1e-5), $"running_mean[{c}] {runningMean[c]}, expected {expectedMean[c]}");
            Expect(Close(runningVar[c], expectedVar[c], 1e-5), $"running_var[{c}] {runningVar[c]}, expected {expectedVar[c]}");
            for (int r = 0; r < rows; r++)
            {
                int i = r * channels + c;
                double xHat = (x[i] - mean) * inverseStd;
                g += dy[i];
                gx += dy[i] * xHat;
                double expectedY = weight[c] * xHat + bias[c];
                Expect(Close(y[i], expectedY, 1e-4), $"y[{r}, {c}] {y[i]}, expected {expectedY}");
                double expectedInference = weight[c] * (x[i] - runningMean[c]) / Math.Sqrt(runningVar[c] + Epsilon) + bias[c];
                Expect(Close(inference[i], expectedInference, 1e-3), $"inference y[{r}, {c}] {inference[i]}, expected {expectedInference}");
            }

            Expect(Close(dBias[c], -0.25 + g, 1e-4), $"dβ[{c}] {dBias[c]}, expected {-0.25 + g}");
            Expect(Close(dWeight[c], 0.5 + gx, 1e-4), $"dγ[{c}] {dWeight[c]}, expected {0.5 + gx}");
            for (int r = 0; r < rows; r++)
            {
                int i = r * channels + c;
                double xHat = (x[i] - mean) * inverseStd;
                double expected = weight[c] * inverseStd * (dy[i] - g / rows - xHat * gx / rows);
                Expect(Close(dx[i], expected, 2e-4 * Math.Max(1, weight[c] * inverseStd)), $"dx[{r}, {c}] {dx[i]}, expected {expected}");
            }
        }

        return failures;
    }

    // Uniform in [offset − 1, offset + 1) with a random spread per call, so channels differ in scale.
    private static float[] Values(Random random, int count, float offset)
    {
        float spread = (float)(0.1 + random.NextDouble());
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = offset + spread * (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }

    private static bool Close(double actual, double expected, double tolerance) =>
        Math.Abs(actual - expected) <= tolerance * Math.Max(1, Math.Abs(expected));
}
