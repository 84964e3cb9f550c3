using System;

namespace GenNet;

/// <summary>
/// The shape of one input sample, outermost dimension first; samples are row-major floats. Declare several for a network
/// with several inputs (an image and tabular features, say): a sample is then its inputs one after the other, in
/// declaration order, and the generated class has <c>Forward</c> and <c>ComputeGradients</c> overloads that take each
/// input as its own span.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares the input shape, for example <c>[Input(28, 28)]</c> or <c>[Input(4)]</c>.</summary>
    public InputAttribute(params int[] shape) => Shape = shape;

    /// <summary>The dimensions of one sample.</summary>
    public int[] Shape { get; }

    /// <summary>
    /// Names this input, so that a layer can read it with <c>From</c> and the generated overloads call their parameter by it.
    /// By default the first input is called <c>input</c>, the next <c>input_1</c>, <c>input_2</c>, ….
    /// </summary>
    public string? Name { get; set; }
}
