namespace GenNet;

/// <summary>
/// The field numbers and enum values of onnx.proto (ONNX's IR, version 8) that GenNet writes, in one place, named as the
/// .proto file names them, so that a reader of ONNX files (the import side) can share them. netstandard2.0-clean, like
/// <see cref="ProtoWriter"/>.
/// </summary>
internal static class OnnxSchema
{
    /// <summary>The default operator set GenNet exports with: 17 has LayerNormalization; ONNX Runtime has run it since 1.13 and PyTorch's exporter has written it since 1.13.</summary>
    public const int Opset = 17;

    /// <summary>The IR version that goes with opset 17.</summary>
    public const int IrVersion = 8;

    /// <summary>ModelProto.</summary>
    public static class Model
    {
        public const int IrVersion = 1, ProducerName = 2, ProducerVersion = 3, Domain = 4, ModelVersion = 5, DocString = 6, Graph = 7, OpsetImport = 8, MetadataProps = 14;
    }

    /// <summary>OperatorSetIdProto.</summary>
    public static class OperatorSetId
    {
        public const int Domain = 1, Version = 2;
    }

    /// <summary>StringStringEntryProto (metadata_props).</summary>
    public static class StringStringEntry
    {
        public const int Key = 1, Value = 2;
    }

    /// <summary>GraphProto.</summary>
    public static class Graph
    {
        public const int Node = 1, Name = 2, Initializer = 5, DocString = 10, Input = 11, Output = 12, ValueInfo = 13;
    }

    /// <summary>NodeProto.</summary>
    public static class Node
    {
        public const int Input = 1, Output = 2, Name = 3, OpType = 4, Attribute = 5, DocString = 6, Domain = 7;
    }

    /// <summary>AttributeProto, and its AttributeType values.</summary>
    public static class Attribute
    {
        public const int Name = 1, F = 2, I = 3, S = 4, T = 5, G = 6, Floats = 7, Ints = 8, Strings = 9, Type = 20;

        public const int TypeFloat = 1, TypeInt = 2, TypeString = 3, TypeTensor = 4, TypeGraph = 5, TypeFloats = 6, TypeInts = 7, TypeStrings = 8;
    }

    /// <summary>TensorProto, and the TensorProto.DataType values GenNet meets.</summary>
    public static class Tensor
    {
        public const int Dims = 1, DataType = 2, FloatData = 4, Int64Data = 7, Name = 8, RawData = 9, DocString = 12;

        public const int Float = 1, Int64 = 7, Float16 = 10, Double = 11, BFloat16 = 16;
    }

    /// <summary>ValueInfoProto.</summary>
    public static class ValueInfo
    {
        public const int Name = 1, Type = 2, DocString = 3;
    }

    /// <summary>TypeProto (tensor_type) and TypeProto.Tensor.</summary>
    public static class Type
    {
        public const int TensorType = 1;

        public const int ElemType = 1, Shape = 2;
    }

    /// <summary>TensorShapeProto and its Dimension.</summary>
    public static class Shape
    {
        public const int Dim = 1;

        public const int DimValue = 1, DimParam = 2;
    }
}
