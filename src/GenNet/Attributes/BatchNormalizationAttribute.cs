using System;

namespace GenNet;

/// <summary>
/// Batch normalisation over the last axis (a vector's features, an image's channels), with PyTorch's semantics and
/// names: <c>y = γ · (x − μ) / √(σ² + ε) + β</c>, then <see cref="Activation"/>. A training step (<c>ComputeGradients</c>,
/// and so <c>Fit</c>) normalises with the batch's own mean and variance over every sample and position, and moves the
/// running statistics toward them; <c>Forward</c>, <c>Evaluate</c> and <c>Predict</c> normalise with the running statistics.
/// </summary>
/// <remarks>
/// Its tensors are <c>bn_N.weight</c> (γ, starts at 1) and <c>bn_N.bias</c> (β, starts at 0), trained, and the buffers
/// <c>bn_N.running_mean</c> (starts at 0), <c>bn_N.running_var</c> (starts at 1) and <c>bn_N.num_batches_tracked</c>,
/// saved, loaded and compiled in with the parameters but never touched by an optimizer (<see cref="INetwork.Buffers"/>).
/// Because a training step's statistics span the whole batch, a network with this layer does not split a step over
/// threads.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormalizationAttribute : LayerAttribute
{
    /// <summary>
    /// The weight of each new batch's statistics in the running ones: <c>running = (1 − momentum) · running + momentum ·
    /// batch</c>. 0.1 by default, PyTorch's convention (Keras's <c>momentum=0.99</c> is 0.01 here). Must be in [0, 1].
    /// </summary>
    public float Momentum { get; set; } = 0.1f;

    /// <summary>Added to the variance before its square root; 1e-5 by default (PyTorch's). Must be positive.</summary>
    public float Epsilon { get; set; } = 1e-5f;

    /// <summary>The activation applied after normalising; <see cref="GenNet.Activation.Linear"/> by default.</summary>
    public Activation Activation { get; set; } = Activation.Linear;

    /// <summary>The slope for negative inputs when <see cref="Activation"/> is <see cref="GenNet.Activation.LeakyReLU"/>;
    /// 0.01 by default (PyTorch's). Must be in [0, 1).</summary>
    public float NegativeSlope { get; set; } = 0.01f;
}
