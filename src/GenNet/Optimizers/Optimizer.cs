using System;

namespace GenNet;

/// <summary>
/// A first-order optimizer: updates a flat parameter buffer in place from the gradient buffer of the
/// same length, once per training step. The update rules follow Keras 3.
/// </summary>
/// <remarks>
/// Per-parameter state (moments) is allocated on the first <see cref="Step(Span{float}, ReadOnlySpan{float})"/>, sized to the parameter
/// buffer; from then on the optimizer only accepts buffers of that length until <see cref="Reset"/>.
/// <see cref="Step(Span{float}, ReadOnlySpan{float})"/> allocates nothing after its first call.
/// A <see cref="Schedule"/> makes the learning rate a function of the step, as a Keras
/// <c>LearningRateSchedule</c> passed as <c>learning_rate</c> does.
/// </remarks>
public abstract class Optimizer
{
    private float _learningRate;
    private int _parameterCount;
    private LearningRateSchedule? _schedule;
    private float _scheduledRate;
    private long _scheduledStep = -1;

    /// <summary>Initialises the optimizer with its learning rate.</summary>
    /// <param name="learningRate">The step size; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is not positive and finite.</exception>
    protected Optimizer(float learningRate)
    {
        _learningRate = OptimizerArguments.Positive(learningRate, nameof(learningRate));
    }

    /// <summary>
    /// The step size. Without a <see cref="Schedule"/>: the fixed rate, positive and finite, which may be changed
    /// between steps. With one: reading gives the rate the next <see cref="Step(Span{float}, ReadOnlySpan{float})"/> uses,
    /// <c>Schedule.Rate(Iterations)</c> (Keras's <c>optimizer.learning_rate</c>), and writing throws, as Keras refuses
    /// to set the rate of an optimizer built on a schedule; remove the schedule first to set a fixed rate again.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value written is not positive and finite.</exception>
    /// <exception cref="InvalidOperationException">
    /// Written while a <see cref="Schedule"/> is set, or read while the schedule gives a negative or non-finite rate.
    /// </exception>
    public float LearningRate
    {
        get => _schedule is null ? _learningRate : ScheduledRate();
        set
        {
            if (_schedule is not null)
            {
                throw new InvalidOperationException(
                    $"The learning rate comes from the schedule ({_schedule.GetType().Name}) and cannot be set; set Schedule to null first to use a fixed rate.");
            }

            _learningRate = OptimizerArguments.Positive(value, nameof(value));
        }
    }

    /// <summary>
    /// Makes the learning rate a function of the step: each <see cref="Step(Span{float}, ReadOnlySpan{float})"/> uses
    /// <c>Schedule.Rate(Iterations)</c>, the number of earlier steps, so the first step uses <c>Rate(0)</c> and
    /// <see cref="Reset"/> starts the schedule again. Null (the default) uses the fixed <see cref="LearningRate"/>,
    /// which setting the schedule back to null restores. It may be changed between steps.
    /// </summary>
    public LearningRateSchedule? Schedule
    {
        get => _schedule;
        set
        {
            _schedule = value;
            _scheduledStep = -1;
        }
    }

    /// <summary>The number of <see cref="Step(Span{float}, ReadOnlySpan{float})"/> calls since construction or the last <see cref="Reset"/>.</summary>
    public long Iterations { get; private set; }

    /// <summary>Applies one update to <paramref name="parameters"/> from <paramref name="gradients"/>.</summary>
    /// <param name="parameters">The parameters, updated in place.</param>
    /// <param name="gradients">The gradient of the loss for each parameter.</param>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    /// <exception cref="InvalidOperationException">
    /// An earlier step was given a different number of parameters (call <see cref="Reset"/> first).
    /// </exception>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != gradients.Length)
        {
            throw new ArgumentException(
                $"The parameters span has {parameters.Length} values but the gradients span has {gradients.Length}; they must have the same length.",
                nameof(gradients));
        }

        if (parameters.IsEmpty)
        {
            throw new ArgumentException("The parameters and gradients spans are empty; there is nothing to optimize.", nameof(parameters));
        }

