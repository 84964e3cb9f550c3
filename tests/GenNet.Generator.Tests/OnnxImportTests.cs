using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using GenNet.Build;
using Microsoft.CodeAnalysis;
using Xunit;

namespace GenNet.Generator.Tests;

/// <summary>
/// [Network(Onnx = …)]: ONNX bytes through the build task's importer (what GenNetImportOnnx writes into obj/GenNet) and
/// then the generator — the same declarations and code as attributes give, and GN0031–GN0035 for what cannot be imported.
/// </summary>
public sealed class OnnxImportTests
{
    private const string Imported = """
        using GenNet;

        namespace Apps;

        [Network(Onnx = "models/model.onnx")]
        public partial class Imported;
        """;

    /// <summary>The files the build task writes for <paramref name="bytes"/> under the name model.onnx.</summary>
    internal static AdditionalText[] BuildFiles(byte[] bytes, string fileName = "model.onnx")
    {
        OnnxImport import = OnnxImporter.Import(bytes);
        import.SafeTensors(out byte[] header, out byte[] data);
        return
        [
            new InMemoryAdditionalText($"/project/obj/GenNet/{fileName}.gennet", import.Description),
            new InMemoryAdditionalText($"/project/obj/GenNet/{fileName}.safetensors.header.json", Encoding.UTF8.GetString(header) + "\ndata-length: " + data.Length),
        ];
    }

    private static GeneratorRun Run(string source, params AdditionalText[] files) => GeneratorHarness.RunWithFiles(GeneratorHarness.Compile(source), null, files);

