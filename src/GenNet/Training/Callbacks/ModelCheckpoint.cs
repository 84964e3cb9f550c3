using System;
using System.Globalization;

namespace GenNet;

/// <summary>
/// Keras's <c>ModelCheckpoint</c>: saves the network's parameters and buffers (safetensors, with the atomic
/// <see cref="SafeTensors.Save(INetwork, string)"/>) after every epoch, or with <see cref="SaveBestOnly"/> only after an
/// epoch whose monitored value beats every earlier one.
/// </summary>
/// <remarks>
/// A <c>{epoch}</c> in the path is replaced by the epoch number from 1 (<c>"checkpoints/epoch-{epoch}.safetensors"</c>);
/// without it each save replaces the last. Directories are not created. As in Keras, with saveBestOnly the first epoch is
/// always saved and a later one only when strictly better (no minimum change).
/// </remarks>
public sealed class ModelCheckpoint : Callback, IMonitoringCallback
{
    private const string EpochPlaceholder = "{epoch}";
    private readonly Monitor _monitor;
    private ITrainableNetwork? _network;

    /// <summary>Saves the network to <paramref name="path"/> after each epoch, or after each improving one.</summary>
    /// <param name="path">The file to write; <c>{epoch}</c> is replaced by the epoch number.</param>
    /// <param name="monitor"><c>"loss"</c>, <c>"accuracy"</c>, <c>"val_loss"</c>, <c>"val_accuracy"</c>, or a metric of <see cref="FitOptions.Metrics"/> (<c>"f1"</c>, <c>"val_f1"</c>); used only with <paramref name="saveBestOnly"/>.</param>
    /// <param name="saveBestOnly">Save only when the monitored value improves on the best so far.</param>
    /// <param name="mode">Which way is better; <see cref="MonitorMode.Auto"/> is up for an accuracy, down for a loss.</param>
    /// <exception cref="ArgumentException">An empty path or an unknown monitor.</exception>
    public ModelCheckpoint(string path, string monitor = "val_loss", bool saveBestOnly = false, MonitorMode mode = MonitorMode.Auto)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _monitor = new Monitor(monitor, mode, nameof(monitor));
        Path = path;
        SaveBestOnly = saveBestOnly;
    }

    /// <summary>The path written, before <c>{epoch}</c> is replaced.</summary>
    public string Path { get; }

    /// <summary>The monitored value's name.</summary>
    public string Monitor => _monitor.Name;

    /// <summary>Whether only improving epochs are saved.</summary>
    public bool SaveBestOnly { get; }

    /// <summary>The best monitored value saved so far, when <see cref="SaveBestOnly"/>.</summary>
    public double Best { get; private set; }

    /// <summary>The file of the most recent save; null before the first.</summary>
    public string? LastSavedPath { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin(ITrainableNetwork network, Optimizer optimizer, bool hasValidation)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (SaveBestOnly)
        {
            _monitor.CheckAvailable(hasValidation, nameof(ModelCheckpoint));
        }

        _network = network;
        Best = _monitor.Worst;
        LastSavedPath = null;
    }

    /// <inheritdoc/>
    public override bool OnEpochEnd(EpochReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (_network is null)
        {
            throw new InvalidOperationException("OnTrainBegin was not called: Fit calls it before the first epoch.");
        }

        if (SaveBestOnly)
        {
            double current = _monitor.Value(report, nameof(ModelCheckpoint));
            if (!_monitor.Improves(current, Best, minDelta: 0))
            {
                return false;
            }

            Best = current;
        }

        string path = Path.Replace(EpochPlaceholder, report.Epoch.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        _network.Save(path);
        LastSavedPath = path;
        return false;
    }

    void IMonitoringCallback.CheckMonitorComputed(System.Collections.Generic.IReadOnlyList<string> metricNames)
    {
        if (SaveBestOnly)
        {
            _monitor.CheckComputed(metricNames, nameof(ModelCheckpoint));
        }
    }
}
