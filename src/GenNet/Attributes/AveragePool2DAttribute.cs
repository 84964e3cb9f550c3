using System;

namespace GenNet;

/// <summary>
/// 2-D average pooling over an image [height, width, channels]: each output is the mean of its window, per channel.
/// With <see cref="Padding.Same"/> a clipped window averages only the pixels inside the image (Keras's rule, PyTorch's
/// <c>count_include_pad=False</c>). No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AveragePool2DAttribute : LayerAttribute
{
    /// <summary>Declares average pooling over square windows of <paramref name="poolSize"/> pixels.</summary>
    public AveragePool2DAttribute(int poolSize) => PoolSize = poolSize;

    /// <summary>The window's height and width.</summary>
    public int PoolSize { get; }

    /// <summary>The step between windows; 0, the default, means the pool size (non-overlapping windows, as in Keras).</summary>
    public int Stride { get; set; }

    /// <summary>Border handling; <see cref="Padding.Valid"/> by default. With <see cref="Padding.Same"/> windows are clipped to the image.</summary>
    public Padding Padding { get; set; } = Padding.Valid;
}
