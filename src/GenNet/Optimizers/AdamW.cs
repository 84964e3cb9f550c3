using System;

namespace GenNet;

/// <summary>AdamW: Adam with decoupled weight decay (Keras 3 <c>AdamW</c>, applied to every parameter).</summary>
/// <remarks>
/// Each step first decays the parameters, <c>w -= lr * weightDecay * w</c>, then applies the
/// <see cref="Adam"/> update: with <c>t</c> the 1-based step number,
/// <c>alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)</c> (computed in double);
/// <c>m += (g - m) * (1 - beta1)</c>; <c>v += (g * g - v) * (1 - beta2)</c>;
/// <c>w -= alpha * m / (sqrt(v) + epsilon)</c>.
/// </remarks>
public sealed class AdamW : Optimizer
{
    private readonly AdamCore _core;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">The step size; positive and finite.</param>
    /// <param name="weightDecay">The decoupled weight decay rate; finite and not negative.</param>
    /// <param name="beta1">The decay of the first-moment estimate, in [0, 1).</param>
    /// <param name="beta2">The decay of the second-moment estimate, in [0, 1).</param>
    /// <param name="epsilon">Added to <c>sqrt(v)</c> for numerical stability; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public AdamW(float learningRate = 1e-3f, float weightDecay = 0.004f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f)
        : base(learningRate)
    {
        WeightDecay = OptimizerArguments.NonNegative(weightDecay, nameof(weightDecay));
        _core = new AdamCore(beta1, beta2, epsilon);
    }

    /// <summary>The decoupled weight decay rate.</summary>
    public float WeightDecay { get; }

    /// <summary>The decay of the first-moment estimate.</summary>
    public float Beta1 => _core.Beta1;

    /// <summary>The decay of the second-moment estimate.</summary>
    public float Beta2 => _core.Beta2;

    /// <summary>Added to <c>sqrt(v)</c> for numerical stability.</summary>
    public float Epsilon => _core.Epsilon;

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients) =>
        UpdatedFinite = _core.Update(parameters, gradients, LearningRate, Iterations, WeightDecay);

    internal override bool UpdatesInParts => true;

    private protected override void PrepareParts(int length) => _core.Prepare(length);

    internal override bool UpdatePart(Span<float> parameters, ReadOnlySpan<float> gradients, int offset) =>
        _core.UpdatePart(parameters, gradients, offset, PartsRate, Iterations, weightDecay: WeightDecay);

    /// <inheritdoc/>
    public override void Reset()
    {
        base.Reset();
        _core.Reset();
    }
}
