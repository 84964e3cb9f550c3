using System;
using System.IO;
using System.Linq;
using System.Threading;
using Xunit;

namespace GenNet.Tests;

[Network]
[Input(3)]
[Dense(3, Activation.Softmax)]
public partial class MetricSoftmax;

[Network]
[Input(1)]
[Dense(1, Activation.Sigmoid)]
public partial class MetricSigmoid;

[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Dense(1)]
public partial class MetricRegressor;

/// <summary>
/// FitOptions.Metrics: values per epoch against hand-computed ones, History and its CSV, monitors by metric name, and bad
/// metrics. The networks are set by hand to pass their input through (identity weights, zero bias) and train with a rate
/// too small to move a weight, so every epoch's outputs, and so its metrics, are known exactly.
/// </summary>
[Collection(SerialCollection.Name)] // counts allocations of training steps, which a contended worker-pool wait can make
public sealed class FitMetricsTests
{
    private const float Still = 1e-30f; // Sgd's rate must be positive; this one changes no output's arg-max or value

    // Six samples of three classes; the softmax of the identity keeps each row's order. Predicted (arg-max) 0,1,1,0,2,1:
    // confusion rows (true) [1 1 0], [1 1 0], [0 1 1]. Precision 1/2, 1/3, 1 (macro 0.61111); recall 1/2 each; F1
    // 2·tp/(actual + predicted) = 2/4, 2/5, 2/3 (macro 0.52222); accuracy 3/6; the label among the top two in 4 of 6.
    private static readonly float[] SoftmaxRows = [3, 1, 0, 1, 3, 0, 0, 3, 1, 3, 0, 1, 0, 1, 3, 1, 3, 0];
    private static readonly int[] SoftmaxLabels = [0, 0, 1, 1, 2, 2];
    private const double MacroPrecision = (1.0 / 2 + 1.0 / 3 + 1.0) / 3, MacroRecall = 0.5, MacroF1 = (2.0 / 4 + 2.0 / 5 + 2.0 / 3) / 3, Top2 = 4.0 / 6;

    private static MetricSoftmax Softmax()
    {
        var network = new MetricSoftmax();
        network.Parameters.Clear();
        for (int i = 0; i < 3; i++)
        {
            network.Parameters[i * 3 + i] = 1; // dense_0.weight [3, 3] = I, bias 0
        }

        return network;
    }

    private static MetricSigmoid Sigmoid()
    {
        var network = new MetricSigmoid();
        network.Parameters.Clear();
        network.Parameters[0] = 1; // p = sigmoid(x): positive exactly when x ≥ 0
        return network;
    }

    private static MetricRegressor Regressor()
    {
        var network = new MetricRegressor();
        network.Parameters.Clear();
        network.Parameters[0] = 1; // y = x
        return network;
    }

    private static Dataset SoftmaxData() => Dataset.Create(SoftmaxRows, SoftmaxLabels, 3);

    // Scores x = 2, 1, −1, −2, 3 with labels 1, 0, 1, 0, 1: tp 2 (2, 3), fp 1 (1), fn 1 (−1), tn 1 (−2). Precision 2/3,
    // recall 2/3, F1 4/6; AUC: of the 3 × 2 positive-negative pairs all but (−1, 1) rank right, 5/6.
    private static readonly float[] BinaryScores = [2, 1, -1, -2, 3];
    private static readonly int[] BinaryLabels = [1, 0, 1, 0, 1];

    // y = x against targets 2, 2, 5, 4: errors −1, 0, −2, 0. MAE 3/4, RMSE √(5/4); the targets' mean 3.25 leaves
    // SS_tot = 6.75, so R² = 1 − 5 / 6.75.
    private static Dataset RegressionData() => Dataset.Create([1f, 2, 3, 4], [2f, 2, 5, 4], 1);

