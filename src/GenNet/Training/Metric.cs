using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics.Tensors;

namespace GenNet;

/// <summary>
/// A metric that <c>Fit</c> computes every epoch on the training data (while the weights change, as Keras measures its
/// training metrics) and on the validation data (after the epoch), chosen with <see cref="FitOptions.Metrics"/> — Keras's
/// <c>metrics=[...]</c>. Each value lands in <see cref="EpochReport.MetricValues"/> under <see cref="Name"/> (training) and
/// <c>"val_" + Name</c> (validation), in the console line, in <see cref="History.SaveCsv"/>, and can be monitored by
/// <see cref="EarlyStopping"/>, <see cref="ModelCheckpoint"/> and <see cref="ReduceLROnPlateau"/> (<c>"val_f1"</c>).
/// </summary>
/// <remarks>
/// The definitions are those of <see cref="Metrics"/> (scikit-learn's). Loss and accuracy are always recorded and need no
/// metric. A metric that does not fit the network's output (AUC of a softmax, MAE of a classifier) is refused with an
/// <see cref="ArgumentException"/> before any step runs. The state a metric accumulates is allocated once per <c>Fit</c>
/// call, so training steps still allocate nothing; a metric object holds no state and may be shared.
/// </remarks>
public abstract class Metric
{
    private protected Metric(string name, bool higherIsBetter)
    {
        Name = name;
        HigherIsBetter = higherIsBetter;
    }

    /// <summary>
    /// Precision of a classifier: the mean over classes of true positives over predicted positives (macro average) for a
    /// softmax output; of the positive class (score ≥ 0.5) for one sigmoid output. Named <c>"precision"</c>.
    /// </summary>
    public static Metric Precision { get; } = new ClassificationMetric("precision", ClassificationMetric.Kind.Precision);

    /// <summary>Recall, macro-averaged over classes for a softmax output, of the positive class for one sigmoid output. Named <c>"recall"</c>.</summary>
    public static Metric Recall { get; } = new ClassificationMetric("recall", ClassificationMetric.Kind.Recall);

    /// <summary>F1, the mean of each class's F1 for a softmax output (scikit-learn's macro F1), the positive class's for one sigmoid output. Named <c>"f1"</c>.</summary>
    public static Metric F1 { get; } = new ClassificationMetric("f1", ClassificationMetric.Kind.F1);

    /// <summary>
    /// The exact area under the ROC curve (<see cref="Metrics.RocAuc"/>) of a network with one sigmoid output; a target of at
    /// least 0.5 counts as positive. NaN for an epoch whose labels hold one class only. Named <c>"auc"</c>. Keeps one score
    /// per sample, in arrays allocated once per <c>Fit</c>.
    /// </summary>
    public static Metric Auc { get; } = new AucMetric();

    /// <summary>Mean absolute error of a regression (float targets), averaged over outputs. Named <c>"mae"</c>.</summary>
    public static Metric MeanAbsoluteError { get; } = new RegressionMetric("mae", RegressionMetric.Kind.MeanAbsoluteError);

    /// <summary>Root mean squared error of a regression, each output's RMSE averaged over outputs (scikit-learn's). Named <c>"rmse"</c>.</summary>
    public static Metric RootMeanSquaredError { get; } = new RegressionMetric("rmse", RegressionMetric.Kind.RootMeanSquaredError);

    /// <summary>The coefficient of determination R² of a regression, averaged over outputs. Named <c>"r2"</c>.</summary>
    public static Metric R2 { get; } = new RegressionMetric("r2", RegressionMetric.Kind.R2);

    /// <summary>The name in reports, the CSV and monitors: <c>"precision"</c>, <c>"recall"</c>, <c>"f1"</c>, <c>"auc"</c>, <c>"top_5_accuracy"</c>, <c>"mae"</c>, <c>"rmse"</c>, <c>"r2"</c>.</summary>
    public string Name { get; }

