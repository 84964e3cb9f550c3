using System;

namespace GenNet;

/// <summary>The shape of one input sample, outermost dimension first; samples are row-major floats.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares the input shape, for example <c>[Input(28, 28)]</c> or <c>[Input(4)]</c>.</summary>
    public InputAttribute(params int[] shape) => Shape = shape;

    /// <summary>The dimensions of one sample.</summary>
    public int[] Shape { get; }
}
