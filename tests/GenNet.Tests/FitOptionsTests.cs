using System;
using System.Linq;
using Xunit;

namespace GenNet.Tests;

public sealed class FitOptionsTests
{
    private static Dataset Clusters(int count, int seed = 1) => FitTests.Clusters(count, seed);

    private static Classifier NewClassifier() => FitTests.NewClassifier();

    private static int[] Range(int start, int count) => Enumerable.Range(start, count).ToArray();

    // ---- validationSplit ----

    [Theory]
    [InlineData(100, 0.2, 80)]  // ⌊100 · 0.8⌋ = 80 train, 20 held out
    [InlineData(10, 0.25, 7)]   // ⌊10 · 0.75⌋ = 7 train, 3 held out (Keras floors the training part)
    [InlineData(7, 0.5, 3)]     // ⌊3.5⌋ = 3 train, 4 held out
    public void Validation_split_trains_on_the_first_floor_of_n_times_one_minus_split_and_holds_out_the_rest(int count, double split, int trainCount)
    {
        Dataset data = Clusters(count);
        (Dataset train, Dataset validation) = NetworkTraining.SplitOffValidation(data, split);
        Assert.Equal(trainCount, train.Count);
        Assert.Equal(count - trainCount, validation.Count);
        Assert.Equal(data.Labels[..trainCount].ToArray(), train.Labels.ToArray());
        Assert.Equal(data.Labels[trainCount..].ToArray(), validation.Labels.ToArray());
        var first = new float[4];
        var held = new float[4];
        data.CopyFeatures(count - 1, first);
        validation.CopyFeatures(validation.Count - 1, held);
        Assert.Equal(first, held);
    }

    [Fact]
    public void Training_with_a_split_equals_training_on_the_first_part_only_bit_for_bit_and_reports_the_held_out_part()
    {
        Dataset data = Clusters(50);
        Classifier split = NewClassifier();
        History withSplit = split.Fit(data, new Adam(0.01f), epochs: 3, new FitOptions { ValidationSplit = 0.3 }, batchSize: 8, seed: 5, verbosity: Verbosity.Silent);

        Dataset firstPart = data.Subset(Range(0, 35)); // ⌊50 · 0.7⌋ = 35
        Dataset lastPart = data.Subset(Range(35, 15));
        Classifier explicitly = NewClassifier();
        History withValidation = explicitly.Fit(firstPart, new Adam(0.01f), epochs: 3, batchSize: 8, validation: lastPart, seed: 5, verbosity: Verbosity.Silent);

        Assert.Equal(explicitly.Parameters.ToArray(), split.Parameters.ToArray());
        Assert.Equal(3, withSplit.Epochs.Count);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            Assert.NotNull(withSplit.Epochs[epoch].ValidationLoss);
            Assert.Equal(withValidation.Epochs[epoch].Loss, withSplit.Epochs[epoch].Loss);
            Assert.Equal(withValidation.Epochs[epoch].ValidationLoss, withSplit.Epochs[epoch].ValidationLoss);
            Assert.Equal(withValidation.Epochs[epoch].ValidationAccuracy, withSplit.Epochs[epoch].ValidationAccuracy);
        }

        Assert.Equal(split.Evaluate(lastPart).Loss, withSplit.Epochs[2].ValidationLoss!.Value, 12);

