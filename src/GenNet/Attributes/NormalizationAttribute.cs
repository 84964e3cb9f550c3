using System;

namespace GenNet;

/// <summary>
/// Keras's <c>Normalization</c> preprocessing layer: standardises each feature of the last axis by a mean and variance
/// adapted from data, <c>y = (x − mean) / max(√variance, 1e-7)</c> (Keras's formula, with its <c>backend.epsilon()</c>),
/// so a network takes raw features and carries its own scaling. For an image [h, w, c] or a sequence [steps, c] each of
/// the c channels has one mean and variance, shared by every position (Keras's default <c>axis=-1</c>).
/// </summary>
/// <remarks>
/// <para>
/// The mean and variance are not trained: they are buffers (<c>normalization.mean</c> and <c>normalization.variance</c>,
/// [c] each, Keras's weight names; 0 and 1 after <see cref="INetwork.InitializeParameters"/>, so the layer starts as the
/// identity), saved and loaded with the weights and compiled in with <see cref="NetworkAttribute.Weights"/>. Set them
/// with <see cref="NetworkAdaptation.Adapt(INetwork, Dataset)"/> from the training data before training, as Keras's
/// <c>layer.adapt(x)</c>, or by writing <see cref="INetwork.Buffers"/>. Training and inference compute the same thing;
/// the gradient passes through as <c>dx = dy / max(√variance, 1e-7)</c>.
/// </para>
/// <para>
/// The default name is Keras's: <c>normalization</c>, then <c>normalization_1</c>, <c>normalization_2</c>, …. Keras's
/// <c>invert</c> option and its <c>mean</c>/<c>variance</c> constructor arguments are not offered: write the buffers instead.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class NormalizationAttribute : LayerAttribute
{
}
