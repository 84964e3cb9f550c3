using System;

namespace GenNet;

/// <summary>
/// Layer normalisation over the last axis (a vector's features, or the channels of each pixel of a channels-last image),
/// with PyTorch's <c>nn.LayerNorm(C)</c> semantics: for each sample, and each position of an image separately,
/// <c>y = γ ⊙ (x − μ) / √(σ² + ε) + β</c>, where μ and the biased variance σ² are taken over that sample's (position's)
/// C values; then <see cref="Activation"/>. Training and inference compute the same thing: there are no running
/// statistics, and one sample never depends on another, so a training step splits over threads as a Dense layer's does.
/// </summary>
/// <remarks>
/// <para>
/// Its tensors are <c>ln_N.weight</c> (γ, [C], starts at 1) and <c>ln_N.bias</c> (β, [C], starts at 0), PyTorch's names
/// and layout for <c>nn.LayerNorm(C)</c>. The default name follows GenNet's other layers with parameters, a short stem and
/// the layer's index among its kind from 0 (<c>dense_0</c>, <c>conv_0</c>, <c>bn_0</c>; <c>ln_</c> as PyTorch models such
/// as GPT-2 name theirs) rather than Keras's <c>layer_normalization</c>, <c>layer_normalization_1</c>; set
/// <see cref="LayerAttribute.Name"/> to match another state_dict's keys.
/// </para>
/// <para>
/// Keras's <c>center</c> and <c>scale</c> options (no β, no γ) are not offered: every LayerNormalization learns both.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerNormalizationAttribute : LayerAttribute
{
    /// <summary>
    /// Added to the variance before its square root; 1e-5 by default, PyTorch's (Keras's default is 1e-3), as
    /// <see cref="BatchNormalizationAttribute.Epsilon"/> also takes PyTorch's. Must be positive and finite.
    /// </summary>
    public float Epsilon { get; set; } = 1e-5f;

    /// <summary>The activation applied after normalising; <see cref="GenNet.Activation.Linear"/> by default.</summary>
    public Activation Activation { get; set; } = Activation.Linear;

    /// <summary>The slope for negative inputs when <see cref="Activation"/> is <see cref="GenNet.Activation.LeakyReLU"/>;
    /// 0.01 by default (PyTorch's). Must be in [0, 1).</summary>
    public float NegativeSlope { get; set; } = 0.01f;
}
