using System;

namespace GenNet;

/// <summary>
/// Keras's <c>EarlyStopping</c>: stops training when the monitored value has not improved by more than
/// <see cref="MinDelta"/> for <see cref="Patience"/> epochs in a row, and with <see cref="RestoreBestWeights"/> puts the
/// parameters and buffers of the best epoch back when training ends.
/// </summary>
/// <remarks>
/// As in Keras 3: the first epoch always improves and never stops training; an epoch stops it when it is the
/// <c>patience</c>-th in a row without improvement (so patience 0 stops at the first epoch that does not improve);
/// the best weights are restored when training ends, whether or not it stopped early. The copies are bit-identical and
/// are taken into arrays allocated at train begin.
/// </remarks>
public sealed class EarlyStopping : Callback, IMonitoringCallback
{
    private readonly Monitor _monitor;
    private ITrainableNetwork? _network;
    private float[] _bestParameters = [];
    private float[] _bestBuffers = [];
    private bool _haveBest;
    private int _wait;

    /// <summary>Stops training once <paramref name="monitor"/> stops improving.</summary>
    /// <param name="monitor"><c>"loss"</c>, <c>"accuracy"</c>, <c>"val_loss"</c>, <c>"val_accuracy"</c>, or a metric of <see cref="FitOptions.Metrics"/> (<c>"f1"</c>, <c>"val_f1"</c>).</param>
    /// <param name="patience">Epochs without improvement after which training stops; ≥ 0.</param>
    /// <param name="minDelta">The least change that counts as an improvement; ≥ 0 (Keras takes its absolute value; this refuses a negative one).</param>
    /// <param name="mode">Which way is better; <see cref="MonitorMode.Auto"/> is up for an accuracy, down for a loss.</param>
    /// <param name="restoreBestWeights">Put back the parameters and buffers of the best epoch when training ends.</param>
    /// <exception cref="ArgumentException">An unknown monitor, a negative patience, or a negative or non-finite minDelta.</exception>
    public EarlyStopping(string monitor = "val_loss", int patience = 0, double minDelta = 0, MonitorMode mode = MonitorMode.Auto, bool restoreBestWeights = false)
    {
        _monitor = new Monitor(monitor, mode, nameof(monitor));
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        Patience = patience;
        MinDelta = GenNet.Monitor.FiniteNonNegative(minDelta, nameof(minDelta));
        RestoreBestWeights = restoreBestWeights;
    }

    /// <summary>The monitored value's name.</summary>
    public string Monitor => _monitor.Name;

    /// <summary>Epochs without improvement after which training stops.</summary>
    public int Patience { get; }

    /// <summary>The least change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Whether the best epoch's parameters and buffers are put back when training ends.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>The best monitored value so far (infinitely bad before the first epoch).</summary>
    public double Best { get; private set; }

    /// <summary>The epoch (from 1) of <see cref="Best"/>; 0 before the first epoch.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The epoch (from 1) after which this callback stopped training; 0 if it has not.</summary>
    public int StoppedEpoch { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin(ITrainableNetwork network, Optimizer optimizer, bool hasValidation)
    {
        ArgumentNullException.ThrowIfNull(network);
        _monitor.CheckAvailable(hasValidation, nameof(EarlyStopping));
        _network = network;
        _wait = 0;
        _haveBest = false;
        Best = _monitor.Worst;
        BestEpoch = 0;
        StoppedEpoch = 0;
        if (RestoreBestWeights)
        {
            _bestParameters = new float[network.ParameterCount];
            _bestBuffers = new float[network.Buffers.Length];
        }
    }

    /// <inheritdoc/>
    public override bool OnEpochEnd(EpochReport report)
    {
        double current = _monitor.Value(report, nameof(EarlyStopping));
        _wait++;
        if (_monitor.Improves(current, Best, MinDelta))
        {
            Best = current;
            BestEpoch = report.Epoch;
            _wait = 0;
            Snapshot();
            return false;
        }

        if (RestoreBestWeights && !_haveBest)
        {
            Snapshot(); // Keras keeps the first epoch's weights even when it did not improve (a NaN loss)
        }

        if (_wait >= Patience && report.Epoch > 1)
        {
            StoppedEpoch = report.Epoch;
            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(History history)
    {
        if (RestoreBestWeights && _haveBest && _network is not null)
        {
            NetworkBase.WriteParameters(_network, _bestParameters);
            _bestBuffers.CopyTo(_network.Buffers);
        }
    }

    private void Snapshot()
    {
        if (RestoreBestWeights && _network is not null)
        {
            _network.ParameterValues.CopyTo(_bestParameters);
            _network.Buffers.CopyTo(_bestBuffers);
            _haveBest = true;
        }
    }

    void IMonitoringCallback.CheckMonitorComputed(System.Collections.Generic.IReadOnlyList<string> metricNames)
    {
        _monitor.CheckComputed(metricNames, nameof(EarlyStopping));
    }
}
