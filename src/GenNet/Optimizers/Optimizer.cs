using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

/// <summary>
/// One optimizer's per-element update rule at every vector width. Each parameter has up to two state
/// values (moments), passed by reference and updated in place; the new parameter is returned.
/// </summary>
internal interface IUpdateOperator
{
    /// <summary>How many state buffers (0, 1 or 2) the rule reads and writes; the others are ignored.</summary>
    static abstract int StateCount { get; }

    float Invoke(float parameter, float gradient, ref float state0, ref float state1);
    Vector128<float> Invoke(Vector128<float> parameter, Vector128<float> gradient, ref Vector128<float> state0, ref Vector128<float> state1);
    Vector256<float> Invoke(Vector256<float> parameter, Vector256<float> gradient, ref Vector256<float> state0, ref Vector256<float> state1);
    Vector512<float> Invoke(Vector512<float> parameter, Vector512<float> gradient, ref Vector512<float> state0, ref Vector512<float> state1);
}

/// <summary>
/// Runs an <see cref="IUpdateOperator"/> over the buffers: the widest accelerated vector first, then
/// narrower ones, then scalars for the tail. <c>IsHardwareAccelerated</c> and <c>StateCount</c> are
/// JIT-time constants, so only the needed paths and loads are compiled.
/// </summary>
internal static class UpdateDriver
{
    /// <summary>
    /// <c>(parameters[i], state0[i], state1[i]) = op(parameters[i], gradients[i], state0[i], state1[i])</c>.
    /// The state spans the operator uses have the parameters' length; the others may be empty.
    /// </summary>
    public static void Apply<TOperator>(in TOperator op, Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state0, Span<float> state1)
        where TOperator : struct, IUpdateOperator
    {
        Debug.Assert(gradients.Length == parameters.Length);
        Debug.Assert(TOperator.StateCount < 1 || state0.Length == parameters.Length);
        Debug.Assert(TOperator.StateCount < 2 || state1.Length == parameters.Length);

        ref float w = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float s0 = ref MemoryMarshal.GetReference(state0);
        ref float s1 = ref MemoryMarshal.GetReference(state1);
        nuint length = (nuint)parameters.Length;
        nuint i = 0;

        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<float>.Count <= length; i += (nuint)Vector512<float>.Count)
            {
                Vector512<float> a = TOperator.StateCount > 0 ? Vector512.LoadUnsafe(ref s0, i) : default;
                Vector512<float> b = TOperator.StateCount > 1 ? Vector512.LoadUnsafe(ref s1, i) : default;
                op.Invoke(Vector512.LoadUnsafe(ref w, i), Vector512.LoadUnsafe(ref g, i), ref a, ref b).StoreUnsafe(ref w, i);
                if (TOperator.StateCount > 0)
                {
                    a.StoreUnsafe(ref s0, i);
                }

                if (TOperator.StateCount > 1)
                {
                    b.StoreUnsafe(ref s1, i);
                }
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<float>.Count <= length; i += (nuint)Vector256<float>.Count)
            {
                Vector256<float> a = TOperator.StateCount > 0 ? Vector256.LoadUnsafe(ref s0, i) : default;
                Vector256<float> b = TOperator.StateCount > 1 ? Vector256.LoadUnsafe(ref s1, i) : default;
                op.Invoke(Vector256.LoadUnsafe(ref w, i), Vector256.LoadUnsafe(ref g, i), ref a, ref b).StoreUnsafe(ref w, i);
                if (TOperator.StateCount > 0)
                {
                    a.StoreUnsafe(ref s0, i);
                }

                if (TOperator.StateCount > 1)
                {
                    b.StoreUnsafe(ref s1, i);
                }
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<float>.Count <= length; i += (nuint)Vector128<float>.Count)
            {
                Vector128<float> a = TOperator.StateCount > 0 ? Vector128.LoadUnsafe(ref s0, i) : default;
                Vector128<float> b = TOperator.StateCount > 1 ? Vector128.LoadUnsafe(ref s1, i) : default;
                op.Invoke(Vector128.LoadUnsafe(ref w, i), Vector128.LoadUnsafe(ref g, i), ref a, ref b).StoreUnsafe(ref w, i);
                if (TOperator.StateCount > 0)
                {
                    a.StoreUnsafe(ref s0, i);
                }

                if (TOperator.StateCount > 1)
                {
                    b.StoreUnsafe(ref s1, i);
                }
            }
        }

        for (; i < length; i++)
        {
            float a = TOperator.StateCount > 0 ? Unsafe.Add(ref s0, i) : 0f;
            float b = TOperator.StateCount > 1 ? Unsafe.Add(ref s1, i) : 0f;
            Unsafe.Add(ref w, i) = op.Invoke(Unsafe.Add(ref w, i), Unsafe.Add(ref g, i), ref a, ref b);
            if (TOperator.StateCount > 0)
            {
                Unsafe.Add(ref s0, i) = a;
            }

            if (TOperator.StateCount > 1)
            {
                Unsafe.Add(ref s1, i) = b;
            }
        }
    }
}
