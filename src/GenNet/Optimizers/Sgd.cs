using System;
using System.Runtime.CompilerServices;
using GenNet.Kernels;

namespace GenNet;

/// <summary>Stochastic gradient descent, optionally with momentum or Nesterov momentum (Keras 3 <c>SGD</c>).</summary>
/// <remarks>
/// Without momentum: <c>w -= lr * g</c>.
/// With momentum: <c>v = momentum * v - lr * g</c>, then <c>w += v</c>; with Nesterov,
/// <c>w += momentum * v - lr * g</c> using the updated <c>v</c>. The velocity <c>v</c> starts at zero.
/// </remarks>
public sealed class Sgd : Optimizer
{
    private float[]? _velocity;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">The step size; positive and finite.</param>
    /// <param name="momentum">The velocity's decay, in [0, 1); 0 disables momentum (and Nesterov).</param>
    /// <param name="nesterov">Whether to use Nesterov momentum.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public Sgd(float learningRate = 0.01f, float momentum = 0f, bool nesterov = false)
        : base(learningRate)
    {
        Momentum = OptimizerArguments.Fraction(momentum, nameof(momentum));
        Nesterov = nesterov;
    }

    /// <summary>The velocity's decay; 0 means plain gradient descent.</summary>
    public float Momentum { get; }

    /// <summary>Whether the update uses Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        PrepareParts(parameters.Length);
        UpdatedFinite = Apply(parameters, gradients, 0, LearningRate);
    }

    internal override bool UpdatesInParts => true;

    private protected override void PrepareParts(int length)
    {
        if (Momentum != 0f)
        {
            _velocity ??= new float[length];
        }
    }

    internal override bool UpdatePart(Span<float> parameters, ReadOnlySpan<float> gradients, int offset) =>
        Apply(parameters, gradients, offset, PartsRate);

    // The parameters at offset… of the buffer, with their share of the velocity; true when they are all finite after it.
    private bool Apply(Span<float> parameters, ReadOnlySpan<float> gradients, int offset, float learningRate)
    {
        if (Momentum == 0f)
        {
            return Simd.Update(new PlainOperator(learningRate), parameters, gradients, default, default);
        }

        return Simd.Update(new MomentumOperator(learningRate, Momentum, Nesterov), parameters, gradients, _velocity.AsSpan(offset, parameters.Length), default);
    }

    /// <inheritdoc/>
    public override void Reset()
    {
        base.Reset();
        _velocity = null;
    }

    /// <summary><c>w -= lr * g</c>.</summary>
    private readonly struct PlainOperator(float learningRate) : IUpdateOperator
    {
        public static int StateCount => 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Invoke<TVector, TWidth>(TVector w, TVector g, ref TVector unused0, ref TVector unused1)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector> =>
            TWidth.Subtract(w, TWidth.Multiply(TWidth.Broadcast(learningRate), g));
    }

    /// <summary><c>v = momentum * v - lr * g</c>; <c>w += v</c>, or <c>w += momentum * v - lr * g</c> with Nesterov.</summary>
    private readonly struct MomentumOperator(float learningRate, float momentum, bool nesterov) : IUpdateOperator
    {
        public static int StateCount => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Invoke<TVector, TWidth>(TVector w, TVector g, ref TVector v, ref TVector unused)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            TVector mu = TWidth.Broadcast(momentum);
            TVector lr = TWidth.Broadcast(learningRate);
            v = TWidth.Subtract(TWidth.Multiply(mu, v), TWidth.Multiply(lr, g));
            return nesterov ? TWidth.Add(w, TWidth.Subtract(TWidth.Multiply(mu, v), TWidth.Multiply(lr, g))) : TWidth.Add(w, v);
        }
    }
}
