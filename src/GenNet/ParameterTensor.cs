using System;
using System.Collections.Generic;

namespace GenNet;

/// <summary>One named tensor inside a network's parameter arena.</summary>
/// <remarks>Names and layouts follow PyTorch (<c>dense_0.weight</c> is [out, in], row-major) so weight files interchange.</remarks>
public sealed class ParameterTensor
{
    private readonly int[] _shape;

    /// <summary>Describes a tensor of the given shape stored at <paramref name="offset"/>.</summary>
    public ParameterTensor(string name, int[] shape, int offset)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        long length = 1;
        foreach (int dimension in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension, nameof(shape));
            length *= dimension;
        }

        Name = name;
        _shape = (int[])shape.Clone();
        Offset = offset;
        Length = checked((int)length);
    }

    /// <summary>The tensor's name, such as <c>dense_0.weight</c>.</summary>
    public string Name { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>Index of the first element in the parameter arena.</summary>
    public int Offset { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>This tensor's elements within a parameter (or gradient) arena.</summary>
    public Span<float> Slice(Span<float> arena) => arena.Slice(Offset, Length);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} [{string.Join(", ", _shape)}] at {Offset}";
}
