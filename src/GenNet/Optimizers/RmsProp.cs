using System;
using System.Runtime.Intrinsics;

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
        _velocity ??= new float[parameters.Length];
        var increment = new Increment(LearningRate, Rho, Epsilon);
        if (Momentum == 0f)
        {
            UpdateDriver.Apply(new PlainOperator(increment), parameters, gradients, _velocity, default);
            return;
        }

        _momentumBuffer ??= new float[parameters.Length];
        UpdateDriver.Apply(new MomentumOperator(increment, Momentum), parameters, gradients, _velocity, _momentumBuffer);
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

        public float Compute(float g, ref float v)
        {
            v = _rho * v + _oneMinusRho * (g * g);
            return _learningRate * g / MathF.Sqrt(v + _epsilon);
        }

        public Vector128<float> Compute(Vector128<float> g, ref Vector128<float> v)
        {
            v = Vector128.Create(_rho) * v + Vector128.Create(_oneMinusRho) * (g * g);
            return Vector128.Create(_learningRate) * g / Vector128.Sqrt(v + Vector128.Create(_epsilon));
        }

        public Vector256<float> Compute(Vector256<float> g, ref Vector256<float> v)
        {
            v = Vector256.Create(_rho) * v + Vector256.Create(_oneMinusRho) * (g * g);
            return Vector256.Create(_learningRate) * g / Vector256.Sqrt(v + Vector256.Create(_epsilon));
        }

        public Vector512<float> Compute(Vector512<float> g, ref Vector512<float> v)
        {
            v = Vector512.Create(_rho) * v + Vector512.Create(_oneMinusRho) * (g * g);
            return Vector512.Create(_learningRate) * g / Vector512.Sqrt(v + Vector512.Create(_epsilon));
        }
    }

    /// <summary><c>w -= increment</c>.</summary>
    private readonly struct PlainOperator(Increment increment) : IUpdateOperator
    {
        public static int StateCount => 1;

        public float Invoke(float w, float g, ref float v, ref float unused) =>
            w - increment.Compute(g, ref v);

        public Vector128<float> Invoke(Vector128<float> w, Vector128<float> g, ref Vector128<float> v, ref Vector128<float> unused) =>
            w - increment.Compute(g, ref v);

        public Vector256<float> Invoke(Vector256<float> w, Vector256<float> g, ref Vector256<float> v, ref Vector256<float> unused) =>
            w - increment.Compute(g, ref v);

        public Vector512<float> Invoke(Vector512<float> w, Vector512<float> g, ref Vector512<float> v, ref Vector512<float> unused) =>
            w - increment.Compute(g, ref v);
    }

    /// <summary><c>mom = momentum * mom + increment</c>; <c>w -= mom</c>.</summary>
    private readonly struct MomentumOperator(Increment increment, float momentum) : IUpdateOperator
    {
        public static int StateCount => 2;

        public float Invoke(float w, float g, ref float v, ref float mom)
        {
            mom = momentum * mom + increment.Compute(g, ref v);
            return w - mom;
        }

        public Vector128<float> Invoke(Vector128<float> w, Vector128<float> g, ref Vector128<float> v, ref Vector128<float> mom)
        {
            mom = Vector128.Create(momentum) * mom + increment.Compute(g, ref v);
            return w - mom;
        }

        public Vector256<float> Invoke(Vector256<float> w, Vector256<float> g, ref Vector256<float> v, ref Vector256<float> mom)
        {
            mom = Vector256.Create(momentum) * mom + increment.Compute(g, ref v);
            return w - mom;
        }

        public Vector512<float> Invoke(Vector512<float> w, Vector512<float> g, ref Vector512<float> v, ref Vector512<float> mom)
        {
            mom = Vector512.Create(momentum) * mom + increment.Compute(g, ref v);
            return w - mom;
        }
    }
}
