using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace GenNet;

/// <summary>What one epoch of <c>Fit</c> measured. Accuracy is null where it does not apply (regression).</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Epochs">The number of epochs Fit was asked for.</param>
/// <param name="Loss">Mean training loss over the epoch's samples, measured while the weights changed (as Keras reports it).</param>
/// <param name="Accuracy">Training accuracy over the epoch, measured the same way.</param>
/// <param name="ValidationLoss">Loss on the validation set after the epoch, when one was given.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation set after the epoch.</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
public sealed record EpochReport(int Epoch, int Epochs, double Loss, double? Accuracy, double? ValidationLoss, double? ValidationAccuracy, double Seconds)
{
    internal static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();

    /// <summary>
    /// The values of the metrics chosen with <see cref="FitOptions.Metrics"/>, by name: each training value under the
    /// metric's name (<c>"f1"</c>) and, with validation, each validation value under <c>"val_"</c> and that name
    /// (<c>"val_f1"</c>), in the order the metrics were given, training values first. Empty without metrics.
    /// </summary>
    public IReadOnlyDictionary<string, double> MetricValues { get; init; } = NoMetrics;

    /// <summary>
    /// A value of this epoch by its Keras name: <c>"loss"</c>, <c>"accuracy"</c>, <c>"val_loss"</c>, <c>"val_accuracy"</c>
    /// or a chosen metric's (<c>"f1"</c>, <c>"val_f1"</c>); null when the epoch has none of that name.
    /// </summary>
    public double? Value(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            "loss" => Loss,
            "accuracy" => Accuracy,
            "val_loss" => ValidationLoss,
            "val_accuracy" => ValidationAccuracy,
            _ => MetricValues.TryGetValue(name, out double value) ? value : null,
        };
    }

    /// <summary>Keras's one-line form: <c>loss: 0.4983 - accuracy: 0.8251 - f1: … - val_loss: … - val_accuracy: … - val_f1: …</c>.</summary>
    public string Metrics()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"loss: {Loss:F4}");
        if (Accuracy is { } accuracy)
        {
            text.Append(CultureInfo.InvariantCulture, $" - accuracy: {accuracy:F4}");
        }

        AppendMetrics(validation: false);
        if (ValidationLoss is { } validationLoss)
        {
            text.Append(CultureInfo.InvariantCulture, $" - val_loss: {validationLoss:F4}");
        }

        if (ValidationAccuracy is { } validationAccuracy)
        {
            text.Append(CultureInfo.InvariantCulture, $" - val_accuracy: {validationAccuracy:F4}");
        }

        AppendMetrics(validation: true);
        return text.ToString();

        void AppendMetrics(bool validation)
        {
            foreach ((string name, double value) in MetricValues)
            {
                if (name.StartsWith("val_", StringComparison.Ordinal) == validation)
                {
                    text.Append(CultureInfo.InvariantCulture, $" - {name}: {value:F4}");
                }
            }
        }
    }
}

/// <summary>The reports of every finished epoch of a <c>Fit</c> call.</summary>
public sealed class History
{
    private readonly List<EpochReport> _epochs = [];
    private string[] _metricNames = [];

    /// <summary>One report per finished epoch, in order.</summary>
    public IReadOnlyList<EpochReport> Epochs => _epochs;

    /// <summary>True when training stopped early because its cancellation token was cancelled.</summary>
    public bool Cancelled { get; internal set; }

    /// <summary>True when a callback (such as <see cref="EarlyStopping"/>) stopped training before its last epoch.</summary>
    public bool StoppedEarly => StoppedEpoch > 0;

    /// <summary>The epoch (from 1) after which a callback stopped training; 0 when none did, or when it asked at the last epoch.</summary>
    public int StoppedEpoch { get; internal set; }

    /// <summary>
    /// The names of the metrics Fit computed (<see cref="FitOptions.Metrics"/>), in the order given: their training values
    /// are <see cref="EpochReport.MetricValues"/> under these names, their validation values under <c>"val_"</c> and the
    /// name. Empty without metrics.
    /// </summary>
    public IReadOnlyList<string> MetricNames
    {
        get => _metricNames;
        internal set => _metricNames = [.. value];
    }

    internal void Add(EpochReport report) => _epochs.Add(report);

    /// <summary>
    /// Writes <c>epoch,loss,accuracy,</c>(each metric)<c>,val_loss,val_accuracy,</c>(each <c>val_</c> metric)<c>,seconds</c>,
    /// one row per epoch, values round-trippable and culture-invariant; empty where a value does not apply (no accuracy for
    /// a regression, no <c>val_</c> values without validation). Without metrics the columns are
    /// <c>epoch,loss,accuracy,val_loss,val_accuracy,seconds</c>.
    /// </summary>
    public void SaveCsv(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var columns = new List<string> { "loss", "accuracy" };
        columns.AddRange(_metricNames);
        columns.Add("val_loss");
        columns.Add("val_accuracy");
        foreach (string name in _metricNames)
        {
            columns.Add("val_" + name);
        }

        var text = new StringBuilder("epoch,").AppendJoin(',', columns).Append(",seconds\n");
        foreach (EpochReport e in _epochs)
        {
            text.Append(e.Epoch.ToString(CultureInfo.InvariantCulture));
            foreach (string column in columns)
            {
                text.Append(',').Append(Cell(e.Value(column)));
            }

            text.Append(CultureInfo.InvariantCulture, $",{e.Seconds:F3}\n");
        }

        File.WriteAllText(path, text.ToString());
    }

    private static string Cell(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
}

/// <summary>The loss and, where it applies, the accuracy of a network on a dataset.</summary>
public sealed record Evaluation(double Loss, double? Accuracy, int Count);

/// <summary>How much <c>Fit</c> writes to the console.</summary>
public enum Verbosity
{
    /// <summary>A live progress bar on an interactive console; one line per epoch when output is redirected.</summary>
    Auto,

    /// <summary>Nothing.</summary>
    Silent,

    /// <summary>One line per epoch.</summary>
    Epochs,

    /// <summary>A live progress bar, redrawn in place.</summary>
    ProgressBar,
}

/// <summary>
/// Training stopped because it diverged: the loss, a gradient or (after the optimizer's step) a parameter stopped being a
/// finite number.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    internal TrainingDivergedException(int epoch, int batch, float loss, string what, int firstSample, int batchSize, bool shuffled)
        : base($"{what} at epoch {epoch}, batch {batch} (samples {firstSample}–{firstSample + batchSize - 1} of the {(shuffled ? "shuffled " : "")}epoch). " +
               "Training stopped; the parameters hold the last step's values. Try a lower learning rate, or check the data for NaN or huge values.")
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
    }

    /// <summary>The epoch, from 1.</summary>
    public int Epoch { get; }

    /// <summary>The batch within the epoch, from 1.</summary>
    public int Batch { get; }

    /// <summary>The step's loss: NaN or infinite when the loss diverged, else the finite loss of the step whose gradient or update did.</summary>
    public float Loss { get; }
}
