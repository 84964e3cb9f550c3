using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using System.Runtime.InteropServices;

namespace GenNet;

/// <summary>
/// The ONNX graph of a network as its generated <c>DescribeOnnx</c> method builds it, layer by layer: each layer's plan in
/// the generator writes its own calls here (docs/adding-a-layer.md), so this class knows ONNX and layouts but no layer kind.
/// </summary>
/// <remarks>
/// <para>
/// Every layer's output is registered under the layer's name (<see cref="Layer"/>), and later layers read it by that name.
/// GenNet keeps images channels-last ([height, width, channels], a sequence [steps, channels]); ONNX's Conv and pooling
/// operators want channels-first ([batch, channels, …]). A layer says which layout its value is in; a reader asks for the
/// layout it needs (<see cref="ChannelsFirst"/>, <see cref="ChannelsLast"/>) and gets a Transpose the first time only. The
/// graph's inputs and its output are in GenNet's layout, so the same floats go in and come out as with <c>Forward</c>.
/// </para>
/// <para>Values and nodes get the names the layer asks for, made unique with a suffix only when one is taken.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class OnnxGraph
{
    private readonly INetwork _network;
    private readonly ProtoWriter _graph = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LayerValue> _layers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _initializers = new(StringComparer.Ordinal); // tensor name (or constant key) → value
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<NodeRecord> _nodes = []; // written in Model, so that Output can still rename a value
    private ProtoWriter? _output;

    internal OnnxGraph(INetwork network) => _network = network;

    /// <summary>A graph input named <paramref name="name"/>, [batch, <paramref name="shape"/>…] in GenNet's layout; later layers read it by that name.</summary>
    public void Input(string name, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        string value = Unique(name);
        _inputs.Add(ValueInfo(value, shape));
        _layers.Add(name, new LayerValue(value, shape, channelsFirst: false));
    }

    /// <summary>Registers <paramref name="value"/> as the output of layer <paramref name="name"/>, per sample <paramref name="shape"/> in GenNet's order, in the given layout.</summary>
    public void Layer(string name, string value, int[] shape, bool channelsFirst = false)
    {
        ArgumentNullException.ThrowIfNull(shape);
        _layers.Add(name, new LayerValue(value, shape, channelsFirst && shape.Length > 1));
    }

    /// <summary>Layer <paramref name="name"/> computes nothing in ONNX: its output is layer <paramref name="source"/>'s (Dropout, a folded normalisation).</summary>
    public void Alias(string name, string source) => _layers.Add(name, Find(source));

    /// <summary>Layer <paramref name="layer"/>'s output in whichever layout it has; for element-wise work and vectors.</summary>
    public string Value(string layer) => Find(layer).Value;

    /// <summary>Whether layer <paramref name="layer"/>'s output is held channels-first (never for a vector).</summary>
    public bool IsChannelsFirst(string layer) => Find(layer).ChannelsFirst;

    /// <summary>Layer <paramref name="layer"/>'s output as [batch, channels, …] (PyTorch's NCHW or NCL).</summary>
    public string ChannelsFirst(string layer) => InLayout(layer, channelsFirst: true);

    /// <summary>Whether every one of <paramref name="layers"/> holds its output channels-first, so an element-wise node or a Concat over channels can stay so.</summary>
    public bool AllChannelsFirst(string[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return layers.All(IsChannelsFirst);
    }

    /// <summary>Layer <paramref name="layer"/>'s output in GenNet's layout, [batch, …, channels].</summary>
    public string ChannelsLast(string layer) => InLayout(layer, channelsFirst: false);

    /// <summary>The parameter tensor <paramref name="tensor"/> (PyTorch's name and layout) as an initializer of the same name.</summary>
    /// <remarks>An inference-only network's compiled-in weights are read where they lie, not copied into <see cref="INetwork.Parameters"/>.</remarks>
    public string Parameter(string tensor) =>
        Initializer(tensor, _network.ParameterTensors, ParameterArena);

    /// <summary>The buffer tensor <paramref name="tensor"/> (a running statistic) as an initializer of the same name.</summary>
    public string Buffer(string tensor) => Initializer(tensor, _network.BufferTensors, _network.Buffers);

    /// <summary>A float scalar constant, one initializer per value however often it is asked for.</summary>
    public string Scalar(float value)
    {
        string key = "scalar:" + BitConverter.SingleToInt32Bits(value).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        if (!_initializers.TryGetValue(key, out string? name))
        {
            name = Unique("const_" + value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            _graph.Message(OnnxSchema.Graph.Initializer, Tensor(name, [], [value]));
            _initializers.Add(key, name);
        }

        return name;
    }

    /// <summary>
    /// A float initializer of values derived at export time (a weight reordered for an operator that wants another layout),
    /// named <paramref name="name"/> (made unique), of shape <paramref name="dims"/>.
    /// </summary>
    public string Constant(string name, float[] values, int[] dims)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(dims);
        CheckCount(values.Length, dims);
        string value = Unique(name);
        _graph.Message(OnnxSchema.Graph.Initializer, Tensor(value, dims, values));
        return value;
    }

    /// <summary>
    /// Parameter tensors whose rows are <paramref name="order"/>.Length equal blocks of gates, each with its blocks put in
    /// ONNX's order (block k of the result is block <paramref name="order"/>[k] of the tensor), concatenated as one initializer
    /// named <paramref name="name"/> (made unique) of shape <paramref name="dims"/>: PyTorch's recurrent weights and biases
    /// (LSTM i, f, g, o; GRU r, z, n) in ONNX's LSTM (i, o, f, c) and GRU (z, r, h) layouts.
    /// </summary>
    public string GateBlocks(string name, string[] tensors, int[] order, int[] dims)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(order);
        ReadOnlySpan<float> arena = ParameterArena;
        var values = new List<float>();
        foreach (string tensor in tensors)
        {
            ParameterTensor found = Named(tensor, _network.ParameterTensors);
            if (found.Length % order.Length != 0)
            {
                throw new ArgumentException($"{tensor} ({found.Length} values) does not split into {order.Length} gate blocks.", nameof(order));
            }

            int block = found.Length / order.Length;
            ReadOnlySpan<float> source = arena.Slice(found.Offset, found.Length);
            foreach (int gate in order)
            {
                values.AddRange(source.Slice(gate * block, block));
            }
        }

        return Constant(name, values.ToArray(), dims);
    }

    /// <summary>An int64 initializer (a Reshape's shape, Gather's indices), named <paramref name="name"/> (made unique), of shape <paramref name="dims"/>.</summary>
    public string Int64Constant(string name, long[] values, int[] dims)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(dims);
        CheckCount(values.Length, dims);
        string value = Unique(name);
        var tensor = new ProtoWriter();
        foreach (int dimension in dims)
        {
            tensor.Varint(OnnxSchema.Tensor.Dims, dimension);
        }

        tensor.Varint(OnnxSchema.Tensor.DataType, OnnxSchema.Tensor.Int64).String(OnnxSchema.Tensor.Name, value);
        byte[] raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), values[i]);
        }

        _graph.Message(OnnxSchema.Graph.Initializer, tensor.Bytes(OnnxSchema.Tensor.RawData, raw));
        return value;
    }

    /// <summary>
    /// Appends a node of operator <paramref name="op"/> (default domain) reading <paramref name="inputs"/>; its output value,
    /// and the node, are named <paramref name="output"/> (made unique). Returns the output's name.
    /// </summary>
    public string Node(string op, string[] inputs, string output, params OnnxAttribute[] attributes)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(attributes);
        string value = Unique(output);
        _nodes.Add(new NodeRecord(op, (string[])inputs.Clone(), value, attributes));
        return value;
    }

    /// <summary>
    /// <paramref name="activation"/> applied to <paramref name="input"/>, its result named <paramref name="output"/>; Linear adds
    /// nothing and returns <paramref name="input"/>. Softmax is over the last axis (a vector's only one). GELU is GenNet's tanh
    /// form, ½x(1 + tanh(√(2/π)(x + 0.044715x³))), written out in Mul, Add and Tanh, as opset 17 has no Gelu.
    /// </summary>
    public string Activation(string input, string output, Activation activation, float negativeSlope = 0.01f) => activation switch
    {
        GenNet.Activation.Linear => input,
        GenNet.Activation.ReLU => Node("Relu", [input], output),
        GenNet.Activation.Sigmoid => Node("Sigmoid", [input], output),
        GenNet.Activation.Tanh => Node("Tanh", [input], output),
        GenNet.Activation.Softmax => Node("Softmax", [input], output, OnnxAttribute.Int("axis", -1)),
        GenNet.Activation.LeakyReLU => Node("LeakyRelu", [input], output, OnnxAttribute.Float("alpha", negativeSlope)),
        GenNet.Activation.Gelu => Gelu(input, output),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Not a member of GenNet.Activation."),
    };

    /// <summary>Refuses the export: layer <paramref name="layer"/>, of kind <paramref name="kind"/>, has no ONNX form yet. Nothing is written.</summary>
    public void Unsupported(string layer, string kind) =>
        throw new NotSupportedException($"{_network.GetType().Name} cannot be exported to ONNX: layer '{layer}' ({kind}) has no ONNX export yet. Nothing was written.");

    /// <summary>Makes layer <paramref name="layer"/>'s output, in GenNet's layout and under the layer's name, the graph's output.</summary>
    public void Output(string layer)
    {
        LayerValue found = Find(layer);
        string value = ChannelsLast(layer);
        if (value != layer)
        {
            bool byNode = _nodes.Any(n => n.Output == layer);
            if (_nodes.Any(n => n.Output == value) && (byNode || _names.Add(layer)))
            {
                if (byNode)
                {
                    // The layer's own node holds its name but in the other layout (an image): the name moves to the Transpose.
                    Rename(layer, Unique(layer + "/channels_first"));
                }

                Rename(value, layer);
                value = layer;
            }
            else
            {
                value = Node("Identity", [value], layer); // an input or a constant as the output (no layer computes)
            }
        }

        _output = ValueInfo(value, found.Shape);
    }

    /// <summary>The ModelProto: IR version, opset, producer, and this graph with its inputs and output.</summary>
    internal ProtoWriter Model(string graphName, string docString)
    {
        if (_output is null)
        {
            throw new InvalidOperationException("The graph has no output; DescribeOnnx must end with Output.");
        }

        foreach (NodeRecord record in _nodes)
        {
            var node = new ProtoWriter();
            foreach (string input in record.Inputs)
            {
                node.String(OnnxSchema.Node.Input, input);
            }

            node.String(OnnxSchema.Node.Output, record.Output).String(OnnxSchema.Node.Name, record.Output).String(OnnxSchema.Node.OpType, record.Op);
            foreach (OnnxAttribute attribute in record.Attributes)
            {
                node.Message(OnnxSchema.Node.Attribute, attribute.Message);
            }

            _graph.Message(OnnxSchema.Graph.Node, node);
        }

        _graph.String(OnnxSchema.Graph.Name, graphName).String(OnnxSchema.Graph.DocString, docString);
        foreach (ProtoWriter input in _inputs)
        {
            _graph.Message(OnnxSchema.Graph.Input, input);
        }

        _graph.Message(OnnxSchema.Graph.Output, _output);
        string version = typeof(OnnxGraph).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        return new ProtoWriter()
            .Varint(OnnxSchema.Model.IrVersion, OnnxSchema.IrVersion)
            .String(OnnxSchema.Model.ProducerName, "GenNet")
            .String(OnnxSchema.Model.ProducerVersion, version)
            .Message(OnnxSchema.Model.Graph, _graph)
            .Message(OnnxSchema.Model.OpsetImport, new ProtoWriter().String(OnnxSchema.OperatorSetId.Domain, "").Varint(OnnxSchema.OperatorSetId.Version, OnnxSchema.Opset));
    }

    private string Gelu(string x, string output)
    {
        // In the order of GenNet's kernel (Kernels/Activations.cs), so the two round alike.
        string square = Node("Mul", [x, x], output + "/x2");
        string cubic = Node("Mul", [square, Scalar(0.044715f)], output + "/cx2");
        string inner = Node("Add", [cubic, Scalar(1f)], output + "/1+cx2");
        string polynomial = Node("Mul", [inner, x], output + "/x+cx3");
        string u = Node("Mul", [polynomial, Scalar(0.7978845608028654f)], output + "/u");
        string t = Node("Tanh", [u], output + "/tanh");
        string onePlus = Node("Add", [t, Scalar(1f)], output + "/1+t");
        string product = Node("Mul", [onePlus, x], output + "/x(1+t)");
        return Node("Mul", [product, Scalar(0.5f)], output);
    }

    private LayerValue Find(string layer) =>
        _layers.TryGetValue(layer, out LayerValue? value)
            ? value
            : throw new InvalidOperationException($"DescribeOnnx reads '{layer}' before any layer or input of that name was described.");

    /// <summary>Layer <paramref name="layer"/>'s output channels-first or channels-last, as <paramref name="channelsFirst"/> says.</summary>
    public string InLayout(string layer, bool channelsFirst)
    {
        LayerValue value = Find(layer);
        if (value.Shape.Length < 2 || value.ChannelsFirst == channelsFirst)
        {
            return value.Value;
        }

        if ((channelsFirst ? value.FirstCopy : value.LastCopy) is { } made)
        {
            return made;
        }

        // With the batch axis first: channels-last [0, 1, …, r−1, r] ↔ channels-first [0, r, 1, …, r−1].
        int rank = value.Shape.Length;
        long[] permutation = channelsFirst
            ? [0, rank, .. Enumerable.Range(1, rank - 1).Select(i => (long)i)]
            : [0, .. Enumerable.Range(2, rank - 1).Select(i => (long)i), 1];
        string transposed = Node("Transpose", [value.Value], $"{layer}/{(channelsFirst ? "channels_first" : "channels_last")}", OnnxAttribute.Ints("perm", permutation));
        if (channelsFirst)
        {
            value.FirstCopy = transposed;
        }
        else
        {
            value.LastCopy = transposed;
        }

        return transposed;
    }

    /// <summary>The parameters as the layers read them: an inference-only network's compiled-in weights in place, not copied.</summary>
    private ReadOnlySpan<float> ParameterArena => _network.ParameterValues;

    private ParameterTensor Named(string tensor, IReadOnlyList<ParameterTensor> tensors) =>
        tensors.FirstOrDefault(t => t.Name == tensor)
        ?? throw new InvalidOperationException($"{_network.GetType().Name} has no tensor named '{tensor}'.");

    private string Initializer(string tensor, IReadOnlyList<ParameterTensor> tensors, ReadOnlySpan<float> arena)
    {
        if (_initializers.TryGetValue(tensor, out string? name))
        {
            return name;
        }

        ParameterTensor found = Named(tensor, tensors);
        name = Unique(tensor);
        _graph.Message(OnnxSchema.Graph.Initializer, Tensor(name, found.Shape.ToArray(), arena.Slice(found.Offset, found.Length)));
        _initializers.Add(tensor, name);
        return name;
    }

    /// <summary>Gives the value <paramref name="from"/> (a node's output) the name <paramref name="to"/> everywhere it is written or read.</summary>
    private void Rename(string from, string to)
    {
        foreach (NodeRecord node in _nodes)
        {
            if (node.Output == from)
            {
                node.Output = to;
            }

            for (int i = 0; i < node.Inputs.Length; i++)
            {
                if (node.Inputs[i] == from)
                {
                    node.Inputs[i] = to;
                }
            }
        }

        foreach (LayerValue layer in _layers.Values)
        {
            layer.Rename(from, to);
        }
    }

    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !_names.Add(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }

    private static void CheckCount(int count, int[] dims)
    {
        long expected = dims.Aggregate(1L, (a, b) => a * b);
        if (count != expected)
        {
            throw new ArgumentException($"{count} values do not fill a tensor of shape [{string.Join(", ", dims)}] ({expected}).");
        }
    }

    /// <summary>A float TensorProto with raw little-endian data.</summary>
    private static ProtoWriter Tensor(string name, int[] dims, ReadOnlySpan<float> values)
    {
        var tensor = new ProtoWriter();
        foreach (int dimension in dims)
        {
            tensor.Varint(OnnxSchema.Tensor.Dims, dimension);
        }

        tensor.Varint(OnnxSchema.Tensor.DataType, OnnxSchema.Tensor.Float).String(OnnxSchema.Tensor.Name, name);
        byte[] raw = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < raw.Length; i += 4)
            {
                Array.Reverse(raw, i, 4);
            }
        }

        return tensor.Bytes(OnnxSchema.Tensor.RawData, raw);
    }

    /// <summary>A float tensor's ValueInfoProto of shape [batch, <paramref name="shape"/>…], the batch dimension symbolic.</summary>
    private static ProtoWriter ValueInfo(string name, int[] shape)
    {
        var dims = new ProtoWriter().Message(OnnxSchema.Shape.Dim, new ProtoWriter().String(OnnxSchema.Shape.DimParam, "batch"));
        foreach (int dimension in shape)
        {
            dims.Message(OnnxSchema.Shape.Dim, new ProtoWriter().Varint(OnnxSchema.Shape.DimValue, dimension));
        }

        var tensorType = new ProtoWriter().Varint(OnnxSchema.Type.ElemType, OnnxSchema.Tensor.Float).Message(OnnxSchema.Type.Shape, dims);
        return new ProtoWriter()
            .String(OnnxSchema.ValueInfo.Name, name)
            .Message(OnnxSchema.ValueInfo.Type, new ProtoWriter().Message(OnnxSchema.Type.TensorType, tensorType));
    }

    /// <summary>A node as it will be written; its output and inputs may still be renamed (<see cref="Rename"/>).</summary>
    private sealed class NodeRecord(string op, string[] inputs, string output, OnnxAttribute[] attributes)
    {
        public string Op { get; } = op;

        public string[] Inputs { get; } = inputs;

        public string Output { get; set; } = output;

        public OnnxAttribute[] Attributes { get; } = attributes;
    }

    /// <summary>A layer's output: its value, per-sample shape in GenNet's order, layout, and its transposed copies once made.</summary>
    private sealed class LayerValue(string value, int[] shape, bool channelsFirst)
    {
        public string Value { get; private set; } = value;

        public int[] Shape { get; } = shape;

        public bool ChannelsFirst { get; } = channelsFirst;

        public string? FirstCopy { get; set; }

        public string? LastCopy { get; set; }

        public void Rename(string from, string to)
        {
            Value = Value == from ? to : Value;
            FirstCopy = FirstCopy == from ? to : FirstCopy;
            LastCopy = LastCopy == from ? to : LastCopy;
        }
    }
}
