using System;
using System.Runtime.Intrinsics;

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
        if (Momentum == 0f)
        {
            UpdateDriver.Apply(new PlainOperator(LearningRate), parameters, gradients, default, default);
            return;
        }

        _velocity ??= new float[parameters.Length];
        UpdateDriver.Apply(new MomentumOperator(LearningRate, Momentum, Nesterov), parameters, gradients, _velocity, default);
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

        public float Invoke(float w, float g, ref float unused0, ref float unused1) =>
            w - learningRate * g;

        public Vector128<float> Invoke(Vector128<float> w, Vector128<float> g, ref Vector128<float> unused0, ref Vector128<float> unused1) =>
            w - Vector128.Create(learningRate) * g;

        public Vector256<float> Invoke(Vector256<float> w, Vector256<float> g, ref Vector256<float> unused0, ref Vector256<float> unused1) =>
            w - Vector256.Create(learningRate) * g;

        public Vector512<float> Invoke(Vector512<float> w, Vector512<float> g, ref Vector512<float> unused0, ref Vector512<float> unused1) =>
            w - Vector512.Create(learningRate) * g;
    }

    /// <summary><c>v = momentum * v - lr * g</c>; <c>w += v</c>, or <c>w += momentum * v - lr * g</c> with Nesterov.</summary>
    private readonly struct MomentumOperator(float learningRate, float momentum, bool nesterov) : IUpdateOperator
    {
        public static int StateCount => 1;

        public float Invoke(float w, float g, ref float v, ref float unused)
        {
            v = momentum * v - learningRate * g;
            return nesterov ? w + (momentum * v - learningRate * g) : w + v;
        }

        public Vector128<float> Invoke(Vector128<float> w, Vector128<float> g, ref Vector128<float> v, ref Vector128<float> unused)
        {
            Vector128<float> mu = Vector128.Create(momentum);
            Vector128<float> lr = Vector128.Create(learningRate);
            v = mu * v - lr * g;
            return nesterov ? w + (mu * v - lr * g) : w + v;
        }

        public Vector256<float> Invoke(Vector256<float> w, Vector256<float> g, ref Vector256<float> v, ref Vector256<float> unused)
        {
            Vector256<float> mu = Vector256.Create(momentum);
            Vector256<float> lr = Vector256.Create(learningRate);
            v = mu * v - lr * g;
            return nesterov ? w + (mu * v - lr * g) : w + v;
        }

        public Vector512<float> Invoke(Vector512<float> w, Vector512<float> g, ref Vector512<float> v, ref Vector512<float> unused)
        {
            Vector512<float> mu = Vector512.Create(momentum);
            Vector512<float> lr = Vector512.Create(learningRate);
            v = mu * v - lr * g;
            return nesterov ? w + (mu * v - lr * g) : w + v;
        }
    }
}