    /// <summary>True when a higher value is better (everything but the errors): how <see cref="MonitorMode.Auto"/> reads it.</summary>
    public bool HigherIsBetter { get; }

    /// <summary>
    /// The fraction of samples whose class is among the <paramref name="k"/> highest outputs of a softmax classifier (ties
    /// toward the lower index, as <see cref="Metrics.TopKAccuracy"/>). Named <c>"top_{k}_accuracy"</c>.
    /// </summary>
    /// <param name="k">How many of the highest outputs count; ≥ 1 (Keras's default is 5).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    public static Metric TopKAccuracy(int k = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        return new TopKMetric(k);
    }

    /// <summary>The name.</summary>
    public override string ToString() => Name;

    /// <summary>Checks that the metric fits <paramref name="network"/> and <paramref name="dataset"/>, and allocates its state.</summary>
    /// <param name="network">The network being trained.</param>
    /// <param name="dataset">The largest dataset it will see in one epoch (its labels or targets say which kind).</param>
    /// <exception cref="ArgumentException">The metric does not apply to this network's output or this data.</exception>
    internal abstract MetricState CreateState(INetwork network, Dataset dataset);

    /// <summary>Whether <paramref name="name"/> is a metric's name (so a callback may monitor it), and which way it improves.</summary>
    internal static bool TryParseName(string name, out bool higherIsBetter)
    {
        higherIsBetter = true;
        switch (name)
        {
            case "precision" or "recall" or "f1" or "auc" or "r2":
                return true;
            case "mae" or "rmse":
                higherIsBetter = false;
                return true;
            default:
                return name.Length > "top__accuracy".Length && name.StartsWith("top_", StringComparison.Ordinal) && name.EndsWith("_accuracy", StringComparison.Ordinal) &&
                       int.TryParse(name.AsSpan(4, name.Length - 13), NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k > 0 &&
                       name == TopKMetric.NameFor(k);
        }
    }

    private protected static bool IsClassifier(INetwork network) =>
        network.Loss is Loss.SparseCategoricalCrossEntropy or Loss.CategoricalCrossEntropy ||
        (network.Loss == Loss.BinaryCrossEntropy && network.OutputSize == 1);

    private protected static string Describe(INetwork network) =>
        $"{network.GetType().Name} has {network.OutputSize} output{(network.OutputSize == 1 ? "" : "s")} trained with {network.Loss}";

    private sealed class ClassificationMetric(string name, ClassificationMetric.Kind kind) : Metric(name, higherIsBetter: true)
    {
        public enum Kind { Precision, Recall, F1 }

        internal override MetricState CreateState(INetwork network, Dataset dataset)
        {
            if (!IsClassifier(network))
            {
                throw new ArgumentException(
                    $"Metric '{Name}' measures a classifier (softmax outputs with a cross-entropy, or one sigmoid output with binary cross-entropy), but {Describe(network)}. " +
                    "For a regression use Metric.MeanAbsoluteError, Metric.RootMeanSquaredError or Metric.R2.", "options");
            }

            return new ConfusionState(network.OutputSize, kind);
        }
    }

    private sealed class TopKMetric(int k) : Metric(NameFor(k), higherIsBetter: true)
    {
        public static string NameFor(int k) => string.Create(CultureInfo.InvariantCulture, $"top_{k}_accuracy");

        internal override MetricState CreateState(INetwork network, Dataset dataset)
        {
            if (!IsClassifier(network) || network.OutputSize < 2)
            {
                throw new ArgumentException(
                    $"Metric '{Name}' ranks the classes of a softmax output, but {Describe(network)}. " +
                    (IsClassifier(network) ? "For one sigmoid output use Metric.Auc, Precision, Recall or F1." : "For a regression use Metric.MeanAbsoluteError, Metric.RootMeanSquaredError or Metric.R2."),
                    "options");
            }

            return new TopKState(network.OutputSize, k);
        }
    }

    private sealed class AucMetric() : Metric("auc", higherIsBetter: true)
    {
        internal override MetricState CreateState(INetwork network, Dataset dataset)
        {
            if (network.OutputSize != 1 || network.Loss != Loss.BinaryCrossEntropy)
            {
                throw new ArgumentException(
                    $"Metric 'auc' scores one sigmoid output trained with binary cross-entropy, but {Describe(network)}. " +
                    (IsClassifier(network) ? "For softmax classes use Metric.F1, Precision, Recall or TopKAccuracy." : "For a regression use Metric.MeanAbsoluteError, Metric.RootMeanSquaredError or Metric.R2."),
                    "options");
            }

            return new AucState(dataset.Count);
        }
    }

    private sealed class RegressionMetric(string name, RegressionMetric.Kind kind) : Metric(name, higherIsBetter: kind == Kind.R2)
    {
        public enum Kind { MeanAbsoluteError, RootMeanSquaredError, R2 }

        internal override MetricState CreateState(INetwork network, Dataset dataset)
        {
            if (network.Loss != Loss.MeanSquaredError || dataset.HasLabels)
            {
                throw new ArgumentException(
                    $"Metric '{Name}' measures a regression (float targets, mean squared error), but " +
                    (dataset.HasLabels ? "the dataset has class labels" : Describe(network)) +
                    ". For a classifier use Metric.Precision, Recall, F1, TopKAccuracy or (one sigmoid output) Auc.", "options");
            }

            return new RegressionState(network.OutputSize, kind);
        }
    }

    /// <summary>The true class of sample <paramref name="i"/>: its label, or its target's arg-max (one output: ≥ 0.5).</summary>
    private static int TrueClass(ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, int i, int width) =>
        !labels.IsEmpty ? labels[i]
        : width == 1 ? (targets[i] >= 0.5f ? 1 : 0)
        : TensorPrimitives.IndexOfMax(targets.Slice(i * width, width));

    private sealed class ConfusionState(int width, ClassificationMetric.Kind kind) : MetricState
    {
        private readonly int _classes = Math.Max(width, 2);
        private readonly int[] _confusion = new int[Math.Max(width, 2) * Math.Max(width, 2)];

        public override void Reset() => Array.Clear(_confusion);

        public override void Add(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, int size)
        {
            for (int i = 0; i < size; i++)
            {
                int actual = TrueClass(labels, targets, i, width);
                _confusion[actual * _classes + Metrics.PredictedClass(outputs.Slice(i * width, width))]++;
            }
        }

        public override double Result()
        {
            if (width == 1) // the positive class, as Keras's Precision and scikit-learn's average="binary"
            {
                var binary = new BinaryReport(_confusion[3], _confusion[1], _confusion[0], _confusion[2], 0.5f, double.NaN);
                return kind switch { ClassificationMetric.Kind.Precision => binary.Precision, ClassificationMetric.Kind.Recall => binary.Recall, _ => binary.F1 };
            }

            var report = new ClassificationReport(_classes, _confusion, topK: 1, topKAccuracy: double.NaN, classNames: null);
            return kind switch { ClassificationMetric.Kind.Precision => report.MacroPrecision, ClassificationMetric.Kind.Recall => report.MacroRecall, _ => report.MacroF1 };
        }
    }

    private sealed class TopKState(int width, int k) : MetricState
    {
        private long _hits, _count;

        public override void Reset() => (_hits, _count) = (0, 0);

        public override void Add(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, int size)
        {
            for (int i = 0; i < size; i++)
            {
                _hits += Metrics.InTopK(outputs.Slice(i * width, width), TrueClass(labels, targets, i, width), k) ? 1 : 0;
            }

            _count += size;
        }

        public override double Result() => (double)_hits / _count;
    }

    private sealed class AucState(int capacity) : MetricState
    {
        private readonly float[] _scores = new float[capacity];
        private readonly int[] _labels = new int[capacity];
        private int _count;

        public override void Reset() => _count = 0;

        public override void Add(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, int size)
        {
            outputs[..size].CopyTo(_scores.AsSpan(_count));
            for (int i = 0; i < size; i++)
            {
                _labels[_count + i] = TrueClass(labels, targets, i, width: 1);
            }

            _count += size;
        }

        public override double Result() => Metrics.RocAuc(_scores.AsSpan(0, _count), _labels.AsSpan(0, _count));
    }

    private sealed class RegressionState(int width, RegressionMetric.Kind kind) : MetricState
    {
        private readonly RegressionSums _sums = new(width);

        public override void Reset() => _sums.Reset();

        public override void Add(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, int size) =>
            _sums.Add(outputs[..(size * width)], targets[..(size * width)]);

        public override double Result()
        {
            RegressionReport report = _sums.ToReport();
            return kind switch
            {
                RegressionMetric.Kind.MeanAbsoluteError => report.MeanAbsoluteError,
                RegressionMetric.Kind.RootMeanSquaredError => report.RootMeanSquaredError,
                _ => report.R2,
            };
        }
    }
}

