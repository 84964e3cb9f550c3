using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace GenNet.Benchmarks;

/// <summary>
/// Writes the ONNX model of a dense network (Gemm → activation → … → Softmax), or of a small convnet, with the given weights, straight in
/// protobuf wire format: the ONNX runtime peer runs exactly GenNet's weights. Field numbers are onnx.proto's.
/// </summary>
public static class OnnxModel
{
    /// <summary>One Gemm layer: weight [out, in] (PyTorch's layout, so transB = 1), bias, and the op after it, if any.</summary>
    public sealed record Layer(float[] Weight, float[] Bias, int Inputs, int Outputs, string? Activation);

    public static byte[] Mlp(IReadOnlyList<Layer> layers)
    {
        var graph = new ProtoWriter();
        string current = "x";
        for (int i = 0; i < layers.Count; i++)
        {
            Layer layer = layers[i];
            string w = $"w{i}", b = $"b{i}", gemm = $"gemm{i}";
            graph.Message(5, Tensor(w, layer.Weight, layer.Outputs, layer.Inputs)); // initializer
            graph.Message(5, Tensor(b, layer.Bias, layer.Outputs));
            graph.Message(1, Node("Gemm", [current, w, b], [gemm], new ProtoWriter().String(1, "transB").Int(3, 1).Int(20, 2))); // AttributeProto: name, i, type INT
            current = gemm;
            if (layer.Activation is { } op)
            {
                string activated = $"{op.ToLowerInvariant()}{i}";
                ProtoWriter? axis = op == "Softmax" ? new ProtoWriter().String(1, "axis").Int(3, 1).Int(20, 2) : null;
                graph.Message(1, Node(op, [current], [activated], axis));
                current = activated;
            }
        }

        graph.String(2, "gennet_mlp");
        graph.Message(11, ValueInfo("x", layers[0].Inputs));          // input
        graph.Message(12, ValueInfo(current, layers[^1].Outputs));    // output
        var model = new ProtoWriter()
            .Int(1, 8)                                                // ir_version
            .String(2, "GenNet.Benchmarks")                           // producer_name
            .Message(7, graph)                                        // graph
            .Message(8, new ProtoWriter().String(1, "").Int(2, 17));  // opset_import: default domain, opset 17
        return model.ToArray();
    }

    /// <summary>A k × k valid convolution with stride 1: weight [filters, channels, k, k] and bias, as in PyTorch and GenNet.</summary>
    public sealed record ConvLayer(float[] Weight, float[] Bias, int Filters, int Channels, int Kernel);

    /// <summary>
    /// Keras's mnist_convnet for inference: (Conv → Relu → MaxPool k×k stride k) per conv layer, Flatten (channel-major,
    /// as GenNet's), then the dense layer (Gemm, transB) and Softmax. Input "x" is NCHW [batch, channels, height, width].
    /// </summary>
    public static byte[] ConvNet(int channels, int height, int width, IReadOnlyList<ConvLayer> convolutions, int pool, Layer dense)
    {
        var graph = new ProtoWriter();
        string current = "x";
        for (int i = 0; i < convolutions.Count; i++)
        {
            ConvLayer conv = convolutions[i];
            string w = $"cw{i}", b = $"cb{i}";
            graph.Message(5, Tensor(w, conv.Weight, conv.Filters, conv.Channels, conv.Kernel, conv.Kernel));
            graph.Message(5, Tensor(b, conv.Bias, conv.Filters));
            graph.Message(1, Node("Conv", [current, w, b], [$"conv{i}"], Ints("kernel_shape", conv.Kernel, conv.Kernel)));
            graph.Message(1, Node("Relu", [$"conv{i}"], [$"relu{i}"]));
            graph.Message(1, Node("MaxPool", [$"relu{i}"], [$"pool{i}"], Ints("kernel_shape", pool, pool), Ints("strides", pool, pool)));
            current = $"pool{i}";
        }

        graph.Message(1, Node("Flatten", [current], ["flat"], new ProtoWriter().String(1, "axis").Int(3, 1).Int(20, 2)));
        graph.Message(5, Tensor("dw", dense.Weight, dense.Outputs, dense.Inputs));
        graph.Message(5, Tensor("db", dense.Bias, dense.Outputs));
        graph.Message(1, Node("Gemm", ["flat", "dw", "db"], ["gemm"], new ProtoWriter().String(1, "transB").Int(3, 1).Int(20, 2)));
        graph.Message(1, Node("Softmax", ["gemm"], ["softmax"], new ProtoWriter().String(1, "axis").Int(3, 1).Int(20, 2)));

        graph.String(2, "gennet_convnet");
        graph.Message(11, ValueInfo("x", channels, height, width));
        graph.Message(12, ValueInfo("softmax", dense.Outputs));
        var model = new ProtoWriter()
            .Int(1, 8)
            .String(2, "GenNet.Benchmarks")
            .Message(7, graph)
            .Message(8, new ProtoWriter().String(1, "").Int(2, 17));
        return model.ToArray();
    }

    /// <summary>
    /// An ONNX graph built node by node from GenNet's tensors, for networks with branches (residual blocks): each method
    /// appends one node reading named values and returns its output's name. Input "x" is NCHW.
    /// </summary>
    public sealed class GraphBuilder(int channels, int height, int width)
    {
        private readonly ProtoWriter _graph = new();
        private int _nodes, _initializers;