    [Fact]
    public void Softmax_metrics_equal_the_hand_computed_values_for_training_and_validation()
    {
        History history = Softmax().Fit(SoftmaxData(), new Sgd(Still), epochs: 2,
            new FitOptions { Metrics = [Metric.Precision, Metric.Recall, Metric.F1, Metric.TopKAccuracy(2)] },
            batchSize: 4, validation: SoftmaxData(), verbosity: Verbosity.Silent); // batches of 4 and 2: the counts span batches

        Assert.Equal(["precision", "recall", "f1", "top_2_accuracy"], history.MetricNames);
        foreach (EpochReport epoch in history.Epochs)
        {
            Assert.Equal(0.5, epoch.Accuracy!.Value, 12);
            foreach (string prefix in new[] { "", "val_" })
            {
                Assert.Equal(MacroPrecision, epoch.MetricValues[prefix + "precision"], 12);
                Assert.Equal(MacroRecall, epoch.MetricValues[prefix + "recall"], 12);
                Assert.Equal(MacroF1, epoch.MetricValues[prefix + "f1"], 12);
                Assert.Equal(Top2, epoch.MetricValues[prefix + "top_2_accuracy"], 12);
            }

            Assert.Equal(8, epoch.MetricValues.Count);
            Assert.Equal(MacroF1, epoch.Value("val_f1")!.Value, 12);
            Assert.Null(epoch.Value("auc"));
        }

        // The report's ClassificationReport agrees: the same definitions.
        ClassificationReport report = Metrics.Classification(SoftmaxRows, SoftmaxLabels, 3, topK: 2);
        Assert.Equal(report.MacroF1, history.Epochs[0].MetricValues["f1"], 12);
    }

    [Fact]
    public void Sigmoid_metrics_are_the_positive_class_and_the_exact_auc_from_labels_and_from_targets()
    {
        Dataset labelled = Dataset.Create(BinaryScores, BinaryLabels, 1);
        Dataset targets = Dataset.Create(BinaryScores, BinaryLabels.Select(l => (float)l).ToArray(), 1);
        History history = Sigmoid().Fit(labelled, new Sgd(Still), epochs: 1,
            new FitOptions { Metrics = [Metric.Auc, Metric.Precision, Metric.Recall, Metric.F1] },
            batchSize: 2, validation: targets, verbosity: Verbosity.Silent);

        EpochReport epoch = Assert.Single(history.Epochs);
        foreach (string prefix in new[] { "", "val_" })
        {
            Assert.Equal(5.0 / 6, epoch.MetricValues[prefix + "auc"], 12);
            Assert.Equal(2.0 / 3, epoch.MetricValues[prefix + "precision"], 12);
            Assert.Equal(2.0 / 3, epoch.MetricValues[prefix + "recall"], 12);
            Assert.Equal(4.0 / 6, epoch.MetricValues[prefix + "f1"], 12);
        }
    }

    [Fact]
    public void Regression_metrics_equal_the_hand_computed_values()
    {
        History history = Regressor().Fit(RegressionData(), new Sgd(Still), epochs: 1,
            new FitOptions { Metrics = [Metric.MeanAbsoluteError, Metric.RootMeanSquaredError, Metric.R2] },
            batchSize: 3, validation: RegressionData(), verbosity: Verbosity.Silent);

        EpochReport epoch = Assert.Single(history.Epochs);
        Assert.Null(epoch.Accuracy);
        foreach (string prefix in new[] { "", "val_" })
        {
            Assert.Equal(0.75, epoch.MetricValues[prefix + "mae"], 12);
            Assert.Equal(Math.Sqrt(1.25), epoch.MetricValues[prefix + "rmse"], 12);
            Assert.Equal(1 - 5 / 6.75, epoch.MetricValues[prefix + "r2"], 12);
        }

        Assert.Equal(1.25, epoch.Loss, 6); // the loss is the mean squared error itself
    }

