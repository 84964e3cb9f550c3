using System;

namespace GenNet;

/// <summary>
/// Reshapes the previous layer's output to one dimension. An image [height, width, channels] with more than one channel
/// is flattened in PyTorch's order — channel by channel, <c>c·height·width + y·width + x</c> — so a Dense layer after it
/// has the same <c>dense_N.weight</c> as the PyTorch model (<c>nn.Flatten</c> on NCHW) and weight files interchange; that
/// costs one reordering copy per sample. Every other shape is flattened where it lies, at no cost.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}
