using System;
using System.ComponentModel;

namespace GenNet;

/// <summary>
/// Generated code's description of one Normalization layer, for <see cref="NetworkAdaptation"/>: its name, where its
/// mean and variance lie in <see cref="INetwork.Buffers"/>, its number of features (the last axis of its input), the
/// floats per sample of its input, and where in a sample it reads the network's input (−1 when it reads a layer's output).
/// Not for use in user code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class NormalizationLayout
{
    /// <summary>Describes one Normalization layer (generated code calls this).</summary>
    /// <exception cref="ArgumentException">A size or offset is out of range.</exception>
    public NormalizationLayout(string name, int mean, int variance, int features, int sourceSize, int inputOffset)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(mean);
        ArgumentOutOfRangeException.ThrowIfNegative(variance);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputOffset, -1);
        if (sourceSize % features != 0)
        {
            throw new ArgumentException($"{name}: an input of {sourceSize} floats does not divide into rows of {features} features.", nameof(sourceSize));
        }

        Name = name;
        Mean = mean;
        Variance = variance;
        Features = features;
        SourceSize = sourceSize;
        InputOffset = inputOffset;
    }

    /// <summary>The layer's name (<c>normalization</c> unless named).</summary>
    public string Name { get; }

    /// <summary>Where its mean lies in the buffer arena.</summary>
    public int Mean { get; }

    /// <summary>Where its variance lies in the buffer arena.</summary>
    public int Variance { get; }

    /// <summary>Its features: the last axis of its input, one mean and variance each.</summary>
    public int Features { get; }

    /// <summary>Floats per sample of its input: <see cref="Features"/> times the positions of an image or a sequence.</summary>
    public int SourceSize { get; }

    /// <summary>Where in a sample of the network's input it reads, or −1 when it reads another layer's output.</summary>
    public int InputOffset { get; }
}
