using System;

namespace GenNet;

/// <summary>
/// Global max pooling, as Keras's <c>GlobalMaxPooling1D</c>: a sequence [steps, channels] becomes a vector [channels],
/// <c>y[c] = max over t of x[t, c]</c>. The backward pass sends each gradient to the step that held the channel's maximum
/// (the first one on a tie). No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPooling1DAttribute : LayerAttribute
{
}
