using System;
using System.IO;
using System.Linq;
using GenNet.Tests.Data;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

public sealed class CallbackTests
{
    // ---- Scripted epochs: the callbacks' rules without training ----

    private static EpochReport Report(int epoch, double loss, double? accuracy = null, double? valLoss = null, double? valAccuracy = null) =>
        new(epoch, 100, loss, accuracy, valLoss, valAccuracy, Seconds: 0);

    /// <summary>Feeds one loss per epoch; returns the epoch (from 1) whose OnEpochEnd asked to stop, or 0.</summary>
    private static int StopEpoch(Callback callback, params double[] losses)
    {
        callback.OnTrainBegin(new Classifier(), new Sgd(), hasValidation: false);
        for (int i = 0; i < losses.Length; i++)
        {
            if (callback.OnEpochEnd(Report(i + 1, losses[i])))
            {
                return i + 1;
            }
        }

        return 0;
    }

    [Fact]
    public void Early_stopping_with_patience_0_stops_at_the_first_epoch_that_does_not_improve()
    {
        Assert.Equal(3, StopEpoch(new EarlyStopping("loss"), 1.0, 0.9, 0.95, 0.5));
        Assert.Equal(0, StopEpoch(new EarlyStopping("loss"), 1.0, 0.9, 0.8, 0.7));
        Assert.Equal(0, StopEpoch(new EarlyStopping("loss"), 1.0)); // the first epoch never stops training
    }

    [Fact]
    public void Early_stopping_counts_patience_epochs_in_a_row_and_an_improvement_resets_the_count()
    {
        var stopping = new EarlyStopping("loss", patience: 2);
        // 1.1 waits 1; 0.9 improves and resets the count (without it, epoch 3 would stop); 0.95 and 0.91 wait 1 and 2.
        Assert.Equal(5, StopEpoch(stopping, 1.0, 1.1, 0.9, 0.95, 0.91, 0.1));
        Assert.Equal(0.9, stopping.Best);
        Assert.Equal(3, stopping.BestEpoch);
        Assert.Equal(5, stopping.StoppedEpoch);
    }

    [Fact]
    public void Early_stopping_needs_an_improvement_larger_than_min_delta()
    {
        // 0.95 and 0.92 improve on 1.0 by less than 0.1; 0.85 beats it by more (exactly 0.1 would not).
        Assert.Equal(3, StopEpoch(new EarlyStopping("loss", patience: 2, minDelta: 0.1), 1.0, 0.95, 0.92, 0.85));
        Assert.Equal(0, StopEpoch(new EarlyStopping("loss", patience: 2, minDelta: 0.1), 1.0, 0.95, 0.85, 0.7));
        Assert.Equal(2, StopEpoch(new EarlyStopping("loss", patience: 1, minDelta: 0.25), 1.0, 0.75)); // equal to minDelta: no improvement
    }

    [Fact]
    public void Auto_mode_maximises_an_accuracy_and_min_or_max_override_it()
    {
        int Run(EarlyStopping stopping, params double[] accuracies)
        {
            stopping.OnTrainBegin(new Classifier(), new Sgd(), hasValidation: true);
            for (int i = 0; i < accuracies.Length; i++)
            {
                if (stopping.OnEpochEnd(Report(i + 1, loss: 1, valLoss: 1, valAccuracy: accuracies[i])))
                {
                    return i + 1;
                }
            }

            return 0;
        }

        Assert.Equal(3, Run(new EarlyStopping("val_accuracy"), 0.5, 0.6, 0.55));
        Assert.Equal(2, Run(new EarlyStopping("val_accuracy", mode: MonitorMode.Min), 0.5, 0.6, 0.4));
        Assert.Equal(2, StopEpoch(new EarlyStopping("loss", mode: MonitorMode.Max), 1.0, 0.5));
        Assert.Equal(0, StopEpoch(new EarlyStopping("loss", mode: MonitorMode.Max), 1.0, 1.5, 2.0));
    }