        // Trained on everything instead, the parameters differ: the held-out samples would have mattered.
        Classifier all = NewClassifier();
        all.Fit(data, new Adam(0.01f), epochs: 3, batchSize: 8, seed: 5, verbosity: Verbosity.Silent);
        Assert.NotEqual(all.Parameters.ToArray(), split.Parameters.ToArray());
    }

    [Fact]
    public void Validation_split_refuses_an_explicit_validation_set_and_splits_outside_zero_to_one()
    {
        Dataset data = Clusters(30);
        var both = Assert.Throws<ArgumentException>(() =>
            NewClassifier().Fit(data, new Adam(), epochs: 1, new FitOptions { ValidationSplit = 0.2 }, validation: Clusters(6), verbosity: Verbosity.Silent));
        Assert.Contains("ValidationSplit", both.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FitOptions { ValidationSplit = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FitOptions { ValidationSplit = -0.1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FitOptions { ValidationSplit = double.NaN });
        var empty = Assert.Throws<ArgumentException>(() =>
            NewClassifier().Fit(data, new Adam(), epochs: 1, new FitOptions { ValidationSplit = 0.99 }, verbosity: Verbosity.Silent));
        Assert.Contains("no training", empty.Message); // ⌊30 · 0.01⌋ = 0
    }

    // ---- classWeight ----

    private static (float[] Inputs, int[] Labels) Batch(Dataset data, int count)
    {
        var inputs = new float[count * 4];
        for (int i = 0; i < count; i++)
        {
            data.CopyFeatures(i, inputs.AsSpan(i * 4, 4));
        }

        return (inputs, data.Labels[..count].ToArray());
    }

    [Fact]
    public void Class_weights_give_the_hand_computed_weighted_mean_of_per_sample_losses_and_gradients()
    {
        (float[] inputs, int[] labels) = Batch(Clusters(9), 9);
        float[] weights = [0.5f, 2f, 1.25f];
        Classifier network = NewClassifier();

        // By hand: each sample alone gives its own loss and gradient; weight them and divide by the batch size.
        var expectedGradients = new double[network.Parameters.Length];
        double expectedLoss = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            float sampleLoss = network.ComputeGradients(inputs.AsSpan(i * 4, 4), labels.AsSpan(i, 1), 1);
            float weight = weights[labels[i]];
            expectedLoss += weight * sampleLoss / labels.Length;
            for (int j = 0; j < expectedGradients.Length; j++)
            {
                expectedGradients[j] += weight * network.Gradients[j] / labels.Length;
            }
        }

        network.ClassWeights = weights;
        float loss = network.ComputeGradients(inputs, labels, labels.Length);
        Assert.Equal(expectedLoss, loss, 5e-6);
        for (int j = 0; j < expectedGradients.Length; j++)
        {
            Assert.Equal(expectedGradients[j], network.Gradients[j], 1e-6);
        }

        // A weight of 0 removes that class's samples: what remains is 2/3 of the gradient of a batch without them.
        network.ClassWeights = [1f, 0f, 1f];
        network.ComputeGradients(inputs, labels, labels.Length);
        float[] withoutClass1 = network.Gradients.ToArray();
        int[] kept = Enumerable.Range(0, 9).Where(i => labels[i] != 1).ToArray();
        float[] keptInputs = kept.SelectMany(i => inputs.Skip(i * 4).Take(4)).ToArray();
        network.ClassWeights = null;
        network.ComputeGradients(keptInputs, kept.Select(i => labels[i]).ToArray(), kept.Length);
        for (int j = 0; j < withoutClass1.Length; j++)
        {
            Assert.Equal(network.Gradients[j] * kept.Length / 9.0, withoutClass1[j], 1e-6);
        }
    }

    [Fact]
    public void Class_weights_of_one_reproduce_the_unweighted_gradients_bit_for_bit_and_fit_the_same_parameters()
    {
        (float[] inputs, int[] labels) = Batch(Clusters(12), 12);
        Classifier network = NewClassifier();
        float unweightedLoss = network.ComputeGradients(inputs, labels, 12);
        float[] unweighted = network.Gradients.ToArray();
        network.ClassWeights = [1f, 1f, 1f];
        float weightedLoss = network.ComputeGradients(inputs, labels, 12);
        Assert.Equal(unweighted, network.Gradients.ToArray());
        Assert.Equal(unweightedLoss, weightedLoss, 1e-6f); // summed per sample instead of over the batch: equal up to rounding

        Dataset data = Clusters(40);
        Classifier plain = NewClassifier();
        plain.Fit(data, new Adam(0.01f), epochs: 2, batchSize: 8, seed: 2, verbosity: Verbosity.Silent);
        Classifier ones = NewClassifier();
        ones.Fit(data, new Adam(0.01f), epochs: 2, new FitOptions { ClassWeight = [1f, 1f, 1f] }, batchSize: 8, seed: 2, verbosity: Verbosity.Silent);
        Assert.Equal(plain.Parameters.ToArray(), ones.Parameters.ToArray());
        Assert.Null(ones.ClassWeights); // Fit's weights do not outlive the call

        Classifier weighted = NewClassifier();
        weighted.Fit(data, new Adam(0.01f), epochs: 2, new FitOptions { ClassWeight = [1f, 3f, 0.5f] }, batchSize: 8, seed: 2, verbosity: Verbosity.Silent);
        Assert.NotEqual(plain.Parameters.ToArray(), weighted.Parameters.ToArray());
    }

    [Fact]
    public void Class_weights_agree_between_a_serial_and_a_two_thread_step()
    {
        (float[] inputs, int[] labels) = Batch(Clusters(11), 11);
        float[] weights = [0.25f, 3f, 1f];
        Classifier serial = NewClassifier();
        serial.Threads = 1;
        serial.ClassWeights = weights;
        float serialLoss = serial.ComputeGradients(inputs, labels, 11);
        Classifier sharded = NewClassifier();
        sharded.Threads = 2;
        sharded.ClassWeights = weights;
        float shardedLoss = sharded.ComputeGradients(inputs, labels, 11);
        Assert.Equal(2, Shards.Of(sharded));
        Assert.Equal(serialLoss, shardedLoss, 1e-6f);
        for (int j = 0; j < serial.Gradients.Length; j++)
        {
            Assert.Equal(serial.Gradients[j], sharded.Gradients[j], 1e-6f);
        }

        // Unweighted, the same two-thread step differs: the weights were applied in both shards.
        sharded.ClassWeights = null;
        sharded.ComputeGradients(inputs, labels, 11);
        float[] serialGradients = serial.Gradients.ToArray();
        float[] unweighted = sharded.Gradients.ToArray();
        Assert.Contains(Enumerable.Range(0, unweighted.Length), j => Math.Abs(unweighted[j] - serialGradients[j]) > 1e-3f);
    }

    [Fact]
    public void Class_weights_refuse_targets_a_wrong_count_and_negative_nan_or_infinite_weights()
    {
        Dataset data = Clusters(12);
        ArgumentException Refused(float[] weights, Dataset? train = null) => Assert.Throws<ArgumentException>(() =>
            NewClassifier().Fit(train ?? data, new Adam(), epochs: 1, new FitOptions { ClassWeight = weights }, verbosity: Verbosity.Silent));
        Assert.Contains("3 classes", Refused([1f, 1f]).Message);
        Assert.Contains("ClassWeight[1]", Refused([1f, -1f, 1f]).Message);
        Assert.Contains("ClassWeight[2]", Refused([1f, 1f, float.NaN]).Message);
        Assert.Contains("ClassWeight[0]", Refused([float.PositiveInfinity, 1f, 1f]).Message);
        Dataset targets = Dataset.Create(new float[12 * 4], new float[12 * 3], 4);
        Assert.Contains("targets", Refused([1f, 1f, 1f], targets).Message);
    }

    [Fact]
    public void A_weighted_step_allocates_nothing()
    {
        (float[] inputs, int[] labels) = Batch(Clusters(16), 16);
        foreach (int threads in new[] { 1, 2 })
        {
            Classifier network = NewClassifier();
            network.Threads = threads;
            network.ClassWeights = [0.5f, 2f, 1f];
            network.ComputeGradients(inputs, labels, 16); // warm-up: arenas and workers
            Assert.Equal(0, AllocationTests.Allocated(() => network.ComputeGradients(inputs, labels, 16)));
        }
    }
}