        /// <summary>A convolution with explicit pads [top, left, bottom, right] (GenNet's same padding puts the odd one after).</summary>
        public string Conv(string input, float[] weight, float[] bias, int filters, int inputChannels, int kernel, int stride, int padBefore, int padAfter)
        {
            string w = Initializer(weight, filters, inputChannels, kernel, kernel), b = Initializer(bias, filters);
            return Add("Conv", [input, w, b], Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride),
                Ints("pads", padBefore, padBefore, padAfter, padAfter));
        }

        /// <summary>Inference-mode batch normalisation (ONNX's BatchNormalization: scale, B, mean, var).</summary>
        public string BatchNorm(string input, float[] scale, float[] bias, float[] mean, float[] variance, float epsilon)
        {
            int c = scale.Length;
            var eps = new ProtoWriter().String(1, "epsilon").Fixed32(2, epsilon).Int(20, 1); // AttributeProto: f, type FLOAT
            return Add("BatchNormalization", [input, Initializer(scale, c), Initializer(bias, c), Initializer(mean, c), Initializer(variance, c)], eps);
        }

        public string Relu(string input) => Add("Relu", [input]);

        public string Sum(string a, string b) => Add("Add", [a, b]);

        public string MaxPool(string input, int size) => Add("MaxPool", [input], Ints("kernel_shape", size, size), Ints("strides", size, size));

        public string GlobalAveragePool(string input) => Add("GlobalAveragePool", [input]);

        public string Flatten(string input) => Add("Flatten", [input], new ProtoWriter().String(1, "axis").Int(3, 1).Int(20, 2));

        /// <summary>A dense layer, weight [outputs, inputs] (transB = 1).</summary>
        public string Gemm(string input, float[] weight, float[] bias, int inputs, int outputs) =>
            Add("Gemm", [input, Initializer(weight, outputs, inputs), Initializer(bias, outputs)], new ProtoWriter().String(1, "transB").Int(3, 1).Int(20, 2));

        public string Softmax(string input) => Add("Softmax", [input], new ProtoWriter().String(1, "axis").Int(3, 1).Int(20, 2));

        /// <summary>The model with <paramref name="output"/> ([batch, outputs]) as its output.</summary>
        public byte[] Build(string output, int outputs)
        {
            _graph.String(2, "gennet_graph");
            _graph.Message(11, ValueInfo("x", channels, height, width));
            _graph.Message(12, ValueInfo(output, outputs));
            return new ProtoWriter()
                .Int(1, 8)
                .String(2, "GenNet.Benchmarks")
                .Message(7, _graph)
                .Message(8, new ProtoWriter().String(1, "").Int(2, 17))
                .ToArray();
        }

        private string Initializer(float[] values, params int[] dims)
        {
            string name = $"w{_initializers++}";
            _graph.Message(5, Tensor(name, values, dims));
            return name;
        }

        private string Add(string op, string[] inputs, params ProtoWriter?[] attributes)
        {
            string output = $"{op.ToLowerInvariant()}{_nodes++}";
            _graph.Message(1, Node(op, inputs, [output], attributes));
            return output;
        }
    }

    private static ProtoWriter Tensor(string name, float[] values, params int[] dims)
    {
        var tensor = new ProtoWriter();
        foreach (int d in dims)
        {
            tensor.Int(1, d);
        }

        tensor.Int(2, 1); // FLOAT
        tensor.String(8, name);
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        return tensor.Bytes(9, raw); // raw_data, little-endian
    }

    private static ProtoWriter Node(string op, string[] inputs, string[] outputs, params ProtoWriter?[] attributes)
    {
        var node = new ProtoWriter();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        foreach (string output in outputs)
        {
            node.String(2, output);
        }

        node.String(4, op);
        foreach (ProtoWriter? attribute in attributes)
        {
            if (attribute is not null)
            {
                node.Message(5, attribute);
            }
        }

        return node;
    }

    /// <summary>An AttributeProto of type INTS.</summary>
    private static ProtoWriter Ints(string name, params int[] values)
    {
        var attribute = new ProtoWriter().String(1, name);
        foreach (int value in values)
        {
            attribute.Int(8, value);
        }

        return attribute.Int(20, 7);
    }

    /// <summary>A float tensor of shape [batch (symbolic), dims…].</summary>
    private static ProtoWriter ValueInfo(string name, params int[] dims)
    {
        var shape = new ProtoWriter().Message(1, new ProtoWriter().String(2, "batch")); // dim_param
        foreach (int d in dims)
        {
            shape.Message(1, new ProtoWriter().Int(1, d));            // dim_value
        }

        var tensorType = new ProtoWriter().Int(1, 1).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }

    /// <summary>The few protobuf wire types the model needs: varints and length-delimited fields.</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream _stream = new();

        public ProtoWriter Int(int field, long value)
        {
            Varint((ulong)(field << 3));
            Varint((ulong)value);
            return this;
        }

        public ProtoWriter Fixed32(int field, float value)
        {
            Varint((ulong)((field << 3) | 5));
            Span<byte> bytes = stackalloc byte[4];
            BitConverter.TryWriteBytes(bytes, value); // little-endian on every platform .NET runs this on
            _stream.Write(bytes);
            return this;
        }

        public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

        public ProtoWriter Bytes(int field, byte[] value)
        {
            Varint((ulong)((field << 3) | 2));
            Varint((ulong)value.Length);
            _stream.Write(value);
            return this;
        }

        public byte[] ToArray() => _stream.ToArray();

        private void Varint(ulong value)
        {
            while (value >= 0x80)
            {
                _stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _stream.WriteByte((byte)value);
        }
    }
}
