using System;

namespace GenNet;

/// <summary>
/// 2-D max pooling over an image [height, width, channels]: each output is the largest input in its window, per channel.
/// The backward pass sends each gradient to the position that held the maximum (the first one, scanning rows then columns,
/// on a tie). No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : LayerAttribute
{
    /// <summary>Declares max pooling over square windows of <paramref name="poolSize"/> pixels.</summary>
    public MaxPool2DAttribute(int poolSize) => PoolSize = poolSize;

    /// <summary>The window's height and width.</summary>
    public int PoolSize { get; }

    /// <summary>The step between windows; 0, the default, means the pool size (non-overlapping windows, as in Keras).</summary>
    public int Stride { get; set; }

    /// <summary>Border handling; <see cref="Padding.Valid"/> by default. With <see cref="Padding.Same"/> windows are clipped to the image.</summary>
    public Padding Padding { get; set; } = Padding.Valid;
}
