using System;
using System.Linq;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// What batch normalisation keeps between steps: running statistics moved as PyTorch moves them, left alone by a batch that
/// cannot estimate a variance, reset by InitializeParameters; and steps that are never split over threads.
/// </summary>
[Collection(SerialCollection.Name)] // one test counts allocations
public sealed class BatchNormalizationTests
{
    private static (ITrainableNetwork Network, CheckBatch Batch) Step(string name, int batchSize, int threads = 1)
    {
        NetworkCase c = NetworkCases.Get(name);
        ITrainableNetwork network = NumericChecks.Prepare(c);
        network.Threads = threads;
        return (network, NumericChecks.MakeBatch(c, batchSize));
    }

    private static float Train(ITrainableNetwork network, CheckBatch batch, int batchSize) =>
        batch.Labels is { } labels
            ? network.ComputeGradients(batch.Inputs, labels, batchSize)
            : network.ComputeGradients(batch.Inputs, batch.Targets, batchSize);

    [Theory]
    [InlineData("BatchNormMlp", 7)]
    [InlineData("BatchNormConv", 7)]
    [InlineData("BatchNormConv", 1)] // one sample still has 20 positions per channel
    [InlineData("BatchNormResidual", 3)]
    [InlineData("BatchNormEnds", 17)]
    public void A_training_step_moves_the_running_statistics_as_pytorch_does(string name, int batchSize)
    {
        (ITrainableNetwork network, CheckBatch batch) = Step(name, batchSize);
        ReferenceNetwork reference = NetworkCases.Get(name).Reference;
        double[] expected = NumericChecks.ToDouble(network.Buffers);
        reference.Forward(NumericChecks.ToDouble(network.Parameters), batch.ReferenceInputs, batchSize, new ReferenceTraining(NumericChecks.Seed), expected);
        Train(network, batch, batchSize);

        float[] actual = network.Buffers.ToArray();
        Assert.Equal(reference.BufferCount, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 2e-6 * (1 + Math.Abs(expected[i])), $"buffer {i}: {actual[i]} against {expected[i]}");
        }

        Assert.All(network.BufferTensors.Where(t => t.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal)),
            t => Assert.Equal(1f, network.Buffers[t.Offset]));
    }

    [Fact]
    public void A_batch_of_one_vector_leaves_the_running_statistics_alone()
    {
        // One value per channel says nothing about the variance (PyTorch refuses such a batch in training).
        (ITrainableNetwork network, CheckBatch batch) = Step("BatchNormMlp", 1);
        float[] before = network.Buffers.ToArray();
        float loss = Train(network, batch, 1);
        Assert.True(float.IsFinite(loss));
        Assert.Equal(before, network.Buffers.ToArray());
        Assert.All(network.Gradients.ToArray(), g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void A_step_is_never_split_so_two_threads_give_the_same_bits_as_one()
    {
        (ITrainableNetwork one, CheckBatch batch) = Step("BatchNormResidual", 64, threads: 1);
        (ITrainableNetwork two, _) = Step("BatchNormResidual", 64, threads: 2);
        Assert.Equal(Train(one, batch, 64), Train(two, batch, 64));
        Shards.AssertRan(1, Shards.Of(two), "BatchNormResidual, batch 64, Threads = 2");
        Assert.Equal(one.Gradients.ToArray(), two.Gradients.ToArray());
        Assert.Equal(one.Buffers.ToArray(), two.Buffers.ToArray());
    }

    [Fact]
    public void InitializeParameters_resets_scales_and_running_statistics()
    {
        (ITrainableNetwork network, CheckBatch batch) = Step("BatchNormConv", 7);
        Train(network, batch, 7);
        network.InitializeParameters(3);
        Assert.Equal([0f, 0f, 0f, 1f, 1f, 1f, 0f], network.Buffers.ToArray()); // running_mean [3], running_var [3], num_batches_tracked
        ParameterTensor scale = network.ParameterTensors.Single(t => t.Name == "bn_0.weight");
        Assert.Equal([1f, 1f, 1f], scale.Slice(network.Parameters).ToArray());
    }

    [Fact]
    public void Forward_reads_the_running_statistics_and_training_steps_do_not_change_how()
    {
        (ITrainableNetwork network, CheckBatch batch) = Step("BatchNormMlp", 7);
        var first = new float[7 * network.OutputSize];
        var second = new float[7 * network.OutputSize];
        network.Forward(batch.Inputs, first, 7);
        network.Forward(batch.Inputs.AsSpan(0, 3 * network.InputSize), second.AsSpan(0, 3 * network.OutputSize), 3);
        Assert.Equal(first.AsSpan(0, 3 * network.OutputSize).ToArray(), second.AsSpan(0, 3 * network.OutputSize).ToArray()); // no batch statistics at inference

        Train(network, batch, 7);
        network.Forward(batch.Inputs, second, 7);
        double[] expected = NetworkCases.Get("BatchNormMlp").Reference.Forward(
            NumericChecks.ToDouble(network.Parameters), batch.ReferenceInputs, 7, NumericChecks.ToDouble(network.Buffers));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(second[i] - expected[i]) <= 2e-6 * (1 + Math.Abs(expected[i])), $"output {i}: {second[i]} against {expected[i]}");
        }
    }

    [Fact]
    public void Training_steps_and_forward_allocate_nothing()
    {
        var network = new BatchNormResidual();
        network.InitializeParameters(1);
        float[] inputs = Enumerable.Range(0, 9 * BatchNormResidual.InputSize).Select(i => MathF.Sin(i)).ToArray();
        float[] targets = new float[9], outputs = new float[9];
        network.ComputeGradients(inputs, targets, 9);
        network.Forward(inputs, outputs, 9);
        long before = GC.GetAllocatedBytesForCurrentThread();
        network.ComputeGradients(inputs, targets, 9);
        network.Forward(inputs, outputs, 9);
        network.Forward(inputs.AsSpan(0, BatchNormResidual.InputSize), outputs.AsSpan(0, 1));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_network_with_batch_normalisation_learns_with_fit()
    {
        var random = new Random(4);
        int[] labels = Enumerable.Range(0, 600).Select(i => i % 3).ToArray();
        // Noisy clusters off the origin, feature j on a scale of j + 1: what normalisation is for.
        float[] features = labels.SelectMany(label => Enumerable.Range(0, 17).Select(j => (j + 1) * (3f + (j == label ? 2f : 0f) + (float)(random.NextDouble() - 0.5)))).ToArray();
        Dataset data = Dataset.Create(features, labels, 17);
        var network = new BatchNormMlp();
        network.InitializeParameters(2);
        History history = network.Fit(data, new Adam(0.01f), epochs: 5, batchSize: 32, verbosity: Verbosity.Silent);
        Evaluation evaluation = network.Evaluate(data);
        Assert.True(evaluation.Accuracy > 0.95, $"accuracy {evaluation.Accuracy}, losses {string.Join(", ", history.Epochs.Select(e => e.Loss))}");
        ParameterTensor mean = network.BufferTensors.Single(t => t.Name == "bn_0.running_mean");
        Assert.Contains(mean.Slice(network.Buffers).ToArray(), m => Math.Abs(m) > 1); // the running statistics followed the data
    }
}