/// <summary>What one metric accumulates over an epoch's batches; allocated once per Fit call, allocation-free per batch.</summary>
internal abstract class MetricState
{
    public abstract void Reset();

    /// <summary>Adds a batch: outputs [size, width], and labels (empty when the data has targets) or targets.</summary>
    public abstract void Add(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, int size);

    /// <summary>The value over everything added since <see cref="Reset"/>; may allocate (once per epoch).</summary>
    public abstract double Result();
}

/// <summary>The chosen metrics' states for one kind of data (training or validation) in one Fit call.</summary>
internal sealed class EpochMetrics
{
    private readonly MetricState[] _states;

    private EpochMetrics(IReadOnlyList<Metric> metrics, MetricState[] states, string prefix)
    {
        _states = states;
        Names = new string[metrics.Count];
        for (int i = 0; i < metrics.Count; i++)
        {
            Names[i] = prefix + metrics[i].Name;
        }
    }

    /// <summary>The names the values are recorded under (<c>f1</c>, or <c>val_f1</c> for validation).</summary>
    public string[] Names { get; }

    /// <summary>States for <paramref name="metrics"/> on <paramref name="dataset"/>; null when there are none.</summary>
    public static EpochMetrics? Create(IReadOnlyList<Metric>? metrics, INetwork network, Dataset dataset, bool validation)
    {
        if (metrics is null || metrics.Count == 0)
        {
            return null;
        }

        var states = new MetricState[metrics.Count];
        for (int i = 0; i < metrics.Count; i++)
        {
            states[i] = metrics[i].CreateState(network, dataset);
        }

        return new EpochMetrics(metrics, states, validation ? "val_" : "");
    }

    /// <summary>Refuses a null metric or two of the same name.</summary>
    public static void Check(IReadOnlyList<Metric>? metrics)
    {
        if (metrics is null)
        {
            return;
        }

        for (int i = 0; i < metrics.Count; i++)
        {
            if (metrics[i] is null)
            {
                throw new ArgumentException($"Metrics[{i}] is null.", "options");
            }

            for (int j = 0; j < i; j++)
            {
                if (metrics[j].Name == metrics[i].Name)
                {
                    throw new ArgumentException($"Metrics lists '{metrics[i].Name}' twice (at {j} and {i}).", "options");
                }
            }
        }
    }

    public void Reset()
    {
        foreach (MetricState state in _states)
        {
            state.Reset();
        }
    }

    public void Add(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, int size)
    {
        foreach (MetricState state in _states)
        {
            state.Add(outputs, labels, targets, size);
        }
    }

    /// <summary>Writes each metric's value under its name.</summary>
    public void AddResults(Dictionary<string, double> values)
    {
        for (int i = 0; i < _states.Length; i++)
        {
            values[Names[i]] = _states[i].Result();
        }
    }
}
