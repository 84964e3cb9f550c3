using System;
using System.ComponentModel;

namespace GenNet;

/// <summary>An attribute of an ONNX node (<c>kernel_shape</c>, <c>epsilon</c>, …), as generated <c>DescribeOnnx</c> methods pass them to <see cref="OnnxGraph.Node"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class OnnxAttribute
{
    private OnnxAttribute(string name) => Message = new ProtoWriter().String(OnnxSchema.Attribute.Name, name);

    internal ProtoWriter Message { get; }

    /// <summary>An INT attribute.</summary>
    public static OnnxAttribute Int(string name, long value)
    {
        var attribute = new OnnxAttribute(name);
        attribute.Message.Varint(OnnxSchema.Attribute.I, value).Varint(OnnxSchema.Attribute.Type, OnnxSchema.Attribute.TypeInt);
        return attribute;
    }

    /// <summary>An INTS attribute.</summary>
    public static OnnxAttribute Ints(string name, params long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var attribute = new OnnxAttribute(name);
        foreach (long value in values)
        {
            attribute.Message.Varint(OnnxSchema.Attribute.Ints, value);
        }

        attribute.Message.Varint(OnnxSchema.Attribute.Type, OnnxSchema.Attribute.TypeInts);
        return attribute;
    }

    /// <summary>A FLOAT attribute.</summary>
    public static OnnxAttribute Float(string name, float value)
    {
        var attribute = new OnnxAttribute(name);
        attribute.Message.Float(OnnxSchema.Attribute.F, value).Varint(OnnxSchema.Attribute.Type, OnnxSchema.Attribute.TypeFloat);
        return attribute;
    }
}
