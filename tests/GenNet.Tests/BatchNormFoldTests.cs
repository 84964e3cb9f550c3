using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GenNet.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>
/// Every way a normalisation folds into the layer it reads: a one-channel convolution (its weight in PyTorch's order), a
/// strided one over several channels (its weight reordered in the folded copy) with GELU (which keeps its pre-activation),
/// a 1×1 convolution (no im2col), a Dense layer with tanh, and the network's output itself.
/// </summary>
[Network(Training = false, Loss = Loss.MeanSquaredError)]
[Input(7, 6, 1)]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "stem")]
[BatchNormalization(Activation = Activation.ReLU, Name = "stem.bn")]
[Conv2D(5, 3, Activation.Linear, Stride = 2, Padding = Padding.Same, Name = "down")]
[BatchNormalization(Activation = Activation.Gelu, Epsilon = 1e-3f, Name = "down.bn")]
[Conv2D(5, 1, Activation.Linear, Name = "pointwise")]
[BatchNormalization(Name = "pointwise.bn")]
[Add("down.bn", Activation = Activation.ReLU)]
[Flatten]
[Dense(6, Activation.Linear, Name = "fc")]
[BatchNormalization(Activation = Activation.Tanh, Name = "fc.bn")]
[Dense(3, Activation.Linear, Name = "head")]
[BatchNormalization(Name = "head.bn")]
public partial class FoldedBatchNormNet;

/// <summary>FoldedBatchNormNet trainable: its Forward runs every normalisation's own pass.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7, 6, 1)]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "stem")]
[BatchNormalization(Activation = Activation.ReLU, Name = "stem.bn")]
[Conv2D(5, 3, Activation.Linear, Stride = 2, Padding = Padding.Same, Name = "down")]
[BatchNormalization(Activation = Activation.Gelu, Epsilon = 1e-3f, Name = "down.bn")]
[Conv2D(5, 1, Activation.Linear, Name = "pointwise")]
[BatchNormalization(Name = "pointwise.bn")]
[Add("down.bn", Activation = Activation.ReLU)]
[Flatten]
[Dense(6, Activation.Linear, Name = "fc")]
[BatchNormalization(Activation = Activation.Tanh, Name = "fc.bn")]
[Dense(3, Activation.Linear, Name = "head")]
[BatchNormalization(Name = "head.bn")]
public partial class UnfoldedBatchNormNet;

/// <summary>
/// Inference only, and no normalisation can fold: one reads the input, one follows a convolution with an activation, one
/// follows a convolution whose output an Add reads too, and one follows the merge.
/// </summary>
[Network(Training = false, Loss = Loss.MeanSquaredError)]
[Input(6, 5, 2)]
[BatchNormalization(Name = "input.bn")]
[Conv2D(3, 3, Activation.ReLU, Padding = Padding.Same, Name = "activated")]
[BatchNormalization(Name = "activated.bn")]
[Conv2D(3, 3, Activation.Linear, Padding = Padding.Same, Name = "forked")]
[BatchNormalization(Activation = Activation.Tanh, Name = "forked.bn")]
[Add("forked", Name = "merge")]
[BatchNormalization(Name = "merge.bn")]
[Flatten]
[Dense(4, Activation.Linear)]
public partial class UnfoldableBatchNorm;

/// <summary>UnfoldableBatchNorm trainable.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6, 5, 2)]
[BatchNormalization(Name = "input.bn")]
[Conv2D(3, 3, Activation.ReLU, Padding = Padding.Same, Name = "activated")]
[BatchNormalization(Name = "activated.bn")]
[Conv2D(3, 3, Activation.Linear, Padding = Padding.Same, Name = "forked")]
[BatchNormalization(Activation = Activation.Tanh, Name = "forked.bn")]
[Add("forked", Name = "merge")]
[BatchNormalization(Name = "merge.bn")]
[Flatten]
[Dense(4, Activation.Linear)]
public partial class TrainableUnfoldableBatchNorm;

