using System;
using System.Linq;
using Xunit;

namespace GenNet.Tests;

/// <summary>A residual classifier: the second layer's output is added to the first's before the softmax.</summary>
[Network]
[Input(4)]
[Dense(16, Activation.ReLU, Name = "h")]
[Dense(16, Activation.ReLU)]
[Add("h")]
[Dense(3, Activation.Softmax)]
public partial class ResidualClassifier;

/// <summary>Two inputs, one branch each, concatenated and classified: the class needs both inputs.</summary>
[Network]
[Input(4, Name = "a")]
[Input(3, Name = "b")]
[Dense(8, Activation.Tanh, From = "a", Name = "left")]
[Dense(8, Activation.Tanh, From = "b")]
[Concatenate("left")]
[Dense(16, Activation.ReLU)]
[Dense(3, Activation.Softmax)]
public partial class TwoInputClassifier;

[Collection(SerialCollection.Name)] // one test counts allocations
public sealed class GraphTrainingTests
{
    /// <summary>Three noisy clusters in 4-D, one per class.</summary>
    private static Dataset Clusters(int count, int seed)
    {
        var random = new Random(seed);
        int[] labels = Enumerable.Range(0, count).Select(i => i % 3).ToArray();
        float[] features = labels.SelectMany(label => Enumerable.Range(0, 4).Select(j => (j == label ? 2f : 0f) + (float)(random.NextDouble() - 0.5))).ToArray();
        return Dataset.Create(features, labels, 4);
    }

    /// <summary>
    /// Samples packed as [a (4) | b (3)]: <c>a</c> is noisy cluster <c>i</c>, <c>b</c> noisy cluster <c>j</c>, and the
    /// class is (i + j) mod 3, so each input alone says nothing about it (a third of the classes either way).
    /// </summary>
    private static (Dataset Data, float[] A, float[] B) PairedClusters(int count, int seed)
    {
        var random = new Random(seed);
        float Noise() => (float)(random.NextDouble() - 0.5) * 0.6f;
        float[] a = new float[count * 4], b = new float[count * 3], packed = new float[count * 7];
        int[] labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            int i = random.Next(3), j = random.Next(3);
            labels[n] = (i + j) % 3;
            for (int k = 0; k < 4; k++)
            {
                a[n * 4 + k] = (k == i ? 1.5f : 0f) + Noise();
            }

            for (int k = 0; k < 3; k++)
            {
                b[n * 3 + k] = (k == j ? 1.5f : 0f) + Noise();
            }

            a.AsSpan(n * 4, 4).CopyTo(packed.AsSpan(n * 7));
            b.AsSpan(n * 3, 3).CopyTo(packed.AsSpan(n * 7 + 4));
        }

        return (Dataset.Create(packed, labels, 7), a, b);
    }

    [Fact]
    public void A_residual_network_trains_with_fit()
    {
        var network = new ResidualClassifier();
        network.InitializeParameters(5);
        double before = network.Evaluate(Clusters(90, seed: 2)).Loss;
        History history = network.Fit(Clusters(600, seed: 1), new Adam(0.01f), epochs: 5, batchSize: 16, validation: Clusters(90, seed: 2), verbosity: Verbosity.Silent);
        Assert.True(history.Epochs[^1].ValidationLoss < before / 4, $"validation loss {before} → {history.Epochs[^1].ValidationLoss}");
        Assert.True(history.Epochs[^1].ValidationAccuracy > 0.95, $"validation accuracy {history.Epochs[^1].ValidationAccuracy}");
    }

    [Fact]
    public void A_two_input_network_trains_with_fit_and_uses_both_inputs()
    {
        var network = new TwoInputClassifier();
        network.InitializeParameters(5);
        History history = network.Fit(PairedClusters(3000, seed: 1).Data, new Adam(0.01f), epochs: 10, batchSize: 32, verbosity: Verbosity.Silent);
        Evaluation test = network.Evaluate(PairedClusters(300, seed: 2).Data);
        Assert.True(test.Accuracy > 0.9, $"test accuracy {test.Accuracy} (one input alone gives about 1/3); training loss by epoch {string.Join(", ", history.Epochs.Select(e => e.Loss))}");
    }

    [Fact]
    public void The_per_input_overloads_equal_the_packed_rows()
    {
        var (data, a, b) = PairedClusters(7, seed: 3);
        float[] packed = Enumerable.Range(0, 7).SelectMany(i => { var row = new float[7]; data.CopyFeatures(i, row); return row; }).ToArray();
        int[] labels = data.Labels.ToArray();

        var network = new TwoInputClassifier();
        network.InitializeParameters(11);
        float[] expected = new float[7 * 3], actual = new float[7 * 3];
        network.Forward(packed, expected, 7);
        network.Forward(a, b, actual, 7);
        Assert.Equal(expected, actual);

        network.Forward(packed.AsSpan(14, 7), expected.AsSpan(0, 3));
        network.Forward(a.AsSpan(8, 4), b.AsSpan(6, 3), actual.AsSpan(0, 3));
        Assert.Equal(expected, actual);

        float packedLoss = network.ComputeGradients(packed, labels, 7);
        float[] packedGradients = network.Gradients.ToArray();
        float splitLoss = network.ComputeGradients(a, b, labels, 7);
        Assert.Equal(packedLoss, splitLoss);
        Assert.Equal(packedGradients, network.Gradients.ToArray());

        float[] targets = labels.SelectMany(label => Enumerable.Range(0, 3).Select(k => k == label ? 1f : 0f)).ToArray();
        packedLoss = network.ComputeGradients(packed, targets, 7);
        packedGradients = network.Gradients.ToArray();
        Assert.Equal(packedLoss, network.ComputeGradients(a, b, targets, 7));
        Assert.Equal(packedGradients, network.Gradients.ToArray());
    }

    [Fact]
    public void The_per_input_overloads_check_each_input_and_allocate_nothing()
    {
        var network = new TwoInputClassifier();
        network.InitializeParameters(11);
        float[] a = new float[5 * 4], b = new float[5 * 3], outputs = new float[5 * 3];
        int[] labels = new int[5];

        var error = Assert.Throws<ArgumentException>(() => network.Forward(a, b.AsSpan(0, 14), outputs, 5));
        Assert.Contains("b", error.Message);
        Assert.Throws<ArgumentException>(() => network.Forward(a.AsSpan(0, 3), b.AsSpan(0, 3), outputs.AsSpan(0, 3)));

        network.Forward(a, b, outputs, 5);
        network.ComputeGradients(a, b, labels, 5);
        long before = GC.GetAllocatedBytesForCurrentThread();
        network.Forward(a, b, outputs, 5);
        network.ComputeGradients(a, b, labels, 5);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
