using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using GenNet.Kernels;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>Three raw features standardised and nothing else: the layer's own output, as Keras's examples show it.</summary>
[Network(Training = false)]
[Input(3)]
[Normalization]
public partial class StandardizeOnly;

/// <summary>The network of tests/fixtures/make_normalization_fixture.py, trainable: its statistics come from Adapt or the file.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(4)]
[Normalization]
[Dense(2, Activation.Linear)]
public partial class NormalizedRegressor;

/// <summary>The same, inference only, with the fixture's statistics and weights compiled in: it takes raw features.</summary>
[Network(Training = false, Weights = "normalization.safetensors")]
[Input(4)]
[Normalization]
[Dense(2, Activation.Linear)]
public partial class CompiledNormalizedRegressor;

/// <summary>The same, trainable, starting from the compiled-in statistics and weights.</summary>
[Network(Loss = Loss.MeanSquaredError, Weights = "normalization.safetensors")]
[Input(4)]
[Normalization]
[Dense(2, Activation.Linear)]
public partial class CompiledTrainableNormalizedRegressor;

/// <summary>A Normalization on each of two inputs: Adapt(dataset) cannot choose, so each is adapted by name.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2, Name = "left")]
[Input(3, Name = "right")]
[Normalization(From = "left", Name = "left.norm")]
[Normalization(From = "right", Name = "right.norm")]
[Concatenate("left.norm")]
[Dense(1, Activation.Linear)]
public partial class TwoNormalizedInputs;

