using System;
using System.Collections.Generic;
using System.Linq;

namespace GenNet;

/// <summary>
/// Keras's callbacks: code <c>Fit</c> runs when training begins, after every epoch (validation included) and when training
/// ends. Hooks run once per epoch, never per step. See <see cref="EarlyStopping"/>, <see cref="ModelCheckpoint"/> and
/// <see cref="ReduceLROnPlateau"/>.
/// </summary>
/// <remarks>
/// A callback instance belongs to one <c>Fit</c> call at a time: <see cref="OnTrainBegin"/> resets its state, so it may be
/// reused for a later call. Allocate what a callback needs per epoch in <see cref="OnTrainBegin"/>.
/// </remarks>
public abstract class Callback
{
    /// <summary>Called before the first epoch, with what the callback acts on.</summary>
    /// <param name="network">The network being trained.</param>
    /// <param name="optimizer">The optimizer updating it.</param>
    /// <param name="hasValidation">Whether a validation set was given, so that <c>val_</c> values will be reported.</param>
    public virtual void OnTrainBegin(ITrainableNetwork network, Optimizer optimizer, bool hasValidation)
    {
    }

    /// <summary>Called after each epoch's training and validation; return true to stop training after this epoch.</summary>
    /// <param name="report">What the epoch measured.</param>
    /// <returns>True to stop training (Keras's <c>model.stop_training = True</c>); false to go on.</returns>
    public virtual bool OnEpochEnd(EpochReport report) => false;

    /// <summary>Called once training ends, by its last epoch, a callback or cancellation (not when it throws).</summary>
    /// <param name="history">The epochs that ran.</param>
    public virtual void OnTrainEnd(History history)
    {
    }
}

/// <summary>Which way a monitored value improves.</summary>
public enum MonitorMode
{
    /// <summary>Up for an accuracy and a metric whose <see cref="Metric.HigherIsBetter"/>, down for a loss and an error (<c>mae</c>, <c>rmse</c>) (Keras's <c>"auto"</c>).</summary>
    Auto,

    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>A built-in callback that monitors a value, so Fit can check the value will be computed before any step runs.</summary>
internal interface IMonitoringCallback
{
    /// <summary>Refuses a monitored metric that is not among <paramref name="metricNames"/> (the metrics Fit computes).</summary>
    void CheckMonitorComputed(IReadOnlyList<string> metricNames);
}

/// <summary>A monitored value of an <see cref="EpochReport"/>, by its Keras name, and the direction it improves in.</summary>
internal readonly struct Monitor
{
    private const string Known = "\"loss\", \"accuracy\", \"val_loss\", \"val_accuracy\", or a metric of FitOptions.Metrics (\"f1\", \"val_auc\", \"val_top_5_accuracy\", …)";

    public Monitor(string name, MonitorMode mode, string parameter)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        IsValidation = name.StartsWith("val_", StringComparison.Ordinal);
        string unprefixed = IsValidation ? name[4..] : name;
        bool higherIsBetter;
        if (unprefixed is "loss" or "accuracy")
        {
            higherIsBetter = unprefixed == "accuracy";
        }
        else if (Metric.TryParseName(unprefixed, out higherIsBetter))
        {
            MetricName = unprefixed;
        }
        else
        {
            throw new ArgumentException($"Unknown monitor '{name}': use {Known}.", parameter);
        }

        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "The mode is Auto, Min or Max.");
        }

        Name = name;
        Maximize = mode == MonitorMode.Max || (mode == MonitorMode.Auto && higherIsBetter);
    }

    public string Name { get; }

    /// <summary>True for a <c>val_</c> value.</summary>
    public bool IsValidation { get; }

    /// <summary>The metric's name without <c>val_</c> when the monitor names a metric (<c>"f1"</c> for <c>"val_f1"</c>), else null.</summary>
    public string? MetricName { get; }

    /// <summary>True when higher is better.</summary>
    public bool Maximize { get; }

    /// <summary>The worst possible value, from which any first value is an improvement.</summary>
    public double Worst => Maximize ? double.NegativeInfinity : double.PositiveInfinity;

    /// <summary>Refuses a <c>val_</c> monitor when Fit has no validation set.</summary>
    public void CheckAvailable(bool hasValidation, string callback)
    {
        if (IsValidation && !hasValidation)
        {
            throw new InvalidOperationException(
                $"{callback} monitors '{Name}', but Fit was given no validation set: pass validation (or FitOptions.ValidationSplit), or monitor a training value such as \"loss\".");
        }
    }

    /// <summary>Refuses a monitored metric that Fit does not compute.</summary>
    public void CheckComputed(IReadOnlyList<string> metricNames, string callback)
    {
        if (MetricName is { } metric && !metricNames.Contains(metric))
        {
            throw new InvalidOperationException(
                $"{callback} monitors '{Name}', but Fit computes no metric '{metric}': add it to FitOptions.Metrics " +
                $"(Fit computes {(metricNames.Count == 0 ? "no metrics" : string.Join(", ", metricNames))}).");
        }
    }

    /// <summary>The monitored value of <paramref name="report"/>.</summary>
    /// <exception cref="InvalidOperationException">The report has no such value (an accuracy of a regression network, a val_ value without validation).</exception>
    public double Value(EpochReport report, string callback)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Value(Name) ?? throw new InvalidOperationException(
            $"{callback} monitors '{Name}', but epoch {report.Epoch} reported none ({(IsValidation && report.ValidationLoss is null ? "no validation set" : MetricName is null ? "the network's loss has no accuracy" : "that metric was not computed")}); monitor another value.");
    }

    /// <summary>Checks a callback's argument that must be finite and ≥ 0 (minDelta, a minimum rate).</summary>
    public static double FiniteNonNegative(double value, string name) =>
        double.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} is a finite value ≥ 0.");

    /// <summary>Whether <paramref name="current"/> beats <paramref name="best"/> by more than <paramref name="minDelta"/> (≥ 0).</summary>
    public bool Improves(double current, double best, double minDelta) =>
        Maximize ? current - minDelta > best : current + minDelta < best;
}
