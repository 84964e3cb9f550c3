using System;
using System.Linq;
using GenNet.Kernels;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// <see cref="LayerNorm"/>'s kernels against float64 loops written from the definitions, at channel counts on both sides of
/// every vector width (<see cref="RunAll"/> also runs in <see cref="Program"/>'s simd-check, so the 256-, 128-bit and
/// scalar paths are compared too), including rows whose mean is large against their spread; a one-channel row; and the
/// layer in networks: no allocation, the same outputs in training and inference, the same step on one thread or two.
/// </summary>
[Collection(SerialCollection.Name)] // one test counts allocations
public sealed class LayerNormalizationTests
{
    private static readonly int[] s_channels = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 129];

    /// <summary>Forward (y and the kept statistics) and backward (dx, and dγ, dβ added to what they held) within this of the row's scale.</summary>
    private const double Tolerance = 1e-5;

    [Fact]
    public void Every_case_matches_the_reference() => FailureReports.AssertNone(RunAll);

    /// <summary>Runs every comparison; reports each failure and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0;
        var random = new Random(1357);
        foreach (int channels in s_channels)
        {
            foreach (int rows in new[] { 1, 3, 6 })
            {
                foreach (double offset in new[] { 0.0, 100.0 }) // 100 ± 0.01: μ's float rounding is ε·100, the spread 0.006
                {
                    double spread = offset == 0 ? 1 : 0.01;
                    float[] x = Enumerable.Range(0, rows * channels).Select(_ => (float)(offset + spread * (2 * random.NextDouble() - 1))).ToArray();
                    failures += Check(x, rows, channels, random, $"{rows} rows × {channels} channels, values {offset} ± {spread}", report);
                }
            }
        }

        return failures;
    }

    private static int Check(float[] x, int rows, int channels, Random random, string at, Action<string> report)
    {
        float[] weight = Uniform(random, channels, 0.5, 1.5), bias = Uniform(random, channels, -0.5, 0.5);
        float[] dy = Uniform(random, rows * channels, -1, 1);
        float[] dWeight = Uniform(random, channels, -1, 1), dBias = Uniform(random, channels, -1, 1);
        double[] dWeightExpected = dWeight.Select(v => (double)v).ToArray(), dBiasExpected = dBias.Select(v => (double)v).ToArray();
        float[] y = ConvKernelTests.Garbage(x.Length), statistics = ConvKernelTests.Garbage(3 * rows), inferenceY = ConvKernelTests.Garbage(x.Length);
        float[] dx = ConvKernelTests.Garbage(x.Length);
        const float epsilon = 1e-5f;
        LayerNorm.Forward(x, weight, bias, y, statistics, rows, channels, epsilon);
        LayerNorm.Forward(x, weight, bias, inferenceY, Span<float>.Empty, rows, channels, epsilon);
        LayerNorm.Backward(x, weight, statistics, dy, dx, dWeight, dBias, rows, channels);

        for (int r = 0; r < rows; r++)
        {
            int row = r * channels;
            double mean = 0, variance = 0;
            for (int c = 0; c < channels; c++)
            {
                mean += (double)x[row + c] / channels;
            }

            for (int c = 0; c < channels; c++)
            {
                variance += (x[row + c] - mean) * (x[row + c] - mean) / channels;
            }

            double inverseStd = 1 / Math.Sqrt(variance + epsilon), g = 0, gx = 0;
            var xHat = new double[channels];
            for (int c = 0; c < channels; c++)
            {
                xHat[c] = (x[row + c] - mean) * inverseStd;
                g += dy[row + c] * weight[c] / channels;
                gx += dy[row + c] * weight[c] * xHat[c] / channels;
                dWeightExpected[c] += dy[row + c] * xHat[c];
                dBiasExpected[c] += dy[row + c];
            }

            double keptMean = (double)statistics[3 * r] + statistics[3 * r + 1]; // μ + δ
            if (!(Math.Abs(keptMean - mean) <= Tolerance / inverseStd) || !Near(statistics[3 * r + 2], inverseStd, inverseStd))
            {
                report($"Forward {at}: row {r} kept μ {statistics[3 * r]} + δ {statistics[3 * r + 1]}, 1/σ {statistics[3 * r + 2]}; expected {mean}, {inverseStd}");
                return 1;
            }

            double dxScale = 1 + inverseStd * Enumerable.Range(0, channels).Max(c => Math.Abs(dy[row + c] * weight[c]));
            for (int c = 0; c < channels; c++)
            {
                double expectedY = weight[c] * xHat[c] + bias[c];
                double expectedDx = inverseStd * (dy[row + c] * weight[c] - g - xHat[c] * gx);
                if (!Near(y[row + c], expectedY, 1 + Math.Abs(expectedY)) || !inferenceY[row + c].Equals(y[row + c]))
                {
                    report($"Forward {at}: y[{row + c}] = {y[row + c]} (without statistics {inferenceY[row + c]}), expected {expectedY}");
                    return 1;
                }

                if (!Near(dx[row + c], expectedDx, dxScale))
                {
                    report($"Backward {at}: dx[{row + c}] = {dx[row + c]}, expected {expectedDx}");
                    return 1;
                }
            }
        }

        for (int c = 0; c < channels; c++)
        {
            if (!Near(dWeight[c], dWeightExpected[c], rows + Math.Abs(dWeightExpected[c])) || !Near(dBias[c], dBiasExpected[c], rows + Math.Abs(dBiasExpected[c])))
            {
                report($"Backward {at}: dγ[{c}] = {dWeight[c]}, dβ[{c}] = {dBias[c]}; expected {dWeightExpected[c]}, {dBiasExpected[c]}");
                return 1;
            }
        }

        return 0;
    }

    private static bool Near(float actual, double expected, double scale) => Math.Abs(actual - expected) <= Tolerance * scale;

    private static float[] Uniform(Random random, int count, double low, double high) =>
        Enumerable.Range(0, count).Select(_ => (float)(low + random.NextDouble() * (high - low))).ToArray();

    [Fact]
    public void One_channel_gives_the_bias_and_no_input_gradient()
    {
        // Each row's one value is its own mean: x̂ = 0 exactly, so y = β, dγ gets nothing, and dx = 0 (not NaN: 1/√ε is finite).
        float[] x = [3f, -1e6f, 0f], y = new float[3], statistics = new float[9], dx = [9f, 9f, 9f];
        float[] dWeight = [0.25f], dBias = [0.5f];
        LayerNorm.Forward(x, [2f], [0.75f], y, statistics, 3, 1, 1e-5f);
        Assert.Equal(new[] { 0.75f, 0.75f, 0.75f }, y);
        LayerNorm.Backward(x, [2f], statistics, [1f, -2f, 4f], dx, dWeight, dBias, 3, 1);
        Assert.Equal(new[] { 0f, 0f, 0f }, dx);
        Assert.Equal(0.25f, dWeight[0]);
        Assert.Equal(0.5f + 3f, dBias[0]);
    }

    [Fact]
    public void A_constant_row_is_centred_not_divided_by_zero()
    {
        float[] x = Enumerable.Repeat(5f, 17).ToArray(), y = new float[17], statistics = new float[3], dx = new float[17];
        float[] weight = Enumerable.Repeat(1f, 17).ToArray(), bias = Enumerable.Range(0, 17).Select(i => i / 16f).ToArray();
        LayerNorm.Forward(x, weight, bias, y, statistics, 1, 17, 1e-5f);
        Assert.Equal(bias, y);
        Assert.Equal(5f, statistics[0]);
        LayerNorm.Backward(x, weight, statistics, Enumerable.Range(0, 17).Select(i => (float)i).ToArray(), dx, new float[17], new float[17], 1, 17);
        Assert.All(dx, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(0, dx.Sum(), 1e-2); // dx = (dy − mean(dy)) / √ε sums to zero
    }

    [Fact]
    public void Wrong_lengths_sizes_and_epsilon_throw()
    {
        float[] three = new float[3], six = new float[6];
        Assert.Throws<ArgumentException>(() => LayerNorm.Forward(six, three, three, new float[5], Span<float>.Empty, 2, 3, 1e-5f));
        Assert.Throws<ArgumentException>(() => LayerNorm.Forward(six, new float[2], three, six, Span<float>.Empty, 2, 3, 1e-5f));
        Assert.Throws<ArgumentException>(() => LayerNorm.Forward(six, three, three, six, three, 2, 3, 1e-5f)); // statistics 3, not 6
        Assert.Throws<ArgumentException>(() => LayerNorm.Forward(six, three, three, six, Span<float>.Empty, 2, 3, 0f));
        Assert.Throws<ArgumentException>(() => LayerNorm.Forward(six, three, three, six, Span<float>.Empty, 2, 3, float.NaN));
        Assert.Throws<ArgumentException>(() => LayerNorm.Forward([], [], [], [], Span<float>.Empty, 0, 0, 1e-5f));
        Assert.Throws<ArgumentException>(() => LayerNorm.Backward(six, three, Span<float>.Empty, six, six, three, three, 2, 3)); // no statistics
        Assert.Throws<ArgumentException>(() => LayerNorm.Backward(six, three, six, six, three, three, three, 2, 3)); // dx too short
        Assert.Throws<ArgumentException>(() => LayerNorm.Backward(six, three, six, six, six, three, new float[2], 2, 3));
    }

    [Theory]
    [InlineData("LayerNormConv")]
    [InlineData("LayerNormResidual")]
    [InlineData("LayerNormPreNorm")]
    public void A_training_step_computes_the_outputs_forward_does(string name)
    {
        // Nothing depends on the mode or on the other samples: the step's outputs are Forward's, bit for bit.
        NetworkCase c = NetworkCases.Get(name);
        ITrainableNetwork network = NumericChecks.Prepare(c);
        CheckBatch batch = NumericChecks.MakeBatch(c, 7);
        float[] outputs = new float[7 * network.OutputSize];
        network.Forward(batch.Inputs, outputs, 7);
        _ = batch.Labels is { } labels ? network.ComputeGradients(batch.Inputs, labels, 7) : network.ComputeGradients(batch.Inputs, batch.Targets, 7);
        Assert.Equal(outputs, network.Outputs.ToArray());
    }

    [Fact]
    public void Two_threads_give_one_threads_gradients()
    {
        NetworkCase c = NetworkCases.Get("LayerNormConv");
        CheckBatch batch = NumericChecks.MakeBatch(c, 8);
        float[] Gradients(int threads)
        {
            ITrainableNetwork network = NumericChecks.Prepare(c);
            network.Threads = threads;
            network.ComputeGradients(batch.Inputs, batch.Targets, 8);
            Shards.AssertRan(Shards.Expected(c, threads), Shards.Of(network), $"LayerNormConv on {threads} threads");
            return network.Gradients.ToArray();
        }

        float[] one = Gradients(1), two = Gradients(2);
        for (int i = 0; i < one.Length; i++)
        {
            Assert.True(Math.Abs(one[i] - two[i]) <= 1e-6 * (1 + Math.Abs(one[i])), $"gradient {i}: {one[i]} on one thread, {two[i]} on two");
        }
    }

    [Fact]
    public void Training_steps_and_forward_allocate_nothing()
    {
        var network = new LayerNormResidual();
        network.InitializeParameters(1);
        float[] inputs = Enumerable.Range(0, 9 * LayerNormResidual.InputSize).Select(i => MathF.Sin(i)).ToArray();
        float[] targets = new float[9 * LayerNormResidual.OutputSize], outputs = new float[9 * LayerNormResidual.OutputSize];
        network.ComputeGradients(inputs, targets, 9);
        network.Forward(inputs, outputs, 9);
        network.Forward(inputs.AsSpan(0, LayerNormResidual.InputSize), outputs.AsSpan(0, LayerNormResidual.OutputSize));
        long before = GC.GetAllocatedBytesForCurrentThread();
        network.ComputeGradients(inputs, targets, 9);
        network.Forward(inputs, outputs, 9);
        network.Forward(inputs.AsSpan(0, LayerNormResidual.InputSize), outputs.AsSpan(0, LayerNormResidual.OutputSize));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