    [Fact]
    public void History_csv_and_the_epoch_line_carry_every_metric_in_order()
    {
        History history = Softmax().Fit(SoftmaxData(), new Sgd(Still), epochs: 2,
            new FitOptions { Metrics = [Metric.F1, Metric.TopKAccuracy(2)] }, batchSize: 4, validation: SoftmaxData(), verbosity: Verbosity.Silent);
        string path = Path.Combine(Path.GetTempPath(), $"gennet-metrics-{Guid.NewGuid():N}.csv");
        try
        {
            history.SaveCsv(path);
            string[] lines = File.ReadAllLines(path);
            Assert.Equal("epoch,loss,accuracy,f1,top_2_accuracy,val_loss,val_accuracy,val_f1,val_top_2_accuracy,seconds", lines[0]);
            Assert.Equal(3, lines.Length);
            string[] cells = lines[2].Split(',');
            Assert.Equal("2", cells[0]);
            Assert.Equal(MacroF1, double.Parse(cells[3], System.Globalization.CultureInfo.InvariantCulture), 12);
            Assert.Equal(Top2, double.Parse(cells[8], System.Globalization.CultureInfo.InvariantCulture), 12);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Matches(@"^loss: \d\.\d{4} - accuracy: 0\.5000 - f1: 0\.5222 - top_2_accuracy: 0\.6667 - val_loss: \d\.\d{4} - val_accuracy: 0\.5000 - val_f1: 0\.5222 - val_top_2_accuracy: 0\.6667$",
            history.Epochs[0].Metrics());

        // Without metrics the CSV keeps its columns.
        History plain = Softmax().Fit(SoftmaxData(), new Sgd(Still), epochs: 1, verbosity: Verbosity.Silent);
        Assert.Empty(plain.MetricNames);
        Assert.Empty(plain.Epochs[0].MetricValues);
        string plainPath = Path.Combine(Path.GetTempPath(), $"gennet-plain-{Guid.NewGuid():N}.csv");
        try
        {
            plain.SaveCsv(plainPath);
            Assert.Equal("epoch,loss,accuracy,val_loss,val_accuracy,seconds", File.ReadLines(plainPath).First());
        }
        finally
        {
            File.Delete(plainPath);
        }
    }

    [Fact]
    public void Callbacks_monitor_a_metric_by_name_in_its_own_direction()
    {
        // val_f1 is constant (the weights do not move): the second epoch does not improve, so patience 0 stops there.
        var stop = new EarlyStopping(monitor: "val_f1", patience: 0);
        History history = Softmax().Fit(SoftmaxData(), new Sgd(Still), epochs: 5, new FitOptions { Metrics = [Metric.F1] },
            [stop], batchSize: 4, validation: SoftmaxData(), verbosity: Verbosity.Silent);
        Assert.Equal(2, history.Epochs.Count);
        Assert.Equal(1, stop.BestEpoch);
        Assert.Equal(MacroF1, stop.Best, 12);

        // rmse falls while a regression learns; Auto minimises an error, so no epoch stops it (maximising would stop at 2).
        var rmse = new EarlyStopping(monitor: "val_rmse", patience: 0);
        Dataset line = Dataset.Create(Enumerable.Range(0, 32).Select(i => i / 16f).ToArray(), Enumerable.Range(0, 32).Select(i => 2 * i / 16f + 1).ToArray(), 1);
        History learned = Regressor().Fit(line, new Sgd(0.05f), epochs: 4, new FitOptions { Metrics = [Metric.RootMeanSquaredError] },
            [rmse], batchSize: 8, validation: line, verbosity: Verbosity.Silent);
        Assert.Equal(4, learned.Epochs.Count);
        Assert.Equal(4, rmse.BestEpoch);
        Assert.True(learned.Epochs[3].MetricValues["val_rmse"] < learned.Epochs[0].MetricValues["val_rmse"]);

        // A checkpoint on a metric saves the best epoch's weights.
        string path = Path.Combine(Path.GetTempPath(), $"gennet-metric-checkpoint-{Guid.NewGuid():N}.safetensors");
        try
        {
            var checkpoint = new ModelCheckpoint(path, monitor: "val_top_2_accuracy", saveBestOnly: true);
            Softmax().Fit(SoftmaxData(), new Sgd(Still), epochs: 2, new FitOptions { Metrics = [Metric.TopKAccuracy(2)] },
                [checkpoint], batchSize: 4, validation: SoftmaxData(), verbosity: Verbosity.Silent);
            Assert.Equal(Top2, checkpoint.Best, 12);
            Assert.True(File.Exists(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_monitored_metric_that_fit_does_not_compute_is_refused_before_any_step()
    {
        MetricSoftmax network = Softmax();
        float[] before = network.Parameters.ToArray();
        var error = Assert.Throws<InvalidOperationException>(() => network.Fit(SoftmaxData(), new Sgd(0.5f), epochs: 2,
            new FitOptions { Metrics = [Metric.Precision] }, [new EarlyStopping(monitor: "val_f1")], validation: SoftmaxData(), verbosity: Verbosity.Silent));
        Assert.Contains("'val_f1'", error.Message);
        Assert.Contains("FitOptions.Metrics", error.Message);
        Assert.Contains("precision", error.Message);
        Assert.Equal(before, network.Parameters.ToArray());

        // Without FitOptions (the callbacks overload) too.
        Assert.Throws<InvalidOperationException>(() => network.Fit(SoftmaxData(), new Sgd(0.5f), epochs: 2,
            [new ReduceLROnPlateau(monitor: "f1")], verbosity: Verbosity.Silent));

        var unknown = Assert.Throws<ArgumentException>(() => new EarlyStopping(monitor: "val_f2"));
        Assert.Contains("FitOptions.Metrics", unknown.Message);
        Assert.Throws<ArgumentException>(() => new EarlyStopping(monitor: "top_05_accuracy"));
        Assert.Throws<ArgumentException>(() => new EarlyStopping(monitor: "top_0_accuracy"));
        Assert.Throws<ArgumentException>(() => new EarlyStopping(monitor: "top_accuracy")); // "top_" and "_accuracy" overlap
        Assert.Throws<ArgumentException>(() => new EarlyStopping(monitor: "top__accuracy"));
        Assert.Throws<ArgumentException>(() => new EarlyStopping(monitor: "val_"));
        Assert.Equal("val_top_3_accuracy", new EarlyStopping(monitor: "val_top_3_accuracy").Monitor);
    }

    [Fact]
    public void A_metric_that_does_not_fit_the_output_is_a_clear_error_before_any_step()
    {
        MetricSoftmax softmax = Softmax();
        float[] before = softmax.Parameters.ToArray();
        var auc = Assert.Throws<ArgumentException>(() => softmax.Fit(SoftmaxData(), new Sgd(0.5f), 1, new FitOptions { Metrics = [Metric.Auc] }, verbosity: Verbosity.Silent));
        Assert.Contains("'auc'", auc.Message);
        Assert.Contains("one sigmoid output", auc.Message);
        Assert.Contains("MetricSoftmax has 3 outputs", auc.Message);
        var mae = Assert.Throws<ArgumentException>(() => softmax.Fit(SoftmaxData(), new Sgd(0.5f), 1, new FitOptions { Metrics = [Metric.MeanAbsoluteError] }, verbosity: Verbosity.Silent));
        Assert.Contains("'mae' measures a regression", mae.Message);
        Assert.Contains("class labels", mae.Message);
        Assert.Equal(before, softmax.Parameters.ToArray());

        Dataset binary = Dataset.Create(BinaryScores, BinaryLabels, 1);
        var topK = Assert.Throws<ArgumentException>(() => Sigmoid().Fit(binary, new Sgd(0.5f), 1, new FitOptions { Metrics = [Metric.TopKAccuracy()] }, verbosity: Verbosity.Silent));
        Assert.Contains("'top_5_accuracy' ranks the classes of a softmax output", topK.Message);
        Assert.Contains("Metric.Auc", topK.Message);

        var f1 = Assert.Throws<ArgumentException>(() => Regressor().Fit(RegressionData(), new Sgd(0.5f), 1, new FitOptions { Metrics = [Metric.F1] }, verbosity: Verbosity.Silent));
        Assert.Contains("'f1' measures a classifier", f1.Message);
        Assert.Contains("MeanSquaredError", f1.Message);

        // A metric named twice, a null metric, k = 0.
        var validation = Assert.Throws<ArgumentException>(() => Sigmoid().Fit(binary, new Sgd(0.5f), 1,
            new FitOptions { Metrics = [Metric.Auc, Metric.Auc] }, verbosity: Verbosity.Silent));
        Assert.Contains("twice", validation.Message);
        Assert.Throws<ArgumentException>(() => Sigmoid().Fit(binary, new Sgd(0.5f), 1, new FitOptions { Metrics = [null!] }, verbosity: Verbosity.Silent));
        Assert.Throws<ArgumentOutOfRangeException>(() => Metric.TopKAccuracy(0));
    }

    [Fact]
    public void A_training_epoch_with_metrics_allocates_nothing_per_batch()
    {
        Assert.Equal(0, EpochAllocations(Softmax(), SoftmaxData(), [Metric.Precision, Metric.Recall, Metric.F1, Metric.TopKAccuracy(2)]));
        Assert.Equal(0, EpochAllocations(Sigmoid(), Dataset.Create(BinaryScores, BinaryLabels.Select(l => (float)l).ToArray(), 1), [Metric.Auc, Metric.F1]));
        Assert.Equal(0, EpochAllocations(Regressor(), RegressionData(), [Metric.MeanAbsoluteError, Metric.RootMeanSquaredError, Metric.R2]));
    }

    private static long EpochAllocations(ITrainableNetwork network, Dataset data, Metric[] chosen)
    {
        // Many small batches, so that a per-batch allocation would show; the metrics' state is allocated once, before.
        Dataset many = data.Subset(Enumerable.Range(0, 64).Select(i => i % data.Count).ToArray());
        EpochMetrics metrics = EpochMetrics.Create(chosen, network, many, validation: false)!;
        var sgd = new Sgd(Still);
        var batches = new BatchIterator(many, 3, seed: 1);
        batches.BeginEpoch(0);
        NetworkTraining.TrainEpoch(network, sgd, batches, 1, null, CancellationToken.None, metrics);

        long before = GC.GetAllocatedBytesForCurrentThread();
        batches.BeginEpoch(1);
        var totals = NetworkTraining.TrainEpoch(network, sgd, batches, 2, null, CancellationToken.None, metrics);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(64, totals.Samples);
        return allocated;
    }
}
