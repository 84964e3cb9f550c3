using System;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// ReLU and softmax: ReLU gives MathF.Max(x, 0)'s bits (NaN kept, −0 to +0, infinities) at lengths around every vector
/// size, and softmax, whose rows of up to 32 values run GenNet's own loops, matches a float64 reference at row widths on
/// both sides of that limit. <see cref="RunAll"/> is also run by
/// <see cref="Program"/>'s simd-check, so the 256-, 128-bit and scalar paths are checked too (<see cref="SimdPathTests"/>).
/// </summary>
public sealed class ActivationKernelTests
{
    private static readonly int[] Lengths = [1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 64, 129];

    [Fact]
    public void Relu_and_softmax_match_their_references() => FailureReports.AssertNone(RunAll);

    /// <summary>Runs every check; reports each failure and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0;
        foreach (int length in Lengths)
        {
            failures += CheckRelu(length, report);
            foreach (int rows in new[] { 1, 3 })
            {
                failures += CheckSoftmax(length, rows, report);
            }
        }

        return failures;
    }

    private static int CheckRelu(int length, Action<string> report)
    {
        var random = new Random(length);
        var values = new float[length];
        float[] specials = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon];
        for (int i = 0; i < length; i++)
        {
            values[i] = i % 3 == 1 ? specials[i / 3 % specials.Length] : (float)(random.NextDouble() * 4 - 2);
        }

        float[] expected = Array.ConvertAll(values, v => MathF.Max(v, 0f));
        float[] actual = (float[])values.Clone();
        Activations.Relu(actual);

        int failures = 0;
        for (int i = 0; i < length; i++)
        {
            if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
            {
                failures++;
                report($"relu length {length} [{i}]: {values[i]} gave {actual[i]}, MathF.Max {expected[i]}");
            }
        }

        return failures;
    }

    private static int CheckSoftmax(int width, int rows, Action<string> report)
    {
        var random = new Random(width * 10 + rows);
        var values = new float[width * rows];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 20 - 10);
        }

        float[] actual = (float[])values.Clone();
        Activations.Softmax(actual, width);

        int failures = 0;
        for (int row = 0; row < rows; row++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int i = 0; i < width; i++)
            {
                max = Math.Max(max, values[row * width + i]);
            }

            for (int i = 0; i < width; i++)
            {
                sum += Math.Exp(values[row * width + i] - max);
            }

            for (int i = 0; i < width; i++)
            {
                double expected = Math.Exp(values[row * width + i] - max) / sum;
                float got = actual[row * width + i];
                if (!(Math.Abs(got - expected) <= 1e-5 * expected + 1e-9))
                {
                    failures++;
                    report($"softmax width {width} row {row} [{i}]: {got}, float64 reference {expected}");
                }
            }
        }

        return failures;
    }
}
