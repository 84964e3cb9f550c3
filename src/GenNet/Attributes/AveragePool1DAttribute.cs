using System;

namespace GenNet;

/// <summary>
/// 1-D average pooling over a sequence [steps, channels], as Keras's <c>AveragePooling1D</c>: <c>y[t, c]</c> is the mean of
/// <c>x[t·stride + k − before, c]</c> over the steps k &lt; poolSize that lie inside the sequence (with
/// <see cref="Padding.Same"/> a clipped window averages only those, PyTorch's <c>count_include_pad=False</c>). The output is
/// the sequence [outSteps, channels]. No parameters. Default names: <c>average_pooling1d</c>, <c>average_pooling1d_1</c>, ….
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AveragePool1DAttribute : LayerAttribute
{
    /// <summary>Declares average pooling over windows of <paramref name="poolSize"/> steps.</summary>
    public AveragePool1DAttribute(int poolSize) => PoolSize = poolSize;

    /// <summary>The window's length in steps.</summary>
    public int PoolSize { get; }

    /// <summary>The step between windows; 0, the default, means the pool size (non-overlapping windows, as in Keras).</summary>
    public int Stride { get; set; }

    /// <summary>Border handling; <see cref="Padding.Valid"/> by default. With <see cref="Padding.Same"/> windows are clipped to the sequence.</summary>
    public Padding Padding { get; set; } = Padding.Valid;
}
