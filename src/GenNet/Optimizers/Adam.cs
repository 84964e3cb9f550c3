using System;
using System.Runtime.Intrinsics;

namespace GenNet;

/// <summary>Adam: adaptive moment estimation (Keras 3 <c>Adam</c>, without AMSGrad).</summary>
/// <remarks>
/// With <c>t</c> the 1-based step number and <c>m</c>, <c>v</c> starting at zero:
/// <c>alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)</c> (computed in double);
/// <c>m += (g - m) * (1 - beta1)</c>; <c>v += (g * g - v) * (1 - beta2)</c>;
/// <c>w -= alpha * m / (sqrt(v) + epsilon)</c>.
/// </remarks>
public sealed class Adam : Optimizer
{
    private readonly AdamCore _core;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">The step size; positive and finite.</param>
    /// <param name="beta1">The decay of the first-moment estimate, in [0, 1).</param>
    /// <param name="beta2">The decay of the second-moment estimate, in [0, 1).</param>
    /// <param name="epsilon">Added to <c>sqrt(v)</c> for numerical stability; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f)
        : base(learningRate)
    {
        _core = new AdamCore(beta1, beta2, epsilon);
    }

    /// <summary>The decay of the first-moment estimate.</summary>
    public float Beta1 => _core.Beta1;

    /// <summary>The decay of the second-moment estimate.</summary>
    public float Beta2 => _core.Beta2;

    /// <summary>Added to <c>sqrt(v)</c> for numerical stability.</summary>
    public float Epsilon => _core.Epsilon;

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients) =>
        _core.Update(parameters, gradients, LearningRate, Iterations, weightDecay: 0f);

    /// <inheritdoc/>
    public override void Reset()
    {
        base.Reset();
        _core.Reset();
    }
}

/// <summary>
/// What <see cref="Adam"/> and <see cref="AdamW"/> share: the hyperparameters, the moment buffers and
/// the update, fused with AdamW's decoupled weight decay (zero for Adam) into one pass.
/// </summary>
internal sealed class AdamCore
{
    private float[]? _m;
    private float[]? _v;

    public AdamCore(float beta1, float beta2, float epsilon)
    {
        Beta1 = OptimizerArguments.Fraction(beta1, nameof(beta1));
        Beta2 = OptimizerArguments.Fraction(beta2, nameof(beta2));
        Epsilon = OptimizerArguments.Positive(epsilon, nameof(epsilon));
    }

    public float Beta1 { get; }

    public float Beta2 { get; }

    public float Epsilon { get; }

    /// <summary>One step; <paramref name="iteration"/> is the number of earlier steps.</summary>
    public void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate, long iteration, float weightDecay)
    {
        _m ??= new float[parameters.Length];
        _v ??= new float[parameters.Length];

        double t = iteration + 1;
        double alpha = learningRate * Math.Sqrt(1.0 - Math.Pow(Beta2, t)) / (1.0 - Math.Pow(Beta1, t));
        var op = new Operator((float)alpha, 1f - Beta1, 1f - Beta2, Epsilon, learningRate * weightDecay);
        UpdateDriver.Apply(op, parameters, gradients, _m, _v);
    }

    public void Reset()
    {
        _m = null;
        _v = null;
    }

    /// <summary>
    /// <c>w -= decay * w</c> (AdamW; <c>decay = lr * weightDecay</c>, zero for Adam), then
    /// <c>m += (g - m) * (1 - beta1)</c>; <c>v += (g * g - v) * (1 - beta2)</c>; <c>w -= alpha * m / (sqrt(v) + epsilon)</c>.
    /// </summary>
    private readonly struct Operator(float alpha, float oneMinusBeta1, float oneMinusBeta2, float epsilon, float decay) : IUpdateOperator
    {
        public static int StateCount => 2;

        public float Invoke(float w, float g, ref float m, ref float v)
        {
            w -= decay * w;
            m += (g - m) * oneMinusBeta1;
            v += (g * g - v) * oneMinusBeta2;
            return w - alpha * m / (MathF.Sqrt(v) + epsilon);
        }

        public Vector128<float> Invoke(Vector128<float> w, Vector128<float> g, ref Vector128<float> m, ref Vector128<float> v)
        {
            w -= Vector128.Create(decay) * w;
            m += (g - m) * Vector128.Create(oneMinusBeta1);
            v += (g * g - v) * Vector128.Create(oneMinusBeta2);
            return w - Vector128.Create(alpha) * m / (Vector128.Sqrt(v) + Vector128.Create(epsilon));
        }

        public Vector256<float> Invoke(Vector256<float> w, Vector256<float> g, ref Vector256<float> m, ref Vector256<float> v)
        {
            w -= Vector256.Create(decay) * w;
            m += (g - m) * Vector256.Create(oneMinusBeta1);
            v += (g * g - v) * Vector256.Create(oneMinusBeta2);
            return w - Vector256.Create(alpha) * m / (Vector256.Sqrt(v) + Vector256.Create(epsilon));
        }

        public Vector512<float> Invoke(Vector512<float> w, Vector512<float> g, ref Vector512<float> m, ref Vector512<float> v)
        {
            w -= Vector512.Create(decay) * w;
            m += (g - m) * Vector512.Create(oneMinusBeta1);
            v += (g * g - v) * Vector512.Create(oneMinusBeta2);
            return w - Vector512.Create(alpha) * m / (Vector512.Sqrt(v) + Vector512.Create(epsilon));
        }
    }
}
