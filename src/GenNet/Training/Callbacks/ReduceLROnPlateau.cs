using System;

namespace GenNet;

/// <summary>
/// Keras's <c>ReduceLROnPlateau</c>: multiplies the optimizer's <see cref="Optimizer.LearningRate"/> by
/// <see cref="Factor"/> (not below <see cref="MinLearningRate"/>) once the monitored value has not improved by more than
/// <see cref="MinDelta"/> for <see cref="Patience"/> epochs, then waits <see cref="Cooldown"/> epochs before counting again.
/// </summary>
/// <remarks>
/// An optimizer with a <see cref="Optimizer.Schedule"/> is refused when training begins: the schedule owns the rate, and
/// Keras likewise cannot set the rate of an optimizer built on a schedule. Remove the schedule to use this callback.
/// </remarks>
public sealed class ReduceLROnPlateau : Callback, IMonitoringCallback
{
    private readonly Monitor _monitor;
    private Optimizer? _optimizer;
    private int _wait;
    private int _cooldownLeft;

    /// <summary>Lowers the learning rate when <paramref name="monitor"/> stops improving.</summary>
    /// <param name="monitor"><c>"loss"</c>, <c>"accuracy"</c>, <c>"val_loss"</c>, <c>"val_accuracy"</c>, or a metric of <see cref="FitOptions.Metrics"/> (<c>"f1"</c>, <c>"val_f1"</c>).</param>
    /// <param name="factor">The rate is multiplied by this; 0 &lt; factor &lt; 1.</param>
    /// <param name="patience">Epochs without improvement before the rate is lowered; ≥ 0.</param>
    /// <param name="minDelta">The least change that counts as an improvement; ≥ 0.</param>
    /// <param name="cooldown">Epochs after a reduction during which no further one is counted; ≥ 0.</param>
    /// <param name="minLearningRate">The rate is never lowered below this; ≥ 0.</param>
    /// <param name="mode">Which way is better; <see cref="MonitorMode.Auto"/> is up for an accuracy, down for a loss.</param>
    /// <exception cref="ArgumentException">An unknown monitor or an argument out of its range.</exception>
    public ReduceLROnPlateau(
        string monitor = "val_loss", double factor = 0.1, int patience = 10, double minDelta = 1e-4, int cooldown = 0,
        double minLearningRate = 0, MonitorMode mode = MonitorMode.Auto)
    {
        _monitor = new Monitor(monitor, mode, nameof(monitor));
        if (!(factor > 0 && factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "ReduceLROnPlateau does not support a factor ≥ 1 (or ≤ 0): the rate is multiplied by it to lower it.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
        Factor = factor;
        Patience = patience;
        MinDelta = GenNet.Monitor.FiniteNonNegative(minDelta, nameof(minDelta));
        Cooldown = cooldown;
        MinLearningRate = GenNet.Monitor.FiniteNonNegative(minLearningRate, nameof(minLearningRate));
    }

    /// <summary>The monitored value's name.</summary>
    public string Monitor => _monitor.Name;

    /// <summary>The factor the rate is multiplied by.</summary>
    public double Factor { get; }

    /// <summary>Epochs without improvement before a reduction.</summary>
    public int Patience { get; }

    /// <summary>The least change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Epochs after a reduction before counting resumes.</summary>
    public int Cooldown { get; }

    /// <summary>The lowest rate a reduction gives.</summary>
    public double MinLearningRate { get; }

    /// <summary>The best monitored value so far.</summary>
    public double Best { get; private set; }

    /// <summary>How many times the rate was lowered in this training run.</summary>
    public int Reductions { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin(ITrainableNetwork network, Optimizer optimizer, bool hasValidation)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        _monitor.CheckAvailable(hasValidation, nameof(ReduceLROnPlateau));
        RefuseSchedule(optimizer);
        _optimizer = optimizer;
        _wait = 0;
        _cooldownLeft = 0;
        Reductions = 0;
        Best = _monitor.Worst;
    }

    /// <inheritdoc/>
    public override bool OnEpochEnd(EpochReport report)
    {
        Optimizer optimizer = _optimizer ?? throw new InvalidOperationException("OnTrainBegin was not called: Fit calls it before the first epoch.");
        double current = _monitor.Value(report, nameof(ReduceLROnPlateau));
        if (_cooldownLeft > 0)
        {
            _cooldownLeft--;
            _wait = 0;
        }

        if (_monitor.Improves(current, Best, MinDelta))
        {
            Best = current;
            _wait = 0;
        }
        else if (_cooldownLeft == 0 && ++_wait >= Patience)
        {
            float old = optimizer.LearningRate;
            if (old > (float)MinLearningRate)
            {
                RefuseSchedule(optimizer);
                float lowered = (float)Math.Max(old * Factor, MinLearningRate);
                if (lowered > 0)
                {
                    optimizer.LearningRate = lowered;
                    Reductions++;
                }

                _cooldownLeft = Cooldown;
                _wait = 0;
            }
        }

        return false;
    }

    private static void RefuseSchedule(Optimizer optimizer)
    {
        if (optimizer.Schedule is { } schedule)
        {
            throw new InvalidOperationException(
                $"ReduceLROnPlateau cannot lower the learning rate of an optimizer with a Schedule ({schedule.GetType().Name}): the schedule sets the rate at every step. Use one or the other.");
        }
    }

    void IMonitoringCallback.CheckMonitorComputed(System.Collections.Generic.IReadOnlyList<string> metricNames)
    {
        _monitor.CheckComputed(metricNames, nameof(ReduceLROnPlateau));
    }
}