    internal static byte[] Fixture(string name)
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string path = Path.Combine(directory.FullName, "tests", "fixtures", "onnx", name);
            if (File.Exists(path))
            {
                return File.ReadAllBytes(path);
            }
        }

        throw new FileNotFoundException(name);
    }

    /// <summary>
    /// An imported convnet generates exactly the code of its attribute declaration with the same compiled-in weights, but for
    /// the first comment line, which names the file (the
    /// fixture is SaveOnnx's file of the gradient suite's MnistConvSmall; its Dropout has no ONNX node).
    /// </summary>
    [Fact]
    public void Imported_convnet_is_the_attribute_declared_one()
    {
        AdditionalText[] files = BuildFiles(Fixture("gennet_MnistConvSmall.onnx"));
        GeneratorRun run = Run(Imported, files);
        Assertions.CleanRun(run);
        string imported = run.Source("Apps.Imported.g.cs");
        Snapshot.Match("OnnxImportedConvnet", imported);

        const string declared = """
            using GenNet;

            namespace Apps;

            [Network(Training = false, Weights = "models/model.onnx.safetensors")]
            [Input(14, 14, 1)]
            [Conv2D(4, 3, Activation.ReLU, Name = "conv_0")]
            [MaxPool2D(2)]
            [Conv2D(6, 3, Activation.ReLU, Name = "conv_1")]
            [MaxPool2D(2)]
            [Flatten]
            [Dense(10, Activation.Softmax, Name = "dense_0")]
            public partial class Imported;
            """;
        GeneratorRun attributes = Run(declared, files);
        Assertions.CleanRun(attributes);
        Assert.Equal(
            attributes.Source("Apps.Imported.g.cs").Replace("from the attributes on Imported.", "from the ONNX file models/model.onnx imported into Imported."),
            imported);
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Imported_network_is_inference_only_unless_it_asks_to_train()
    {
        AdditionalText[] files = BuildFiles(Fixture("gennet_BatchNormResidual.onnx"));
        string inference = Run(Imported, files).Source("Apps.Imported.g.cs");
        Assert.Contains("partial class Imported : global::GenNet.NetworkBase", inference);
        Assert.DoesNotContain("Backward", inference);

        GeneratorRun trainable = Run(Imported.Replace("Onnx = \"models/model.onnx\"", "Onnx = \"models/model.onnx\", Training = true"), files);
        Assertions.CleanRun(trainable);
        Assert.Contains("partial class Imported : global::GenNet.TrainableNetworkBase", trainable.Source("Apps.Imported.g.cs"));
    }

    private static void AssertDiagnostic(GeneratorRun run, string id, string message)
    {
        Assert.Null(run.Result.Results.Single().Exception);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        SyntaxTree tree = run.Input.SyntaxTrees.Single(t => t.FilePath == diagnostic.Location.GetLineSpan().Path);
        Assert.Equal("Network(Onnx = \"models/model.onnx\")", tree.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Empty(run.Result.Results.Single().GeneratedSources);
    }

    [Fact]
    public void GN0031_onnx_file_not_in_the_project() => AssertDiagnostic(
        Run(Imported, BuildFiles(Fixture("gennet_MnistMlp.onnx"), "other.onnx")),
        "GN0031",
        "Network 'Imported' imports 'models/model.onnx', but the project has no <GenNetOnnx Include=\"models/model.onnx\" /> item for it (the build turns that item into what the generator reads)");

    [Fact]
    public void GN0032_truncated_file()
    {
        byte[] whole = Fixture("gennet_MnistConvSmall.onnx");
        AssertDiagnostic(
            Run(Imported, BuildFiles(whole.Take(whole.Length / 2).ToArray())),
            "GN0032",
            "'models/model.onnx' cannot be imported into network 'Imported': it is not a readable ONNX model: a field runs past the end of the file (truncated)");
    }

    [Theory]
    [InlineData("", "it is not an ONNX model (no graph with nodes and an output); it is only 0 bytes long")]
    [InlineData("{\"not\": \"onnx\"}", "it is not a readable ONNX model: protobuf wire type 3, which ONNX files do not use")]
    [InlineData("hello, world", "it is not a readable ONNX model: protobuf wire type 4, which ONNX files do not use")]
    [InlineData("\u0008\u0007", "it is not an ONNX model (no graph with nodes and an output); it is only 2 bytes long")]
    public void GN0032_not_an_onnx_file(string content, string problem) => AssertDiagnostic(
        Run(Imported, BuildFiles(Encoding.UTF8.GetBytes(content))),
        "GN0032",
        "'models/model.onnx' cannot be imported into network 'Imported': " + problem);

    /// <summary>Every unsupported node is listed, in graph order, with its op and name; nodes after them are not blamed.</summary>
    [Fact]
    public void GN0033_lists_every_unsupported_node()
    {
        var model = new TinyModel(4);
        string absolute = model.Node("Abs", ["input"], "abs_1");
        string dense = model.Gemm("input", 4, 3, "dense");
        string sine = model.Node("Sin", [dense], "sine");
        string sum = model.Node("Add", [model.Node("Hardmax", [absolute], "hard"), sine], "sum");
        AssertDiagnostic(
            Run(Imported, BuildFiles(model.Bytes(sum))),
            "GN0033",
            "'models/model.onnx' cannot be imported into network 'Imported': 2 nodes GenNet has no layer for: Abs 'abs_1', Sin 'sine'");
    }

    [Fact]
    public void GN0034_shape_not_fixed_at_compile_time()
    {
        var model = new TinyModel(4, symbolicSteps: true);
        AssertDiagnostic(
            Run(Imported, BuildFiles(model.Bytes(model.Node("Relu", ["input"], "relu")))),
            "GN0034",
            "'models/model.onnx' cannot be imported into network 'Imported': input 'input' has [?, ?, 4]; GenNet needs every dimension but the first (the batch) as a number (export with fixed sizes: only the batch axis in dynamic_axes)");
    }

    [Theory]
    [InlineData("dilations", "Conv 'conv': dilations [2, 2]; GenNet has no dilated windows")]
    [InlineData("group", "Conv 'conv': group = 2; GenNet imports ungrouped convolutions (group = 1) and depthwise ones (group = channels)")]
    [InlineData("pads", "Conv 'conv': pads [0, 0, 1, 1] are neither none nor Keras's \"same\" (GenNet pads nothing or, for output ⌈size / stride⌉, half the rows before and the rest after)")]
    public void GN0035_unsupported_attribute_value(string attribute, string problem)
    {
        var model = new TinyModel(6, 6, 4);
        string image = model.Node("Transpose", ["input"], "to_nchw", ("perm", new long[] { 0, 3, 1, 2 }));
        long[] value = attribute switch { "dilations" => [2, 2], "group" => [2], _ => [0, 0, 1, 1] };
        string conv = model.Conv(image, attribute == "group" ? 2 : 4, 4, "conv", (attribute, value));
        string flat = model.Node("Flatten", [conv], "flat");
        AssertDiagnostic(Run(Imported, BuildFiles(model.Bytes(flat))), "GN0035", "'models/model.onnx' cannot be imported into network 'Imported': " + problem);
    }

    [Fact]
    public void Layers_beside_onnx_are_refused()
    {
        GeneratorRun run = Run(Imported.Replace("public partial class Imported;", "[Input(3)]\n[Dense(2)]\npublic partial class Imported;"), BuildFiles(Fixture("gennet_MnistMlp.onnx")));
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("GN0008", diagnostic.Id);
        Assert.Contains("takes its inputs and layers from the ONNX file", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A depthwise Conv (4 channels) then a 1×1 Conv becomes one SeparableConv2D only when the depthwise Conv has no bias and
    /// the 1×1 Conv is its only reader; otherwise the two stay a DepthwiseConv2D and a Conv2D, which compute the same.
    /// </summary>
    [Theory]
    [InlineData(false, false, "SeparableConv2D Flatten")]
    [InlineData(true, false, "DepthwiseConv2D Conv2D Flatten")]
    [InlineData(false, true, "DepthwiseConv2D Conv2D Add Flatten")]
    public void Depthwise_then_pointwise_is_one_separable_layer_only_without_bias_and_other_readers(bool bias, bool otherReader, string layers)
    {
        var model = new TinyModel(6, 6, 4);
        string image = model.Node("Transpose", ["input"], "to_nchw", ("perm", new long[] { 0, 3, 1, 2 }));
        string depthwise = model.Conv(image, 1, 4, 3, bias, "sep.depthwise", ("group", [4]));
        string pointwise = model.Conv(depthwise, 4, 4, 1, true, "sep.pointwise");
        string last = otherReader ? model.Node("Add", [pointwise, depthwise], "sum") : pointwise;
        OnnxImport import = OnnxImporter.Import(model.Bytes(model.Node("Flatten", [last], "flat")));
        Assert.Equal(layers, string.Join(" ", import.Lines.Where(l => l.StartsWith("layer\t", StringComparison.Ordinal)).Select(l => l.Split('\t')[1])));
        if (layers.StartsWith("Separable", StringComparison.Ordinal))
        {
            Assert.Contains("layer\tSeparableConv2D\tname=sep\tfilters=4\tkernel=3,3\tmultiplier=1\tstride=1\tpadding=Valid", import.Lines);
            Assert.Equal(["sep.depthwise.weight", "sep.pointwise.weight", "sep.pointwise.bias"], import.Tensors.Select(t => t.Name));
        }
    }

    /// <summary>
    /// (x − mean) / max(√variance, 1e-7) of constants, as GenNet exports [Normalization], is a Normalization with the variance
    /// itself as its buffer; another floor under the deviation is not that layer and stays unsupported.
    /// </summary>
    [Theory]
    [InlineData(1e-7f, "Normalization Dense")]
    [InlineData(1e-3f, "")]
    public void Standardisation_by_the_exported_pattern_is_a_normalization(float floor, string layers)
    {
        var model = new TinyModel(3);
        string std = model.Node("Max", [model.Node("Sqrt", [model.Values("scaler.variance", [3], 0.25f, 4f, 9f)], "scaler/Sqrt"), model.Values("floor", [], floor)], "scaler/Max");
        string centred = model.Node("Sub", ["input", model.Values("scaler.mean", [3], 1f, 2f, 3f)], "scaler/Sub");
        string scaled = model.Node("Div", [centred, std], "scaler");
        OnnxImport import = OnnxImporter.Import(model.Bytes(model.Gemm(scaled, 3, 2, "dense")));
        Assert.Equal(layers, string.Join(" ", import.Lines.Where(l => l.StartsWith("layer\t", StringComparison.Ordinal)).Select(l => l.Split('\t')[1])));
        if (layers.Length > 0)
        {
            Assert.Contains("layer\tNormalization\tname=scaler", import.Lines);
            Assert.Equal([0.25f, 4f, 9f], import.Tensors.Single(t => t.Name == "scaler.variance").Values);
            Assert.Equal([1f, 2f, 3f], import.Tensors.Single(t => t.Name == "scaler.mean").Values);
        }
        else
        {
            Assert.Contains(import.Lines, l => l.StartsWith("unsupported\tSub", StringComparison.Ordinal));
        }
    }

    /// <summary>A small ONNX model written with the exporter's protobuf writer: one float input, nodes, initializers.</summary>
    private sealed class TinyModel
    {
        private readonly ProtoWriter _graph = new();
        private readonly int[] _shape;
        private readonly bool _symbolicSteps;
        private readonly Random _random = new(5);

        public TinyModel(params int[] shape) => _shape = shape;

        public TinyModel(int features, bool symbolicSteps) : this(features) => _symbolicSteps = symbolicSteps;

        public string Node(string op, string[] inputs, string name, params (string Name, long[] Ints)[] attributes)
        {
            var node = new ProtoWriter();
            foreach (string input in inputs)
            {
                node.String(OnnxSchema.Node.Input, input);
            }

            node.String(OnnxSchema.Node.Output, name).String(OnnxSchema.Node.Name, name).String(OnnxSchema.Node.OpType, op);
            foreach ((string attribute, long[] ints) in attributes)
            {
                var a = new ProtoWriter().String(OnnxSchema.Attribute.Name, attribute);
                if (attribute is "group" or "transB")
                {
                    a.Varint(OnnxSchema.Attribute.I, ints[0]).Varint(OnnxSchema.Attribute.Type, OnnxSchema.Attribute.TypeInt);
                }
                else
                {
                    foreach (long i in ints)
                    {
                        a.Varint(OnnxSchema.Attribute.Ints, i);
                    }

                    a.Varint(OnnxSchema.Attribute.Type, OnnxSchema.Attribute.TypeInts);
                }

                node.Message(OnnxSchema.Node.Attribute, a);
            }

            _graph.Message(OnnxSchema.Graph.Node, node);
            return name;
        }

        public string Gemm(string input, int inputs, int outputs, string name) =>
            Node("Gemm", [input, Initializer(name + ".weight", outputs, inputs), Initializer(name + ".bias", outputs)], name, ("transB", [1]));

        public string Conv(string input, int channels, int filters, string name, params (string Name, long[] Ints)[] attributes) =>
            Node("Conv", [input, Initializer(name + ".weight", filters, channels, 3, 3), Initializer(name + ".bias", filters)], name,
                attributes.Concat(new[] { ("kernel_shape", new long[] { 3, 3 }) }).ToArray());

        /// <summary>A Conv with a kernel × kernel weight [filters, channels, k, k], and a bias when asked.</summary>
        public string Conv(string input, int channels, int filters, int kernel, bool bias, string name, params (string Name, long[] Ints)[] attributes) =>
            Node("Conv", bias ? [input, Initializer(name + ".weight", filters, channels, kernel, kernel), Initializer(name + ".bias", filters)] : [input, Initializer(name + ".weight", filters, channels, kernel, kernel)],
                name, attributes.Concat(new[] { ("kernel_shape", new long[] { kernel, kernel }) }).ToArray());

        /// <summary>An initializer of the given shape and values.</summary>
        public string Values(string name, int[] dims, params float[] values)
        {
            var tensor = new ProtoWriter();
            foreach (int d in dims)
            {
                tensor.Varint(OnnxSchema.Tensor.Dims, d);
            }

            byte[] raw = values.SelectMany(BitConverter.GetBytes).ToArray();
            _graph.Message(OnnxSchema.Graph.Initializer, tensor.Varint(OnnxSchema.Tensor.DataType, OnnxSchema.Tensor.Float).String(OnnxSchema.Tensor.Name, name).Bytes(OnnxSchema.Tensor.RawData, raw));
            return name;
        }

        private string Initializer(string name, params int[] dims) =>
            Values(name, dims, Enumerable.Range(0, dims.Aggregate(1, (a, b) => a * b)).Select(_ => (float)_random.NextDouble()).ToArray());

        public byte[] Bytes(string output)
        {
            _graph.Message(OnnxSchema.Graph.Input, ValueInfo("input", _symbolicSteps ? [-1, _shape[0]] : _shape));
            _graph.Message(OnnxSchema.Graph.Output, ValueInfo(output, []));
            return new ProtoWriter()
                .Varint(OnnxSchema.Model.IrVersion, OnnxSchema.IrVersion)
                .Message(OnnxSchema.Model.Graph, _graph)
                .Message(OnnxSchema.Model.OpsetImport, new ProtoWriter().String(OnnxSchema.OperatorSetId.Domain, "").Varint(OnnxSchema.OperatorSetId.Version, OnnxSchema.Opset))
                .ToArray();
        }

        /// <summary>[batch, shape…]; −1 is a symbolic dimension.</summary>
        private static ProtoWriter ValueInfo(string name, int[] shape)
        {
            var dims = new ProtoWriter().Message(OnnxSchema.Shape.Dim, new ProtoWriter().String(OnnxSchema.Shape.DimParam, "batch"));
            foreach (int d in shape)
            {
                dims.Message(OnnxSchema.Shape.Dim, d < 0 ? new ProtoWriter().String(OnnxSchema.Shape.DimParam, "steps") : new ProtoWriter().Varint(OnnxSchema.Shape.DimValue, d));
            }

            var type = new ProtoWriter().Varint(OnnxSchema.Type.ElemType, OnnxSchema.Tensor.Float).Message(OnnxSchema.Type.Shape, dims);
            return new ProtoWriter().String(OnnxSchema.ValueInfo.Name, name).Message(OnnxSchema.ValueInfo.Type, new ProtoWriter().Message(OnnxSchema.Type.TensorType, type));
        }
    }
}
