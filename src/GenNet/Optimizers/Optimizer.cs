using System;

namespace GenNet;

/// <summary>
/// A first-order optimizer: updates a flat parameter buffer in place from the gradient buffer of the
/// same length, once per training step. The update rules follow Keras 3.
/// </summary>
/// <remarks>
/// Per-parameter state (moments) is allocated on the first <see cref="Step"/>, sized to the parameter
/// buffer; from then on the optimizer only accepts buffers of that length until <see cref="Reset"/>.
/// <see cref="Step"/> allocates nothing after its first call.
/// </remarks>
public abstract class Optimizer
{
    private float _learningRate;
    private int _parameterCount;

    /// <summary>Initialises the optimizer with its learning rate.</summary>
    /// <param name="learningRate">The step size; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is not positive and finite.</exception>
    protected Optimizer(float learningRate)
    {
        _learningRate = OptimizerArguments.Positive(learningRate, nameof(learningRate));
    }

    /// <summary>The step size; positive and finite. It may be changed between steps (a schedule).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = OptimizerArguments.Positive(value, nameof(value));
    }

    /// <summary>The number of <see cref="Step"/> calls since construction or the last <see cref="Reset"/>.</summary>
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

        if (_parameterCount == 0)
        {
            _parameterCount = parameters.Length;
        }
        else if (_parameterCount != parameters.Length)
        {
            throw new InvalidOperationException(
                $"The optimizer was used with {_parameterCount} parameters and now gets {parameters.Length}. Call Reset() to reuse it for another network.");
        }

        Update(parameters, gradients);
        Iterations++;
    }

    /// <summary>
    /// Applies the update rule. Called by <see cref="Step"/> with non-empty spans of equal length, the same
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