    [Fact]
    public void Callbacks_refuse_unknown_monitors_missing_values_and_bad_arguments()
    {
        Assert.Contains("val_acc", Assert.Throws<ArgumentException>(() => new EarlyStopping("val_acc")).Message);
        Assert.Throws<ArgumentException>(() => new ModelCheckpoint("x.safetensors", monitor: "mse"));
        Assert.Throws<ArgumentException>(() => new ReduceLROnPlateau("acc"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping("loss", patience: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping("loss", minDelta: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(factor: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(factor: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(cooldown: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(minLearningRate: double.NaN));
        Assert.Throws<ArgumentException>(() => new ModelCheckpoint(" "));

        var noValidation = Assert.Throws<InvalidOperationException>(() => new EarlyStopping().OnTrainBegin(new Classifier(), new Sgd(), hasValidation: false));
        Assert.Contains("'val_loss'", noValidation.Message);
        Assert.Throws<InvalidOperationException>(() => new ReduceLROnPlateau("val_accuracy").OnTrainBegin(new Classifier(), new Sgd(), hasValidation: false));
        Assert.Throws<InvalidOperationException>(() => new ModelCheckpoint("x", saveBestOnly: true).OnTrainBegin(new Classifier(), new Sgd(), hasValidation: false));

        var accuracy = new EarlyStopping("accuracy"); // a regression network reports no accuracy
        accuracy.OnTrainBegin(new Classifier(), new Sgd(), hasValidation: false);
        Assert.Contains("no accuracy", Assert.Throws<InvalidOperationException>(() => accuracy.OnEpochEnd(Report(1, loss: 1))).Message);
    }

    [Fact]
    public void Reduce_lr_on_plateau_follows_keras_patience_and_cooldown()
    {
        var sgd = new Sgd(1f);
        var plateau = new ReduceLROnPlateau("loss", factor: 0.5, patience: 1, minDelta: 0, cooldown: 2);
        plateau.OnTrainBegin(new Classifier(), sgd, hasValidation: false);
        var rates = new float[7];
        for (int epoch = 1; epoch <= 7; epoch++)
        {
            plateau.OnEpochEnd(Report(epoch, loss: 1.0));
            rates[epoch - 1] = sgd.LearningRate;
        }

        // 1 improves; 2 reduces and starts a 2-epoch cooldown; 3 cools; 4 ends the cooldown and counts again; …
        Assert.Equal([1f, 0.5f, 0.5f, 0.25f, 0.25f, 0.125f, 0.125f], rates);
        Assert.Equal(3, plateau.Reductions);
    }

    [Fact]
    public void Reduce_lr_on_plateau_stops_at_the_minimum_rate_and_an_improvement_resets_the_wait()
    {
        var sgd = new Sgd(1f);
        var plateau = new ReduceLROnPlateau("loss", factor: 0.1, patience: 2, minDelta: 0.01, minLearningRate: 0.05);
        plateau.OnTrainBegin(new Classifier(), sgd, hasValidation: false);
        double[] losses = [1.0, 0.995, 0.9, 0.899, 0.898, 0.897, 0.896, 0.895, 0.894];
        var rates = losses.Select((loss, i) => { plateau.OnEpochEnd(Report(i + 1, loss)); return sgd.LearningRate; }).ToArray();
        // 0.995 is within minDelta of 1.0 (wait 1); 0.9 improves (wait 0); 0.899, 0.898 → 0.1; two more → max(0.01, 0.05).
        Assert.Equal([1f, 1f, 1f, 1f, 0.1f, 0.1f, 0.05f, 0.05f, 0.05f], rates);
        Assert.Equal(2, plateau.Reductions);
    }

    [Fact]
    public void Reduce_lr_on_plateau_refuses_an_optimizer_with_a_schedule()
    {
        var sgd = new Sgd(0.1f) { Schedule = new ExponentialDecay(0.1f, decaySteps: 10, decayRate: 0.5f) };
        var refused = Assert.Throws<InvalidOperationException>(() => new ReduceLROnPlateau("loss").OnTrainBegin(new Classifier(), sgd, hasValidation: false));
        Assert.Contains("Schedule", refused.Message);
    }

    [Fact]
    public void Model_checkpoint_saves_every_epoch_or_only_improving_ones_with_the_epoch_in_the_path()
    {
        using var directory = new TempDirectory();
        var network = new Classifier();
        network.InitializeParameters(1);

        var best = new ModelCheckpoint(directory.File("best-{epoch}.safetensors"), saveBestOnly: true);
        best.OnTrainBegin(network, new Sgd(), hasValidation: true);
        double[] validationLosses = [1.0, 2.0, 0.5, 0.5];
        for (int i = 0; i < validationLosses.Length; i++)
        {
            Assert.False(best.OnEpochEnd(Report(i + 1, loss: 1, valLoss: validationLosses[i])));
        }

        Assert.Equal(["best-1.safetensors", "best-3.safetensors"], Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order());
        Assert.Equal(directory.File("best-3.safetensors"), best.LastSavedPath);

        var every = new ModelCheckpoint(directory.File("last.safetensors"));
        every.OnTrainBegin(network, new Sgd(), hasValidation: false); // saving every epoch monitors nothing: no validation needed
        every.OnEpochEnd(Report(1, loss: 1));
        network.InitializeParameters(2);
        float[] second = network.Parameters.ToArray();
        every.OnEpochEnd(Report(2, loss: 2));

        var loaded = new Classifier();
        loaded.Load(directory.File("last.safetensors"));
        Assert.Equal(second, loaded.Parameters.ToArray());
    }

    // ---- Real training runs ----

    /// <summary>17 features, three classes for <see cref="BatchNormMlp"/>.</summary>
    private static Dataset Blobs(int count, int seed)
    {
        var random = new Random(seed);
        int[] labels = Enumerable.Range(0, count).Select(i => i % 3).ToArray();
        float[] features = labels.SelectMany(label => Enumerable.Range(0, 17).Select(j => (j % 3 == label ? 1.5f : 0f) + (float)random.NextDouble() - 0.5f)).ToArray();
        return Dataset.Create(features, labels, 17);
    }

    private static BatchNormMlp NewBatchNormMlp()
    {
        var network = new BatchNormMlp();
        network.InitializeParameters(5);
        return network;
    }

    [Fact]
    public void Fit_stops_early_and_restores_the_best_epochs_parameters_and_buffers_bit_identically()
    {
        Dataset train = Blobs(96, 1);

        // A minDelta no epoch can beat: only the first epoch is ever an improvement, so training stops after epoch 3
        // and the weights of epoch 1 come back, running statistics included.
        var stopping = new EarlyStopping("loss", patience: 2, minDelta: 1e9, restoreBestWeights: true);
        BatchNormMlp stopped = NewBatchNormMlp();
        History history = stopped.Fit(train, new Adam(0.01f), epochs: 10, [stopping], batchSize: 16, seed: 4, verbosity: Verbosity.Silent);

        Assert.Equal(3, history.Epochs.Count);
        Assert.True(history.StoppedEarly);
        Assert.Equal(3, history.StoppedEpoch);
        Assert.Equal(1, stopping.BestEpoch);

        BatchNormMlp oneEpoch = NewBatchNormMlp();
        oneEpoch.Fit(train, new Adam(0.01f), epochs: 1, batchSize: 16, seed: 4, verbosity: Verbosity.Silent);
        BatchNormMlp initial = NewBatchNormMlp();
        Assert.NotEqual(initial.Buffers.ToArray(), oneEpoch.Buffers.ToArray()); // the statistics did move in training
        Assert.Equal(BitsOf(oneEpoch.Parameters), BitsOf(stopped.Parameters));
        Assert.Equal(BitsOf(oneEpoch.Buffers), BitsOf(stopped.Buffers));

        BatchNormMlp threeEpochs = NewBatchNormMlp();
        threeEpochs.Fit(train, new Adam(0.01f), epochs: 3, batchSize: 16, seed: 4, verbosity: Verbosity.Silent);
        Assert.NotEqual(BitsOf(threeEpochs.Parameters), BitsOf(stopped.Parameters)); // the restore changed something
    }

    private static int[] BitsOf(Span<float> values) => values.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

    [Fact]
    public void Fit_without_a_stopping_callback_runs_every_epoch_and_records_no_early_stop()
    {
        var stopping = new EarlyStopping("loss", patience: 100);
        History history = NewBatchNormMlp().Fit(Blobs(48, 1), new Adam(0.01f), epochs: 3, [stopping], batchSize: 16, verbosity: Verbosity.Silent);
        Assert.Equal(3, history.Epochs.Count);
        Assert.False(history.StoppedEarly);
        Assert.Equal(0, history.StoppedEpoch);
    }

    [Fact]
    public void Fit_refuses_a_val_monitor_without_validation_before_training()
    {
        BatchNormMlp network = NewBatchNormMlp();
        float[] before = network.Parameters.ToArray();
        var refused = Assert.Throws<InvalidOperationException>(() =>
            network.Fit(Blobs(48, 1), new Adam(), epochs: 2, [new EarlyStopping()], verbosity: Verbosity.Silent));
        Assert.Contains("no validation set", refused.Message);
        Assert.Equal(before, network.Parameters.ToArray());
        Assert.Throws<ArgumentException>(() => network.Fit(Blobs(48, 1), new Adam(), epochs: 2, [null!], verbosity: Verbosity.Silent));
    }

    [Fact]
    public void Fit_writes_loadable_checkpoints_every_epoch_and_only_improving_ones_with_save_best_only()
    {
        using var directory = new TempDirectory();
        BatchNormMlp network = NewBatchNormMlp();
        var every = new ModelCheckpoint(directory.File("epoch-{epoch}.safetensors"));
        var best = new ModelCheckpoint(directory.File("best.safetensors"), monitor: "loss", saveBestOnly: true, mode: MonitorMode.Max);
        History history = network.Fit(Blobs(96, 1), new Adam(0.01f), epochs: 3, [every, best], batchSize: 16, verbosity: Verbosity.Silent);

        Assert.True(history.Epochs[2].Loss < history.Epochs[0].Loss); // so "max" mode saved epoch 1 only
        Assert.True(File.Exists(directory.File("epoch-1.safetensors")));
        Assert.True(File.Exists(directory.File("epoch-2.safetensors")));
        Assert.False(File.Exists(directory.File("epoch-4.safetensors")));
        var last = new BatchNormMlp();
        last.Load(directory.File("epoch-3.safetensors"));
        Assert.Equal(BitsOf(network.Parameters), BitsOf(last.Parameters));
        Assert.Equal(BitsOf(network.Buffers), BitsOf(last.Buffers));

        var first = new BatchNormMlp();
        first.Load(directory.File("epoch-1.safetensors"));
        var saved = new BatchNormMlp();
        saved.Load(directory.File("best.safetensors"));
        Assert.Equal(BitsOf(first.Parameters), BitsOf(saved.Parameters));
        Assert.NotEqual(BitsOf(network.Parameters), BitsOf(saved.Parameters));
    }

    [Fact]
    public void Fit_lowers_the_learning_rate_on_a_plateau()
    {
        var adam = new Adam(0.01f);
        var plateau = new ReduceLROnPlateau("val_loss", factor: 0.5, patience: 1, minDelta: 1e9);
        NewBatchNormMlp().Fit(Blobs(48, 1), adam, epochs: 3, [plateau], batchSize: 16, validation: Blobs(30, 2), verbosity: Verbosity.Silent);
        Assert.Equal(0.0025f, adam.LearningRate); // epochs 2 and 3 did not improve by 1e9: halved twice
        Assert.Equal(2, plateau.Reductions);
    }
}
