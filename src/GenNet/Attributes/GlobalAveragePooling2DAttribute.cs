using System;

namespace GenNet;

/// <summary>
/// Global average pooling, as Keras's <c>GlobalAveragePooling2D</c>: an image [height, width, channels] becomes a vector
/// [channels], <c>y[c] = Σ x[y, x, c] / (height·width)</c>, the mean of each channel over every position. The backward pass
/// shares each gradient equally among the channel's positions, <c>dx[y, x, c] = dy[c] / (height·width)</c>. No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAveragePooling2DAttribute : LayerAttribute
{
}
