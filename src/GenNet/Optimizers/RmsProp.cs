using System;
using System.Runtime.CompilerServices;
using GenNet.Kernels;

namespace GenNet;

/// <summary>RMSprop, optionally with momentum (Keras 3 <c>RMSprop</c>, not centered).</summary>
/// <remarks>
/// With <c>v</c> (and the momentum buffer <c>mom</c>) starting at zero:
/// <c>v = rho * v + (1 - rho) * g * g</c>; <c>increment = lr * g / sqrt(v + epsilon)</c>;
/// without momentum <c>w -= increment</c>; with momentum <c>mom = momentum * mom + increment</c>, <c>w -= mom</c>.
/// </remarks>
public sealed class RmsProp : Optimizer
{
    private float[]? _velocity;
    private float[]? _momentumBuffer;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">The step size; positive and finite.</param>
    /// <param name="rho">The decay of the moving average of squared gradients, in [0, 1).</param>
    /// <param name="momentum">The decay of the momentum buffer, in [0, 1); 0 disables momentum.</param>
    /// <param name="epsilon">Added to <c>v</c> under the square root for numerical stability; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public RmsProp(float learningRate = 1e-3f, float rho = 0.9f, float momentum = 0f, float epsilon = 1e-7f)
        : base(learningRate)
    {
        Rho = OptimizerArguments.Fraction(rho, nameof(rho));
        Momentum = OptimizerArguments.Fraction(momentum, nameof(momentum));
        Epsilon = OptimizerArguments.Positive(epsilon, nameof(epsilon));
    }

    /// <summary>The decay of the moving average of squared gradients.</summary>
    public float Rho { get; }

    /// <summary>The decay of the momentum buffer; 0 means no momentum.</summary>
    public float Momentum { get; }

    /// <summary>Added to <c>v</c> under the square root for numerical stability.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        PrepareParts(parameters.Length);
        UpdatedFinite = Apply(parameters, gradients, 0, LearningRate);
    }

    internal override bool UpdatesInParts => true;

    private protected override void PrepareParts(int length)
    {
        _velocity ??= new float[length];
        if (Momentum != 0f)
        {
            _momentumBuffer ??= new float[length];
        }
    }

    internal override bool UpdatePart(Span<float> parameters, ReadOnlySpan<float> gradients, int offset) =>
        Apply(parameters, gradients, offset, PartsRate);

    // The parameters at offset… of the buffer, with their share of the moving average (and momentum buffer); true when they
    // are all finite after it.
    private bool Apply(Span<float> parameters, ReadOnlySpan<float> gradients, int offset, float learningRate)
    {
        var increment = new Increment(learningRate, Rho, Epsilon);
        Span<float> velocity = _velocity.AsSpan(offset, parameters.Length);
        if (Momentum == 0f)
        {
            return Simd.Update(new PlainOperator(increment), parameters, gradients, velocity, default);
        }

        return Simd.Update(new MomentumOperator(increment, Momentum), parameters, gradients, velocity, _momentumBuffer.AsSpan(offset, parameters.Length));
    }

    /// <inheritdoc/>
    public override void Reset()
    {
        base.Reset();
        _velocity = null;
        _momentumBuffer = null;
    }

    /// <summary><c>v = rho * v + (1 - rho) * g * g</c>; returns <c>lr * g / sqrt(v + epsilon)</c>.</summary>
    private readonly struct Increment
    {
        private readonly float _learningRate;
        private readonly float _rho;
        private readonly float _oneMinusRho;
        private readonly float _epsilon;

        public Increment(float learningRate, float rho, float epsilon)
        {
            _learningRate = learningRate;
            _rho = rho;
            _oneMinusRho = 1f - rho;
            _epsilon = epsilon;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Compute<TVector, TWidth>(TVector g, ref TVector v)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            v = TWidth.Add(TWidth.Multiply(TWidth.Broadcast(_rho), v), TWidth.Multiply(TWidth.Broadcast(_oneMinusRho), TWidth.Multiply(g, g)));
            return TWidth.Divide(TWidth.Multiply(TWidth.Broadcast(_learningRate), g), TWidth.Sqrt(TWidth.Add(v, TWidth.Broadcast(_epsilon))));
        }
    }

    /// <summary><c>w -= increment</c>.</summary>
    private readonly struct PlainOperator(Increment increment) : IUpdateOperator
    {
        public static int StateCount => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Invoke<TVector, TWidth>(TVector w, TVector g, ref TVector v, ref TVector unused)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector> =>
            TWidth.Subtract(w, increment.Compute<TVector, TWidth>(g, ref v));
    }

    /// <summary><c>mom = momentum * mom + increment</c>; <c>w -= mom</c>.</summary>
    private readonly struct MomentumOperator(Increment increment, float momentum) : IUpdateOperator
    {
        public static int StateCount => 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Invoke<TVector, TWidth>(TVector w, TVector g, ref TVector v, ref TVector mom)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            mom = TWidth.Add(TWidth.Multiply(TWidth.Broadcast(momentum), mom), increment.Compute<TVector, TWidth>(g, ref v));
            return TWidth.Subtract(w, mom);
        }
    }
}