/// <summary>PyTorchBatchNorm (PyTorchBatchNormTests.cs) inference only, its weights loaded from PyTorch's file at run time.</summary>
[Network(Training = false)]
[Input(6, 6, 3)]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "stem")]
[BatchNormalization(Activation = Activation.ReLU, Name = "stem.bn")]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv1")]
[BatchNormalization(Activation = Activation.ReLU, Name = "block.bn1")]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv2")]
[BatchNormalization(Name = "block.bn2")]
[Add("stem.bn", Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(8, Activation.Linear, Name = "fc")]
[BatchNormalization(Activation = Activation.Tanh, Name = "fc.bn")]
[Dense(3, Activation.Softmax, Name = "head")]
public partial class FoldedPyTorchBatchNorm;

/// <summary>
/// An inference-only network folds each BatchNormalization it can into the Dense or Conv2D layer before it: its outputs
/// agree with the same declaration's trainable form, whose Forward runs the normalisation's own pass, within 1e-5, for
/// weights and running statistics far from their defaults, and keep agreeing whatever changes them.
/// </summary>
[Collection(SerialCollection.Name)] // counts allocations and shares an instance between threads
public sealed class BatchNormFoldTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;
    private const int Batch = 5;

    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;

    /// <summary>
    /// Glorot weights from <paramref name="seed"/>, then every bias and β in [−0.5, 0.5], every γ in [0.5, 1.5], every
    /// running mean in [−0.5, 0.5] and running variance in [0.3, 2]: a fold that dropped any of them would show.
    /// </summary>
    private static void SetWeights(INetwork network, int seed)
    {
        network.InitializeParameters(seed);
        var random = new Random(seed);
        float Between(double low, double high) => (float)(low + (high - low) * random.NextDouble());
        foreach (ParameterTensor tensor in network.ParameterTensors.Where(t => t.Shape.Count == 1))
        {
            Span<float> values = tensor.Slice(network.Parameters);
            bool scale = tensor.Name.EndsWith(".weight", StringComparison.Ordinal); // a 1-d weight is a normalisation's γ
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = scale ? Between(0.5, 1.5) : Between(-0.5, 0.5);
            }
        }

        foreach (ParameterTensor tensor in network.BufferTensors.Where(t => !t.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal)))
        {
            Span<float> values = tensor.Slice(network.Buffers);
            bool variance = tensor.Name.EndsWith(".running_var", StringComparison.Ordinal);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = variance ? Between(0.3, 2) : Between(-0.5, 0.5);
            }
        }
    }

    private static void CopyWeights(INetwork from, INetwork to)
    {
        from.Parameters.CopyTo(to.Parameters);
        from.Buffers.CopyTo(to.Buffers);
    }

    private static float[] Inputs(INetwork network, int batch, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, batch * network.InputSize).Select(_ => (float)random.NextDouble()).ToArray();
    }

    private static float[] Run(INetwork network, float[] inputs, int batch)
    {
        float[] outputs = new float[batch * network.OutputSize];
        network.Forward(inputs, outputs, batch);
        return outputs;
    }

    /// <summary>The largest |folded − unfolded| over a batch and over one sample; the outputs must not be all alike either.</summary>
    private double Disagreement(INetwork folded, INetwork unfolded, int seed = 7)
    {
        float[] inputs = Inputs(folded, Batch, seed);
        float[] expected = Run(unfolded, inputs, Batch);
        float[] actual = Run(folded, inputs, Batch);
        float[] single = Run(folded, inputs.AsSpan(0, folded.InputSize).ToArray(), 1);
        Assert.True(expected.Max() - expected.Min() > 0.1, "the outputs hardly vary: the comparison would say little");
        double worst = actual.Zip(expected, (a, e) => Math.Abs(a - (double)e)).Max();
        worst = Math.Max(worst, single.Zip(expected, (a, e) => Math.Abs(a - (double)e)).Max());
        output.WriteLine($"worst |folded − unfolded| {worst:G3} over outputs in [{expected.Min():G3}, {expected.Max():G3}]");
        return worst;
    }

    private static (FoldedBatchNormNet Folded, UnfoldedBatchNormNet Unfolded) Pair(int seed)
    {
        var folded = new FoldedBatchNormNet();
        var unfolded = new UnfoldedBatchNormNet();
        SetWeights(folded, seed);
        CopyWeights(folded, unfolded);
        return (folded, unfolded);
    }

    private static Span<float> Tensor(INetwork network, string name) =>
        network.ParameterTensors.SingleOrDefault(t => t.Name == name) is { } parameter
            ? parameter.Slice(network.Parameters)
            : network.BufferTensors.Single(t => t.Name == name).Slice(network.Buffers);

    [Fact]
    public void Folded_and_unfolded_outputs_agree()
    {
        (FoldedBatchNormNet folded, UnfoldedBatchNormNet unfolded) = Pair(seed: 1);
        float[] parameters = folded.Parameters.ToArray(), buffers = folded.Buffers.ToArray();
        Assert.True(Disagreement(folded, unfolded) <= Tolerance);
        Assert.Equal(parameters, folded.Parameters.ToArray()); // the fold is a copy of its own: the arenas keep PyTorch's values
        Assert.Equal(buffers, folded.Buffers.ToArray());
    }

    [Fact]
    public void Every_normalisation_that_can_fold_has_no_pass_of_its_own_and_the_others_keep_theirs()
    {
        Assert.DoesNotContain(typeof(FoldedBatchNormNet).GetMethods(Private), m => m.Name.StartsWith("Bn", StringComparison.Ordinal));
        foreach (string layer in new[] { "conv0", "conv1", "conv2", "dense0", "dense1" })
        {
            Assert.NotNull(typeof(FoldedBatchNormNet).GetField($"_{layer}Folded", Private));
        }

        string[] unfoldable = typeof(UnfoldableBatchNorm).GetMethods(Private).Select(m => m.Name).ToArray();
        Assert.Equal(new[] { "Bn0Forward", "Bn1Forward", "Bn2Forward", "Bn3Forward" }, unfoldable.Where(n => n.StartsWith("Bn", StringComparison.Ordinal)).Order());
        Assert.DoesNotContain(typeof(UnfoldableBatchNorm).GetFields(Private), f => f.Name.EndsWith("Folded", StringComparison.Ordinal));

        // The summary is the declaration's, folded or not.
        INetwork folded = new FoldedBatchNormNet();
        Assert.Equal(UnfoldedBatchNormNet.Summary.Replace("UnfoldedBatchNormNet", "FoldedBatchNormNet"), folded.Summary);
        Assert.Equal(UnfoldedBatchNormNet.ParameterCount, FoldedBatchNormNet.ParameterCount);
        Assert.Equal(new UnfoldedBatchNormNet().BufferTensors.Select(t => t.ToString()), new FoldedBatchNormNet().BufferTensors.Select(t => t.ToString()));
    }

    [Fact]
    public void Normalisations_that_cannot_fold_still_compute_the_same()
    {
        var network = new UnfoldableBatchNorm();
        var trainable = new TrainableUnfoldableBatchNorm();
        SetWeights(network, seed: 2);
        CopyWeights(network, trainable);
        Assert.True(Disagreement(network, trainable) <= Tolerance);
    }

    [Fact]
    public void Writing_a_parameter_or_a_running_statistic_is_followed()
    {
        (FoldedBatchNormNet folded, UnfoldedBatchNormNet unfolded) = Pair(seed: 3);
        float[] inputs = Inputs(folded, Batch, 11);
        float[] before = Run(folded, inputs, Batch);
        foreach ((string tensor, int index, float value) in new[]
                 {
                     ("down.weight", 17, 0.9f), ("stem.bias", 2, -0.7f), ("pointwise.bn.weight", 1, 2.5f), ("fc.bn.bias", 3, 0.8f),
                     ("down.bn.running_var", 4, 0.05f), ("head.bn.running_mean", 0, 1.5f), ("head.bn.running_var", 2, 3f),
                 })
        {
            Tensor(folded, tensor)[index] = value;
            Tensor(unfolded, tensor)[index] = value;
            float[] after = Run(folded, inputs, Batch);
            Assert.False(after.AsSpan().SequenceEqual(before), $"writing {tensor}[{index}] changed no output");
            Assert.True(Disagreement(folded, unfolded) <= Tolerance, $"after writing {tensor}[{index}]");
            before = after;
        }

        // The sign of a zero is a change too, bit for bit.
        Tensor(folded, "stem.bn.running_mean")[1] = 0f;
        Run(folded, inputs, Batch);
        Tensor(folded, "stem.bn.running_mean")[1] = -0f;
        Tensor(unfolded, "stem.bn.running_mean")[1] = -0f;
        Assert.True(Disagreement(folded, unfolded) <= Tolerance);
    }

    [Fact]
    public void Loading_another_file_or_initializing_is_followed_and_saving_writes_the_unfolded_values()
    {
        (FoldedBatchNormNet folded, UnfoldedBatchNormNet unfolded) = Pair(seed: 4);
        Assert.True(Disagreement(folded, unfolded) <= Tolerance);

        var other = new UnfoldedBatchNormNet();
        SetWeights(other, seed: 5);
        var file = new MemoryStream();
        other.Save(file);
        folded.Load(new MemoryStream(file.ToArray()));
        Assert.True(Disagreement(folded, other) <= Tolerance);

        var saved = new MemoryStream();
        folded.Save(saved);
        var reloaded = new UnfoldedBatchNormNet();
        reloaded.Load(new MemoryStream(saved.ToArray()));
        Assert.Equal(other.Parameters.ToArray(), reloaded.Parameters.ToArray()); // PyTorch's state_dict, not the folded weights
        Assert.Equal(other.Buffers.ToArray(), reloaded.Buffers.ToArray());

        folded.InitializeParameters(6);
        other.InitializeParameters(6);
        Assert.True(Disagreement(folded, other) <= Tolerance);
    }

    [Fact]
    public void A_pytorch_file_loaded_into_a_folded_network_reproduces_pytorchs_eval_outputs()
    {
        JsonElement json = PyTorchFixture.Read("pytorch_batchnorm_io.json");
        int batch = json.GetProperty("batch").GetInt32();
        float[] inputs = PyTorchFixture.Floats(json.GetProperty("inputs"));
        var network = new FoldedPyTorchBatchNorm();
        Assert.NotNull(typeof(FoldedPyTorchBatchNorm).GetField("_dense0Folded", Private));
        network.Load(Path.Combine(PyTorchFixture.Directory, "pytorch_batchnorm.safetensors"));
        (double worstOutput, double worstSingle) = PyTorchFixture.WorstOutputs(network, inputs, PyTorchFixture.Doubles(json.GetProperty("outputs")), batch);
        output.WriteLine($"eval outputs: worst |folded − torch| {worstOutput:G3} (batch), {worstSingle:G3} (one sample)");
        Assert.True(worstOutput <= Tolerance && worstSingle <= Tolerance, $"outputs differ by {worstOutput} (batch), {worstSingle} (one sample)");
    }

    [Fact]
    public void Inference_allocates_nothing_after_the_first_call_even_when_the_weights_change()
    {
        (FoldedBatchNormNet folded, _) = Pair(seed: 8);
        float[] inputs = Inputs(folded, Batch, 9), outputs = new float[Batch * FoldedBatchNormNet.OutputSize];
        folded.Forward(inputs, outputs, Batch);
        folded.Forward(inputs.AsSpan(0, FoldedBatchNormNet.InputSize), outputs.AsSpan(0, FoldedBatchNormNet.OutputSize));
        Span<float> variance = Tensor(folded, "fc.bn.running_var");
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            variance[0] = 1f + i; // a refresh on every call
            folded.Forward(inputs, outputs, Batch);
            folded.Forward(inputs.AsSpan(0, FoldedBatchNormNet.InputSize), outputs.AsSpan(0, FoldedBatchNormNet.OutputSize));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// A fresh instance shared by four threads from its first call (so they race to compute the folded copies) gives each
    /// call exactly what another instance gives for the same samples alone.
    /// </summary>
    [Fact]
    public void Threads_sharing_a_folded_network_from_its_first_call_get_exact_answers()
    {
        const int threads = 4, calls = 200, count = 12;
        (FoldedBatchNormNet alone, UnfoldedBatchNormNet unfolded) = Pair(seed: 10);
        var shared = new FoldedBatchNormNet();
        CopyWeights(alone, shared);
        float[] inputs = Inputs(alone, count, 12);
        float[] expected = Run(alone, inputs, count);
        Assert.True(Disagreement(alone, unfolded) <= Tolerance);

        var failures = new ConcurrentQueue<string>();
        using var start = new Barrier(threads);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, thread =>
        {
            int size = thread % 2 + 1, outputSize = FoldedBatchNormNet.OutputSize;
            float[] outputs = new float[size * outputSize];
            start.SignalAndWait();
            for (int call = 0; call < calls; call++)
            {
                int sample = (call * 5 + thread) % (count - 1);
                shared.Forward(inputs.AsSpan(sample * FoldedBatchNormNet.InputSize, size * FoldedBatchNormNet.InputSize), outputs, size);
                if (!outputs.AsSpan().SequenceEqual(expected.AsSpan(sample * outputSize, size * outputSize)))
                {
                    failures.Enqueue($"thread {thread}, call {call}: samples {sample}..{sample + size - 1} differ");
                }
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {threads * calls} shared calls went wrong, the first: {failures.FirstOrDefault()}");
    }
}

/// <summary>The fold kernels against the formula in float64, their refresh only on a change, and their argument checks.</summary>
public sealed class BatchNormFoldKernelTests
{
    private static float[] Values(Random random, int count, double low, double high) =>
        Enumerable.Range(0, count).Select(_ => (float)(low + (high - low) * random.NextDouble())).ToArray();

    [Theory]
    [InlineData(3, 1, 3, 3)] // one channel: PyTorch's order
    [InlineData(2, 3, 2, 3)] // reordered to [filters, kh, kw, channels]
    [InlineData(4, 5, 1, 1)] // a 1×1 kernel
    public void A_convolution_folds_by_the_formula(int filters, int channels, int kernelHeight, int kernelWidth)
    {
        var random = new Random(filters * 100 + channels);
        int window = kernelHeight * kernelWidth, patch = channels * window, weights = filters * patch;
        float[] weight = Values(random, weights, -1, 1), bias = Values(random, filters, -1, 1);
        float[] gamma = Values(random, filters, 0.5, 1.5), beta = Values(random, filters, -1, 1);
        float[] mean = Values(random, filters, -1, 1), variance = Values(random, filters, 0.1, 2);
        float[] record = new float[weights + 5 * filters], folded = new float[weights + filters];
        BatchNorm.RefreshFoldedConv(weight, bias, gamma, beta, mean, variance, record, folded, filters, channels, kernelHeight, kernelWidth, 1e-3f);

        for (int o = 0; o < filters; o++)
        {
            double scale = gamma[o] / Math.Sqrt(variance[o] + 1e-3);
            for (int c = 0; c < channels; c++)
            {
                for (int t = 0; t < window; t++)
                {
                    double expected = weight[(o * channels + c) * window + t] * scale;
                    Assert.Equal(expected, folded[o * patch + t * channels + c], 6);
                }
            }

            Assert.Equal((bias[o] - mean[o]) * scale + beta[o], folded[weights + o], 6);
        }

        Assert.Equal(weight.Concat(bias).Concat(gamma).Concat(beta).Concat(mean).Concat(variance), record);
    }

    [Fact]
    public void A_refresh_recomputes_only_when_a_value_changed_bit_for_bit()
    {
        var random = new Random(3);
        float[] weight = Values(random, 2 * 4, -1, 1), bias = Values(random, 2, -1, 1), gamma = Values(random, 2, 0.5, 1.5);
        float[] beta = Values(random, 2, -1, 1), mean = Values(random, 2, -1, 1), variance = Values(random, 2, 0.1, 2);
        float[] record = new float[8 + 10], folded = new float[8 + 2];
        void Refresh() => BatchNorm.RefreshFoldedDense(weight, bias, gamma, beta, mean, variance, record, folded, units: 2, inputs: 4, epsilon: 1e-5f);

        Refresh();
        float[] expected = folded.ToArray();
        Array.Fill(folded, 7f);
        Refresh(); // nothing changed: nothing is recomputed
        Assert.All(folded, v => Assert.Equal(7f, v));

        foreach (float[] changed in new[] { weight, bias, gamma, beta, mean, variance })
        {
            changed[1] = changed[1] == 0f ? -0f : -changed[1];
            Array.Fill(folded, 7f);
            Refresh();
            Assert.DoesNotContain(7f, folded);
            changed[1] = changed[1] == 0f ? -0f : -changed[1]; // back as it was, and recomputed
            Refresh();
            Assert.Equal(expected, folded);
        }
    }

    /// <summary>
    /// Two threads refreshing one stale copy at once (as threads sharing a network do on its first call after a change)
    /// leave it right in whatever order their writes land: each value is written from the sources alone.
    /// </summary>
    [Fact]
    public void Threads_refreshing_at_once_leave_the_right_copy()
    {
        const int filters = 128, channels = 64, weights = filters * channels * 9; // long enough for the two to overlap
        var random = new Random(4);
        float[] weight = Values(random, weights, -1, 1), bias = Values(random, filters, -1, 1), gamma = Values(random, filters, 0.5, 1.5);
        float[] beta = Values(random, filters, -1, 1), mean = Values(random, filters, -1, 1), variance = Values(random, filters, 0.1, 2);
        float[] record = new float[weights + 5 * filters], folded = new float[weights + filters];
        void Refresh() => BatchNorm.RefreshFoldedConv(weight, bias, gamma, beta, mean, variance, record, folded, filters, channels, 3, 3, 1e-5f);
        Refresh();
        float[] expected = folded.ToArray();

        using var start = new Barrier(2);
        for (int round = 0; round < 100; round++)
        {
            Array.Clear(record);
            Array.Clear(folded);
            Parallel.Invoke(new ParallelOptions { MaxDegreeOfParallelism = 2 }, () => { start.SignalAndWait(); Refresh(); }, () => { start.SignalAndWait(); Refresh(); });
            Assert.Equal(expected, folded);
        }
    }

    [Fact]
    public void Wrong_lengths_throw()
    {
        float[] two = new float[2], weight = new float[8];
        Assert.Throws<ArgumentException>(() => BatchNorm.RefreshFoldedDense(weight, two, two, two, two, two, new float[18], new float[9], 2, 4, 1e-5f));
        Assert.Throws<ArgumentException>(() => BatchNorm.RefreshFoldedDense(weight, two, two, two, two, two, new float[17], new float[10], 2, 4, 1e-5f));
        Assert.Throws<ArgumentException>(() => BatchNorm.RefreshFoldedDense(weight, two, two, new float[3], two, two, new float[18], new float[10], 2, 4, 1e-5f));
        Assert.Throws<ArgumentException>(() => BatchNorm.RefreshFoldedConv(weight, two, two, two, two, two, new float[18], new float[10], 2, 2, 2, 2, 1e-5f));
    }
}
