using System;

namespace GenNet;

/// <summary>
/// Global max pooling, as Keras's <c>GlobalMaxPooling2D</c>: an image [height, width, channels] becomes a vector [channels],
/// <c>y[c] = max over (y, x) of x[y, x, c]</c>. The backward pass sends each gradient to the position that held the channel's
/// maximum (the first one, scanning rows then columns, on a tie, as PyTorch does). No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPooling2DAttribute : LayerAttribute
{
}