/// <summary>
/// Keras's Normalization: the <see cref="Standardize"/> kernels against float64 on every vector width (<see cref="RunAll"/>
/// also runs in <see cref="Program"/>'s simd-check), <see cref="NetworkAdaptation.Adapt(INetwork, Dataset)"/> against a
/// hand computation, NumPy's values (tests/fixtures/make_normalization_fixture.py) and Keras's documented examples,
/// features near 1e6, bad input, the statistics saved, loaded and compiled in, and no allocation in a step.
/// </summary>
[Collection(SerialCollection.Name)] // one test counts allocations
public sealed class AdaptedNormalizationTests
{
    private static readonly int[] s_features = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 129];

    [Fact]
    public void Kernels_match_the_definition_on_every_width() => FailureReports.AssertNone(RunAll);

    /// <summary>Forward (into another span and in place) and backward against float64; reports each failure and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int failures = 0;
        var random = new Random(2468);
        foreach (int features in s_features)
        {
            foreach (int rows in new[] { 1, 3, 5 })
            {
                float[] x = Enumerable.Range(0, rows * features).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
                float[] mean = Enumerable.Range(0, features).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
                // Variances over many scales, and 0 and 1e-16 (both floored to a deviation of 1e-7) where there are features for them.
                float[] variance = Enumerable.Range(0, features).Select(f => f % 7 == 5 ? 0f : f % 7 == 6 ? 1e-16f : (float)Math.Pow(10, random.NextDouble() * 6 - 3)).ToArray();
                float[] y = ConvKernelTests.Garbage(x.Length), inPlace = (float[])x.Clone(), dy = x.Select(v => v / 3).ToArray();
                float[] dx = ConvKernelTests.Garbage(x.Length), dyInPlace = (float[])dy.Clone();
                Standardize.Forward(x, mean, variance, y, rows, features);
                Standardize.Forward(inPlace, mean, variance, inPlace, rows, features);
                Standardize.Backward(variance, dy, dx, rows, features);
                Standardize.Backward(variance, dyInPlace, dyInPlace, rows, features);
                for (int i = 0; i < x.Length; i++)
                {
                    int f = i % features;
                    double std = Math.Max(Math.Sqrt(variance[f]), 1e-7);
                    double expectedY = (x[i] - (double)mean[f]) / std, expectedDx = dy[i] / std;
                    if (!(Math.Abs(y[i] - expectedY) <= 1e-6 * Math.Abs(expectedY) + 1e-30) || !inPlace[i].Equals(y[i]))
                    {
                        report($"Forward, {rows} rows × {features} features: y[{i}] = {y[i]} (in place {inPlace[i]}), expected {expectedY}");
                        failures++;
                        break;
                    }

                    if (!(Math.Abs(dx[i] - expectedDx) <= 1e-6 * Math.Abs(expectedDx) + 1e-30) || !dyInPlace[i].Equals(dx[i]))
                    {
                        report($"Backward, {rows} rows × {features} features: dx[{i}] = {dx[i]} (in place {dyInPlace[i]}), expected {expectedDx}");
                        failures++;
                        break;
                    }
                }
            }
        }

        return failures;
    }

    [Fact]
    public void Kernels_reject_spans_that_do_not_match_the_sizes()
    {
        float[] x = new float[6], y = new float[6], three = new float[3];
        Assert.Contains("rows × features = 2 × 3", Assert.Throws<ArgumentException>(() => Standardize.Forward(x, three, three, new float[5], 2, 3)).Message);
        Assert.Contains("mean and variance must hold 3", Assert.Throws<ArgumentException>(() => Standardize.Forward(x, three, new float[2], y, 2, 3)).Message);
        Assert.Contains("rows × features", Assert.Throws<ArgumentException>(() => Standardize.Backward(three, x, y, 0, 3)).Message);
    }

    [Fact]
    public void Adapt_gives_kerass_documented_examples()
    {
        // Keras's Normalization docstring: adapted to these rows, [0, 7, 4] becomes [-1, -1, -1].
        var network = new StandardizeOnly();
        network.InitializeParameters(seed: 1);
        network.Adapt([0f, 7f, 4f, 2f, 9f, 6f, 0f, 7f, 4f, 2f, 9f, 6f], count: 4);
        Assert.Equal(new[] { 1f, 8f, 5f, 1f, 1f, 1f }, network.Buffers.ToArray());
        var output = new float[3];
        network.Forward([0f, 7f, 4f], output);
        Assert.Equal(new[] { -1f, -1f, -1f }, output);

        // Its mean=3, variance=2 example: [1, 2, 3] becomes [-1.4142135, -0.70710677, 0] (float32, to the bit).
        network.Buffers.Slice(0, 3).Fill(3f);
        network.Buffers.Slice(3, 3).Fill(2f);
        network.Forward([1f, 2f, 3f], output);
        Assert.Equal(new[] { -1.4142135f, -0.70710677f, 0f }, output);
    }

    [Fact]
    public void Adapt_matches_numpy_and_the_compiled_network_takes_raw_features()
    {
        JsonElement fixture = PyTorchFixture.Read("normalization_io.json");
        float[] data = PyTorchFixture.Floats(fixture.GetProperty("data"));
        double[] mean = PyTorchFixture.Doubles(fixture.GetProperty("mean")), variance = PyTorchFixture.Doubles(fixture.GetProperty("variance"));
        float[] inputs = PyTorchFixture.Floats(fixture.GetProperty("inputs"));
        double[] expected = PyTorchFixture.Doubles(fixture.GetProperty("outputs"));

        // Adapt finds NumPy's float64 mean and variance, rounded to float (feature 2 is near 1e6, feature 3 constant).
        var network = new NormalizedRegressor();
        network.InitializeParameters(seed: 3);
        network.Adapt(Dataset.Create(data, new float[data.Length / 4], 4));
        for (int f = 0; f < 4; f++)
        {
            Assert.Equal((float)mean[f], network.Buffers[f]);
            Assert.Equal((float)variance[f], network.Buffers[4 + f]);
        }

        // The file's statistics and weights, loaded or compiled in, give NumPy's outputs from raw features.
        network.Load(Path.Combine(PyTorchFixture.Directory, "normalization.safetensors"));
        foreach (INetwork n in new INetwork[] { network, new CompiledNormalizedRegressor(), new CompiledTrainableNormalizedRegressor() })
        {
            (double batch, double single) = PyTorchFixture.WorstOutputs(n, inputs, expected, batchSize: 4);
            Assert.True(batch < 1e-4 && single < 1e-4, $"{n.GetType().Name}: worst output error {batch} (batch), {single} (one sample)");
            Assert.Equal(network.Buffers.ToArray(), n.Buffers.ToArray());
        }
    }

    [Fact]
    public void Adapt_is_exact_for_features_far_from_zero()
    {
        // 1e6 ± 1: E[x²] − μ² would cancel 1e12 against 1e12 (in float, every digit); two passes in double lose nothing.
        const int count = 1001;
        var inputs = new float[3 * count];
        for (int i = 0; i < count; i++)
        {
            inputs[3 * i] = i == count - 1 ? 1e6f : i % 2 == 0 ? 1e6f - 1 : 1e6f + 1; // mean 1e6, variance 1000/1001
            inputs[3 * i + 1] = -3e7f + (i % 4) * 2; // mean −3e7 + 2.9970…, spread of a few units on a value whose float spacing is 2
            inputs[3 * i + 2] = 1e-3f * (i % 2); // small values
        }

        var network = new StandardizeOnly();
        network.InitializeParameters(seed: 1);
        network.Adapt(inputs, count);
        double[] expectedMean = new double[3], expectedVariance = new double[3];
        for (int f = 0; f < 3; f++)
        {
            double[] column = Enumerable.Range(0, count).Select(i => (double)inputs[3 * i + f]).ToArray();
            expectedMean[f] = column.Average();
            expectedVariance[f] = column.Select(v => (v - expectedMean[f]) * (v - expectedMean[f])).Average();
            Assert.Equal((float)expectedMean[f], network.Buffers[f]);
            Assert.Equal((float)expectedVariance[f], network.Buffers[3 + f]);
        }

        Assert.Equal(1000f / 1001f, network.Buffers[3]);
        var output = new float[3];
        network.Forward([1e6f + 1, -3e7f, 1e-3f], output);
        Assert.Equal(Math.Sqrt(1001.0 / 1000.0), output[0], 5);
    }

    [Fact]
    public void Adapt_takes_each_channel_over_every_position_of_an_image()
    {
        // AdaptedImage's first Normalization reads the raw [4, 3, 2] image: channel c's statistics span 12 positions per sample.
        var network = new AdaptedImage();
        network.InitializeParameters(seed: 5);
        var random = new Random(8);
        const int count = 7;
        float[] inputs = Enumerable.Range(0, count * 24).Select(i => (float)(i % 2 == 0 ? 10 + random.NextDouble() : -random.NextDouble() * 4)).ToArray();
        network.Adapt(inputs, count);
        for (int c = 0; c < 2; c++)
        {
            double[] values = inputs.Where((_, i) => i % 2 == c).Select(v => (double)v).ToArray();
            Assert.Equal(count * 12, values.Length);
            double mean = values.Average(), variance = values.Select(v => (v - mean) * (v - mean)).Average();
            Assert.Equal((float)mean, network.Buffers[c]);
            Assert.Equal((float)variance, network.Buffers[2 + c]);
        }

        Assert.Equal(new[] { 0f, 0f, 0f, 1f, 1f, 1f }, network.Buffers.Slice(4).ToArray()); // the second Normalization is untouched
    }

    [Fact]
    public void Adapt_by_name_reads_what_the_layer_reads()
    {
        // A Normalization deep in the network is adapted from values of its own input (here dense_0's 17 outputs).
        var middle = new AdaptedMiddle17();
        middle.InitializeParameters(seed: 2);
        float[] hidden = Enumerable.Range(0, 2 * 17).Select(i => (float)(i % 17) + (i < 17 ? 0 : 2)).ToArray();
        middle.Adapt("normalization", hidden, count: 2);
        Assert.Equal(Enumerable.Range(0, 17).Select(f => f + 1f), middle.Buffers.Slice(0, 17).ToArray());
        Assert.All(middle.Buffers.Slice(17, 17).ToArray(), v => Assert.Equal(1f, v));

        // On the second input of a two-input network, Adapt(dataset) takes that input's part of each sample (after the 12 image values).
        var twoInputs = new AdaptedTwoInputs();
        twoInputs.InitializeParameters(seed: 2);
        float[] samples = Enumerable.Range(0, 3 * 15).Select(i => i % 15 < 12 ? 1000f : (float)(i / 15 * 10 + i % 15)).ToArray();
        twoInputs.Adapt(Dataset.Create(samples, new float[3 * 2], 15));
        Assert.Equal(new[] { 22f, 23f, 24f }, twoInputs.Buffers.Slice(0, 3).ToArray());
        Assert.Equal(200f / 3f, twoInputs.Buffers[3], 4);

        // Two inputs, two Normalizations: each by name, from its input's values.
        var two = new TwoNormalizedInputs();
        two.InitializeParameters(seed: 2);
        two.Adapt("right.norm", [1f, 2f, 3f, 3f, 4f, 5f], count: 2);
        Assert.Equal(new[] { 0f, 0f, 1f, 1f, 2f, 3f, 4f, 1f, 1f, 1f }, two.Buffers.ToArray());
    }

    [Fact]
    public void Adapt_explains_what_it_cannot_do()
    {
        var data = Dataset.Create(new float[17 * 4], new float[4 * 2], 17);
        string none = Assert.Throws<InvalidOperationException>(() => new MnistMlp().Adapt(Dataset.Create(new float[784], new float[10], 28, 28))).Message;
        Assert.Contains("MnistMlp has no Normalization layer to adapt", none);
        string deep = Assert.Throws<InvalidOperationException>(() => new AdaptedMiddle17().Adapt(Dataset.Create(new float[10], new float[4], 5))).Message;
        Assert.Contains("No Normalization layer of AdaptedMiddle17 reads its input directly (it has \"normalization\")", deep);
        string several = Assert.Throws<InvalidOperationException>(() => new TwoNormalizedInputs().Adapt(new float[5], 1)).Message;
        Assert.Contains("2 Normalization layers of TwoNormalizedInputs read its inputs (\"left.norm\", \"right.norm\")", several);
        Assert.Contains("Adapt(layer, values, count)", several);

        var network = new AdaptedInput17();
        network.InitializeParameters(seed: 1);
        float[] before = network.Buffers.ToArray();
        Assert.Contains("no Normalization layer named \"norm\"; its Normalization layers are \"normalization\"",
            Assert.Throws<ArgumentException>(() => network.Adapt("norm", new float[17], 1)).Message);
        Assert.Contains("have 3 features", Assert.Throws<ArgumentException>(() => network.Adapt(Dataset.Create(new float[6], new float[2], 3))).Message);
        Assert.Contains("2 samples of 17 floats are 34 floats; inputs has 33", Assert.Throws<ArgumentException>(() => network.Adapt(new float[33], 2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => network.Adapt(ReadOnlySpan<float>.Empty, 0));
        float[] bad = new float[34];
        bad[17 + 5] = float.NaN;
        Assert.Contains("Sample 1 holds NaN at feature 5", Assert.Throws<ArgumentException>(() => network.Adapt(bad, 2)).Message);
        Assert.Equal(before, network.Buffers.ToArray()); // nothing was changed by a failed call
        network.Adapt(data);
        Assert.Equal(new float[17], network.Buffers.Slice(0, 17).ToArray()); // all-zero data: mean 0, variance 0
        Assert.Equal(new float[17], network.Buffers.Slice(17, 17).ToArray());
    }

    [Fact]
    public void Statistics_survive_save_and_load_and_initialization_resets_them()
    {
        var network = new AdaptedInput17();
        network.InitializeParameters(seed: 4);
        var random = new Random(4);
        float[] inputs = Enumerable.Range(0, 17 * 20).Select(i => (float)(random.NextDouble() * (i % 17 + 1) + i % 17 * 100)).ToArray();
        network.Adapt(inputs, 20);
        var outputs = new float[3 * 20];
        network.Forward(inputs, outputs, 20);

        string path = Path.Combine(Path.GetTempPath(), $"gennet-normalization-{Guid.NewGuid():N}.safetensors");
        try
        {
            network.Save(path);
            var loaded = new AdaptedInput17();
            loaded.Load(path);
            Assert.Equal(network.Buffers.ToArray(), loaded.Buffers.ToArray());
            var reloaded = new float[3 * 20];
            loaded.Forward(inputs, reloaded, 20);
            Assert.Equal(outputs, reloaded);
            Assert.Equal(["normalization.mean", "normalization.variance"], loaded.BufferTensors.Select(t => t.Name));

            loaded.InitializeParameters(seed: 4);
            Assert.Equal(Enumerable.Repeat(0f, 17).Concat(Enumerable.Repeat(1f, 17)), loaded.Buffers.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Training_steps_and_forward_do_not_allocate()
    {
        foreach (ITrainableNetwork network in new ITrainableNetwork[] { new AdaptedMiddle17(), new AdaptedInput17() })
        {
            network.InitializeParameters(seed: 6);
            var random = new Random(6);
            float[] inputs = Enumerable.Range(0, 9 * network.InputSize).Select(_ => (float)random.NextDouble()).ToArray();
            if (network is AdaptedInput17)
            {
                network.Adapt(inputs, 9);
            }
            else
            {
                network.Adapt("normalization", inputs.Select(v => v * 3).Concat(new float[9 * 12]).ToArray(), 9);
            }

            float[] targets = new float[9 * network.OutputSize];
            int[] labels = new int[9];
            var outputs = new float[9 * network.OutputSize];
            void Step()
            {
                _ = network.Loss == Loss.MeanSquaredError ? network.ComputeGradients(inputs, targets, 9) : network.ComputeGradients(inputs, labels, 9);
                network.Forward(inputs, outputs, 9);
                network.Forward(inputs.AsSpan(0, network.InputSize), outputs.AsSpan(0, network.OutputSize));
            }

            Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            Step();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
