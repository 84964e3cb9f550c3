using System;

namespace GenNet;

/// <summary>
/// 1-D max pooling over a sequence [steps, channels], as Keras's <c>MaxPooling1D</c> and PyTorch's <c>nn.MaxPool1d</c>:
/// <c>y[t, c] = max over k &lt; poolSize of x[t·stride + k − before, c]</c>, over the steps inside the sequence. The output
/// is the sequence [outSteps, channels]. The backward pass sends each gradient to the step that held the maximum (the first
/// one on a tie). No parameters. Default names: <c>max_pooling1d</c>, <c>max_pooling1d_1</c>, ….
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool1DAttribute : LayerAttribute
{
    /// <summary>Declares max pooling over windows of <paramref name="poolSize"/> steps.</summary>
    public MaxPool1DAttribute(int poolSize) => PoolSize = poolSize;

    /// <summary>The window's length in steps.</summary>
    public int PoolSize { get; }

    /// <summary>The step between windows; 0, the default, means the pool size (non-overlapping windows, as in Keras).</summary>
    public int Stride { get; set; }

    /// <summary>Border handling; <see cref="Padding.Valid"/> by default. With <see cref="Padding.Same"/> windows are clipped to the sequence.</summary>
    public Padding Padding { get; set; } = Padding.Valid;
}
