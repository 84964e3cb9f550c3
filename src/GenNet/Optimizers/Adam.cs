using System;
using System.Runtime.CompilerServices;
using GenNet.Kernels;

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
        UpdatedFinite = _core.Update(parameters, gradients, LearningRate, Iterations, weightDecay: 0f);

    internal override bool UpdatesInParts => true;

    private protected override void PrepareParts(int length) => _core.Prepare(length);

    internal override bool UpdatePart(Span<float> parameters, ReadOnlySpan<float> gradients, int offset) =>
        _core.UpdatePart(parameters, gradients, offset, PartsRate, Iterations, weightDecay: 0f);

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

    /// <summary>One step; <paramref name="iteration"/> is the number of earlier steps. True when the parameters are all finite after it.</summary>
    public bool Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate, long iteration, float weightDecay)
    {
        Prepare(parameters.Length);
        return UpdatePart(parameters, gradients, 0, learningRate, iteration, weightDecay);
    }

    /// <summary>The moment buffers for <paramref name="length"/> parameters, if not there yet.</summary>
    public void Prepare(int length)
    {
        _m ??= new float[length];
        _v ??= new float[length];
    }

    /// <summary>One step's update of the parameters at <paramref name="offset"/>… (<see cref="Prepare"/> first); true when they are all finite after it.</summary>
    public bool UpdatePart(Span<float> parameters, ReadOnlySpan<float> gradients, int offset, float learningRate, long iteration, float weightDecay)
    {
        double t = iteration + 1;
        double alpha = learningRate * Math.Sqrt(1.0 - Math.Pow(Beta2, t)) / (1.0 - Math.Pow(Beta1, t));
        var op = new Operator((float)alpha, 1f - Beta1, 1f - Beta2, Epsilon, learningRate * weightDecay);
        return Simd.Update(op, parameters, gradients, _m!.AsSpan(offset, parameters.Length), _v!.AsSpan(offset, parameters.Length));
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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Invoke<TVector, TWidth>(TVector w, TVector g, ref TVector m, ref TVector v)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            w = TWidth.Subtract(w, TWidth.Multiply(TWidth.Broadcast(decay), w));
            m = TWidth.Add(m, TWidth.Multiply(TWidth.Subtract(g, m), TWidth.Broadcast(oneMinusBeta1)));
            v = TWidth.Add(v, TWidth.Multiply(TWidth.Subtract(TWidth.Multiply(g, g), v), TWidth.Broadcast(oneMinusBeta2)));
            return TWidth.Subtract(w, TWidth.Divide(TWidth.Multiply(TWidth.Broadcast(alpha), m), TWidth.Add(TWidth.Sqrt(v), TWidth.Broadcast(epsilon))));
        }
    }
}
