using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using GenNet.Tests.Data;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

[Network]
[Input(4)]
[Dense(8, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class Classifier;

[Collection(SerialCollection.Name)] // counts allocations of training steps, which a contended worker-pool wait can make
public sealed class FitTests
{
    /// <summary>Three clusters in 4-D, one per class: easy to learn, with a known answer.</summary>
    internal static Dataset Clusters(int count, int seed = 1)
    {
        var random = new Random(seed);
        int[] labels = Enumerable.Range(0, count).Select(i => i % 3).ToArray();
        float[] features = labels.SelectMany(label => Enumerable.Range(0, 4).Select(j => (j == label ? 2f : 0f) + (float)(random.NextDouble() - 0.5))).ToArray();
        return Dataset.Create(features, labels, 4);
    }

    internal static Classifier NewClassifier()
    {
        var network = new Classifier();
        network.InitializeParameters(3);
        return network;
    }

    [Fact]
    public void Fit_learns_and_reports_every_epoch()
    {
        Classifier network = NewClassifier();
        History history = network.Fit(Clusters(300), new Adam(0.01f), epochs: 4, batchSize: 16, validation: Clusters(60, seed: 2), verbosity: Verbosity.Silent);
        Assert.Equal([1, 2, 3, 4], history.Epochs.Select(e => e.Epoch));
        Assert.True(history.Epochs[^1].Loss < history.Epochs[0].Loss);
        Assert.True(history.Epochs[^1].Accuracy > 0.95);
        Assert.True(history.Epochs[^1].ValidationAccuracy > 0.95);
        Assert.All(history.Epochs, e => Assert.True(e.Seconds >= 0));
        Evaluation evaluation = network.Evaluate(Clusters(60, seed: 2));
        Assert.Equal(history.Epochs[^1].ValidationLoss!.Value, evaluation.Loss, 6);
        Assert.False(history.Cancelled);
    }

    [Fact]
    public void Fit_trains_on_the_last_partial_batch_exactly_like_a_manual_loop()
    {
        Dataset data = Clusters(35);
        Classifier fitted = NewClassifier();
        fitted.Fit(data, new Sgd(0.1f), epochs: 2, batchSize: 16, seed: 9, verbosity: Verbosity.Silent);

        Classifier manual = NewClassifier();
        var sgd = new Sgd(0.1f);
        var batches = new BatchIterator(data, 16, shuffle: true, seed: 9);
        int steps = 0;
        for (int epoch = 0; epoch < 2; epoch++)
        {
            batches.BeginEpoch(epoch);
            while (batches.MoveNext())
            {
                manual.ComputeGradients(batches.Inputs, batches.Labels, batches.Size);
                sgd.Step(manual.Parameters, manual.Gradients);
                steps++;
            }
        }

        Assert.Equal(6, steps); // 16 + 16 + 3, twice
        Assert.Equal(manual.Parameters.ToArray(), fitted.Parameters.ToArray());
    }

    [Fact]
    public void A_nan_loss_stops_training_naming_epoch_and_batch()
    {
        Dataset clean = Clusters(64);
        float[] features = Enumerable.Range(0, clean.Count).SelectMany(i => { var f = new float[4]; clean.CopyFeatures(i, f); return f; }).ToArray();
        features[40 * 4 + 2] = float.NaN; // sample 40: the third batch of 16 without shuffling
        Dataset poisoned = Dataset.Create(features, clean.Labels.ToArray(), 4);
        var error = Assert.Throws<TrainingDivergedException>(() =>
            NewClassifier().Fit(poisoned, new Adam(), epochs: 2, batchSize: 16, shuffle: false, verbosity: Verbosity.Silent));
        Assert.Equal(1, error.Epoch);
        Assert.Equal(3, error.Batch);
        Assert.Contains("at epoch 1, batch 3 (samples 32–47", error.Message);
    }

    [Fact]
    public void A_parameter_that_overflows_stops_training_though_the_loss_was_finite()
    {
        // A linear regression on values around 100: the first step's gradients are in the thousands, so at a learning rate
        // of float.MaxValue its update sends the weights to ±∞, while its loss (computed before the update) is finite.
        var random = new Random(2);
        float[] features = Enumerable.Range(0, 64 * 3).Select(_ => 100 + (float)random.NextDouble()).ToArray();
        float[] targets = features.Select(v => -v).ToArray();
        Dataset data = Dataset.Create(features, targets, 3);
        ITrainableNetwork Fresh()
        {
            var network = new LinearMse3();
            network.InitializeParameters(1);
            return network;
        }

        var error = Assert.Throws<TrainingDivergedException>(() =>
            Fresh().Fit(data, new Sgd(float.MaxValue), epochs: 1, batchSize: 16, verbosity: Verbosity.Silent));
        Assert.Equal((1, 1), (error.Epoch, error.Batch));
        Assert.True(float.IsFinite(error.Loss), $"loss {error.Loss}");
        Assert.StartsWith("A parameter became ", error.Message);
        Assert.Contains($"in the optimizer's step (loss {error.Loss}) at epoch 1, batch 1 (samples 0–15 of the shuffled epoch)", error.Message);

        var unshuffled = Assert.Throws<TrainingDivergedException>(() =>
            Fresh().Fit(data, new Sgd(float.MaxValue), epochs: 1, batchSize: 16, shuffle: false, verbosity: Verbosity.Silent));
        Assert.Contains("(samples 0–15 of the epoch)", unshuffled.Message);
    }

    [Fact]
    public void Cancellation_stops_after_the_current_batch_and_returns_the_history_so_far()
    {
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(report =>
        {
            if (report.Epoch == 2)
            {
                cancellation.Cancel();
            }
        });
        History history = NewClassifier().Fit(Clusters(100), new Adam(), epochs: 10, verbosity: Verbosity.Silent, progress: progress, cancellationToken: cancellation.Token);
        Assert.Equal(2, history.Epochs.Count);
        Assert.True(history.Cancelled);

        Classifier network = NewClassifier();
        float[] before = network.Parameters.ToArray();
        History none = network.Fit(Clusters(100), new Sgd(0.1f), epochs: 3, batchSize: 10, verbosity: Verbosity.Silent, cancellationToken: new CancellationToken(canceled: true));
        Assert.Empty(none.Epochs);
        Assert.True(none.Cancelled);
        Assert.Equal(before, network.Parameters.ToArray()); // cancelled before it began: not one batch trained
    }

    [Fact]
    public void A_training_epoch_allocates_nothing_per_batch()
    {
        Classifier network = NewClassifier();
        var adam = new Adam();
        var batches = new BatchIterator(Clusters(320), 16, seed: 1);
        batches.BeginEpoch(0);
        NetworkTraining.TrainEpoch(network, adam, batches, 1, null, CancellationToken.None);

        long before = GC.GetAllocatedBytesForCurrentThread();
        batches.BeginEpoch(1);
        var totals = NetworkTraining.TrainEpoch(network, adam, batches, 2, null, CancellationToken.None);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(320, totals.Samples);
    }

    [Fact]
    public void Console_output_is_keras_style_lines_or_a_bar()
    {
        var lines = new StringWriter();
        NetworkTraining.Fit(NewClassifier(), Clusters(90), new Adam(), 2, 32, Clusters(30, 2), true, 0, new ConsoleProgress(lines, bar: false), null, CancellationToken.None);
        string[] output = lines.ToString().TrimEnd().Split('\n');
        Assert.Equal(2, output.Length);
        Assert.Matches(@"^Epoch 1/2 - \d+\.\ds - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$", output[0]);

        var bar = new StringWriter();
        NetworkTraining.Fit(NewClassifier(), Clusters(90), new Adam(), 1, 32, null, true, 0, new ConsoleProgress(bar, bar: true), null, CancellationToken.None);
        Assert.StartsWith("Epoch 1/1\n", bar.ToString().Replace("\r\n", "\n"));
        Assert.Contains("\r3/3 [==============================] - ", bar.ToString());
    }

    [Fact]
    public void History_saves_as_csv()
    {
        History history = NewClassifier().Fit(Clusters(60), new Adam(), epochs: 2, verbosity: Verbosity.Silent);
        using var directory = new TempDirectory();
        string path = directory.File("history.csv");
        history.SaveCsv(path);
        string[] rows = File.ReadAllLines(path);
        Assert.Equal("epoch,loss,accuracy,val_loss,val_accuracy,seconds", rows[0]);
        Assert.Equal(3, rows.Length);
        string[] cells = rows[1].Split(',');
        Assert.Equal("1", cells[0]);
        Assert.Equal(history.Epochs[0].Loss, double.Parse(cells[1], CultureInfo.InvariantCulture));
        Assert.Equal("", cells[3]); // no validation set
    }

    [Fact]
    public void Mismatched_data_is_rejected_before_training()
    {
        var wrongWidth = Dataset.Create(new float[10], [0, 1], 5);
        Assert.Contains("takes 4 input floats per sample, but the train samples have shape [5] = 5",
            Assert.Throws<ArgumentException>(() => NewClassifier().Fit(wrongWidth, new Adam(), 1, verbosity: Verbosity.Silent)).Message);
        var tooManyClasses = Dataset.Create(new float[8], [0, 5], 4);
        Assert.Contains("labels go up to 5, but Classifier has 3 outputs",
            Assert.Throws<ArgumentException>(() => NewClassifier().Fit(tooManyClasses, new Adam(), 1, verbosity: Verbosity.Silent)).Message);
        var wrongTargets = Dataset.Create(new float[8], new float[4], 4);
        Assert.Contains("2 targets each, but Classifier has 3 outputs",
            Assert.Throws<ArgumentException>(() => NewClassifier().Evaluate(wrongTargets)).Message);
    }

    [Theory]
    [MemberData(nameof(NetworkCases.Names), MemberType = typeof(NetworkCases))]
    public void Evaluate_computes_the_same_loss_as_a_training_step(string name)
    {
        NetworkCase c = NetworkCases.Get(name);
        ITrainableNetwork network = NumericChecks.Prepare(c);
        CheckBatch batch = NumericChecks.MakeBatch(c, 9);
        Dataset data = batch.Labels is { } labels
            ? Dataset.Create(batch.Inputs, labels, network.InputSize)
            : Dataset.Create(batch.Inputs, batch.Targets!, network.InputSize);
        double[] buffers = NumericChecks.ToDouble(network.Buffers); // before the training step moves the running statistics
        Evaluation evaluation = network.Evaluate(data, batchSize: 4); // batches 4 + 4 + 1
        float loss = batch.Labels is { } l
            ? network.ComputeGradients(batch.Inputs, l, 9)
            : network.ComputeGradients(batch.Inputs, batch.Targets, 9);
        if (c.Reference.Layers.Any(l => l is ReferenceDropout { Rate: > 0 } or ReferenceBatchNormalization))
        {
            // Dropout and batch normalisation act differently in training steps: Evaluate reads the network as Forward does
            // (no dropout, running statistics), so it matches the reference in inference mode, and not the training step.
            double expected = c.Reference.LossValue(NumericChecks.ToDouble(network.Parameters), batch.ReferenceInputs, batch.ReferenceTargets, 9, null, buffers);
            Assert.Equal(expected, evaluation.Loss, 4);
            Assert.NotEqual(loss, evaluation.Loss, 4);
        }
        else
        {
            Assert.Equal(loss, evaluation.Loss, 5);
        }

        Assert.Equal(c.Reference.Loss == Loss.MeanSquaredError && batch.Labels is null, evaluation.Accuracy is null);
    }

    [Fact]
    public void Predict_and_predict_class()
    {
        Classifier network = NewClassifier();
        network.Fit(Clusters(300), new Adam(0.01f), epochs: 3, verbosity: Verbosity.Silent);
        Assert.Equal(1, network.PredictClass([0f, 2f, 0f, 0f]));
        float[] probabilities = network.Predict([2f, 0f, 0f, 0f]);
        Assert.Equal(1f, probabilities.Sum(), 5);
        Assert.Equal(0, Array.IndexOf(probabilities, probabilities.Max()));
        Dataset data = Clusters(10);
        float[] all = network.Predict(data, batchSize: 4);
        Assert.Equal(30, all.Length);
        var single = new float[4];
        data.CopyFeatures(9, single);
        Assert.Equal(network.Predict(single), all[27..]);
    }

    private sealed class SynchronousProgress(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