        CheckCount(parameters.Length);
        Update(parameters, gradients);
        Iterations++;
    }

    /// <summary>
    /// Applies one update to <paramref name="network"/>'s parameters from its <see cref="ITrainableNetwork.Gradients"/> (those
    /// of the last <c>ComputeGradients</c>): what <c>Fit</c> does after each batch, for a training loop of your own. Unlike
    /// <c>Step(network.Parameters, network.Gradients)</c> it does not hand the parameter arena out, so a generated network
    /// keeps the packed copies of its weights that make one-sample <c>Forward</c> faster (see <see cref="INetwork.Parameters"/>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">The network has no parameters.</exception>
    /// <exception cref="InvalidOperationException">An earlier step was given a different number of parameters (call <see cref="Reset"/> first).</exception>
    public void Step(ITrainableNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Span<float> parameters = NetworkBase.ParametersToWrite(network);
        try
        {
            Step(parameters, network.Gradients);
        }
        finally
        {
            NetworkBase.ParametersWritten(network);
        }
    }

    // The checks of a step's buffer length against the earlier steps', and of the schedule's rate.
    private void CheckCount(int length)
    {
        if (_parameterCount == 0)
        {
            _parameterCount = length;
        }
        else if (_parameterCount != length)
        {
            throw new InvalidOperationException(
                $"The optimizer was used with {_parameterCount} parameters and now gets {length}. Call Reset() to reuse it for another network.");
        }

        if (_schedule is not null)
        {
            ScheduledRate(); // checks the rate before the parameters change
        }
    }

    /// <summary>
    /// True when the update rule is element-wise and implements <see cref="UpdatePart"/>, so that a training step split by
    /// outputs (<see cref="Kernels.OutputSplit"/>) can run each core's share of the step where its weights are: every
    /// built-in optimizer (Adam, AdamW, SGD, RMSprop). Any other subclass steps on the calling thread.
    /// </summary>
    internal virtual bool UpdatesInParts => false;

    /// <summary>The learning rate of the step that <see cref="BeginParts"/> began, fixed there for every part.</summary>
    private protected float PartsRate { get; private set; }

    /// <summary>
    /// Begins a step taken in parts: the checks of <see cref="Step(Span{float}, ReadOnlySpan{float})"/> for <paramref name="length"/> parameters, the state
    /// allocated, and the rate fixed. Then <see cref="UpdatePart"/> on disjoint ranges covering the buffers, on any threads,
    /// and <see cref="EndParts"/>: the same arithmetic per parameter as <see cref="Step(Span{float}, ReadOnlySpan{float})"/>.
    /// </summary>
    internal void BeginParts(int length)
    {
        if (length == 0)
        {
            throw new ArgumentException("The parameters and gradients spans are empty; there is nothing to optimize.", nameof(length));
        }

        CheckCount(length);
        PartsRate = LearningRate;
        PrepareParts(length);
    }

    /// <summary>Allocates the per-parameter state for <paramref name="length"/> parameters if it is not there yet.</summary>
    private protected virtual void PrepareParts(int length)
    {
    }

    /// <summary>
    /// Updates the parameters at <paramref name="offset"/>… of the buffer (<paramref name="parameters"/> is that range);
    /// true when they are all finite after it.
    /// </summary>
    internal virtual bool UpdatePart(Span<float> parameters, ReadOnlySpan<float> gradients, int offset) =>
        throw new NotSupportedException($"{GetType().Name} does not update in parts.");

    /// <summary>
    /// Set by the built-in optimizers' <see cref="Update"/>: whether every parameter it wrote is finite, checked as the
    /// update wrote them (<see cref="Kernels.Simd.Update{TOperator}"/>). Null where the rule is a subclass's own.
    /// </summary>
    private protected bool? UpdatedFinite { get; set; }

    /// <summary>
    /// <see cref="Step(ITrainableNetwork)"/>, then whether the network's parameters are all finite: what <c>Fit</c> checks
    /// after every step. The built-in optimizers answer from their update's own pass; any other subclass's parameters are
    /// read again.
    /// </summary>
    internal bool StepAndCheckFinite(ITrainableNetwork network)
    {
        UpdatedFinite = null;
        Step(network);
        return UpdatedFinite ?? System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(network.ParameterValues);
    }

    /// <summary>Ends a step taken in parts: one more iteration.</summary>
    internal void EndParts() => Iterations++;

    /// <summary>
    /// Applies the update rule. Called by <see cref="Step(Span{float}, ReadOnlySpan{float})"/> with non-empty spans of equal length, the same
    /// length as in every earlier call since the last <see cref="Reset"/>; <see cref="Iterations"/> is the
    /// number of earlier steps. Must not allocate except for state on the first call.
    /// </summary>
    /// <param name="parameters">The parameters, updated in place.</param>
    /// <param name="gradients">The gradient of the loss for each parameter.</param>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients);

    /// <summary>
    /// Forgets all state (moments, the iteration count and the parameter count), so the optimizer starts
    /// afresh and can be used with a buffer of another length. Overrides must call the base method.
    /// </summary>
    public virtual void Reset()
    {
        _parameterCount = 0;
        Iterations = 0;
        _scheduledStep = -1;
    }

    /// <summary>The schedule's rate at <see cref="Iterations"/>, asked once per step and checked.</summary>
    private float ScheduledRate()
    {
        if (_scheduledStep != Iterations)
        {
            float rate = _schedule!.Rate(Iterations);
            if (!(rate >= 0f) || !float.IsFinite(rate))
            {
                throw new InvalidOperationException(
                    $"The schedule {_schedule.GetType().Name} gave the learning rate {rate} for step {Iterations}; a rate must be finite and not negative.");
            }

            _scheduledRate = rate;
            _scheduledStep = Iterations;
        }

        return _scheduledRate;
    }
}

/// <summary>Hyperparameter checks shared by the optimizers' constructors.</summary>
internal static class OptimizerArguments
{
    /// <summary>Returns <paramref name="value"/> if it is positive and finite.</summary>
    public static float Positive(float value, string parameterName)
    {
        if (!(value > 0f) || !float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(parameterName, value, $"{parameterName} must be positive and finite.");
        }

        return value;
    }

    /// <summary>Returns <paramref name="value"/> if it is finite and not negative.</summary>
    public static float NonNegative(float value, string parameterName)
    {
        if (!(value >= 0f) || !float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(parameterName, value, $"{parameterName} must be finite and not negative.");
        }

        return value;
    }

    /// <summary>Returns <paramref name="value"/> if it lies in [0, 1).</summary>
    public static float Fraction(float value, string parameterName)
    {
        if (!(value >= 0f && value < 1f))
        {
            throw new ArgumentOutOfRangeException(parameterName, value, $"{parameterName} must be in [0, 1).");
        }

        return value;
    }
}
