using System;

namespace GenNet;

/// <summary>
/// Global average pooling, as Keras's <c>GlobalAveragePooling1D</c>: a sequence [steps, channels] becomes a vector
/// [channels], <c>y[c] = Σ x[t, c] / steps</c>. The backward pass shares each gradient equally among the channel's steps,
/// <c>dx[t, c] = dy[c] / steps</c>. No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAveragePooling1DAttribute : LayerAttribute
{
}
