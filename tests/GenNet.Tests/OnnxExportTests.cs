using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GenNet.Tests.Networks;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests.Networks
{
    /// <summary>
    /// Layouts meeting in a merge: a GELU convolution and a LeakyReLU 1×1 one gated by Multiply (with a sigmoid), joined
    /// with the first by Concatenate along the channels, average-pooled with same padding, layer-normalised with tanh, and
    /// an image output (channels-last, as Forward gives it).
    /// </summary>
    [Network(Loss = Loss.MeanSquaredError)]
    [Input(6, 5, 3)]
    [Conv2D(4, 3, Activation.Gelu, Padding = Padding.Same, Name = "left")]
    [Conv2D(4, 1, Activation.LeakyReLU, NegativeSlope = 0.2f, From = "input", Name = "right")]
    [Multiply("left", Activation = Activation.Sigmoid, Name = "gate")]
    [Concatenate("left", Name = "both")]
    [AveragePool2D(2, Padding = Padding.Same)]
    [LayerNormalization(Activation = Activation.Tanh)]
    [Conv2D(2, 2, Activation.Linear, Name = "head")]
    public partial class OnnxLayoutGraph;

    /// <summary>
    /// A sequence, inference only: Conv1D with same padding, Dropout (no node), MaxPool1D with same padding, a
    /// BatchNormalization with GELU that cannot fold (it reads a pool), a strided AveragePool1D, Flatten of several
    /// channels (GenNet's order), softmax.
    /// </summary>
    [Network(Training = false, Loss = Loss.SparseCategoricalCrossEntropy)]
    [Input(9, 3)]
    [Conv1D(4, 3, Activation.ReLU, Padding = Padding.Same)]
    [Dropout(0.5)]
    [MaxPool1D(2, Padding = Padding.Same)]
    [BatchNormalization(Activation = Activation.Gelu)]
    [AveragePool1D(2, Stride = 1)]
    [Flatten]
    [Dense(3, Activation.Softmax)]
    public partial class OnnxSequenceNet;

    /// <summary>No layer computes: the output is the input, which the graph passes on through an Identity named as the layer.</summary>
    [Network(Training = false, Loss = Loss.MeanSquaredError)]
    [Input(3)]
    [Flatten]
    public partial class OnnxIdentityNet;
}

namespace GenNet.Tests
{
    /// <summary>
    /// SaveOnnx against ONNX Runtime: every network of the gradient suite (every layer kind and activation, chains and
    /// graphs, several inputs) and the inference-only ones that fold normalisations, each with perturbed parameters and
    /// running statistics away from their defaults, on 1,000 random inputs. Agreement is |ort − gennet| ≤ 1e-5·max(1, |gennet|):
    /// both compute in float32 with different summation orders (ORT's GEMM and convolutions, GenNet's tiles), GELU is
    /// the same tanh formula in both but ORT's Tanh differs from .NET's by an ulp or so.
    /// </summary>
    public sealed class OnnxExportTests(ITestOutputHelper output)
    {
        public const double Tolerance = 1e-5;

        private const int Samples = 1000;

        public static IEnumerable<object[]> Cases() => NetworkCases.Names();

        [Theory]
        [MemberData(nameof(Cases))]
        public void OnnxRuntimeReproducesForward(string name)
        {
            NetworkCase networkCase = NetworkCases.Get(name);
            INetwork network = networkCase.Create();
            Prepare(network, seed: 11);
            Report(name, CompareWithOnnxRuntime(network, Samples, seed: 5, networkCase.Inputs));
        }

        public static IEnumerable<object[]> MoreNetworks() =>
        [
            ["OnnxLayoutGraph"],
            ["OnnxSequenceNet"],
            ["FoldedBatchNormNet"],
            ["UnfoldedBatchNormNet"],
            ["UnfoldableBatchNorm"],
            ["FoldedPyTorchBatchNorm"],
            ["OnnxIdentityNet"],
        ];

        private static INetwork Create(string name) => name switch
        {
            "OnnxLayoutGraph" => new OnnxLayoutGraph(),
            "OnnxSequenceNet" => new OnnxSequenceNet(),
            "FoldedBatchNormNet" => new FoldedBatchNormNet(),
            "UnfoldedBatchNormNet" => new UnfoldedBatchNormNet(),
            "UnfoldableBatchNorm" => new UnfoldableBatchNorm(),
            "FoldedPyTorchBatchNorm" => new FoldedPyTorchBatchNorm(),
            "OnnxIdentityNet" => new OnnxIdentityNet(),
            _ => throw new ArgumentException(name),
        };

        /// <summary>Merges across layouts, sequences, inference-only networks with folded (and unfoldable) normalisations.</summary>
        [Theory]
        [MemberData(nameof(MoreNetworks))]
        public void OnnxRuntimeReproducesForwardOfInferenceAndLayoutNetworks(string name)
        {
            INetwork network = Create(name);
            Prepare(network, seed: 23);
            Report(name, CompareWithOnnxRuntime(network, Samples, seed: 6));
        }

        /// <summary>Inference-only networks with PyTorch's files compiled in (gathered, or read in place from the assembly image): exported as they are, untouched.</summary>
        [Fact]
        public void CompiledInWeightsAreExported()
        {
            foreach (INetwork network in new INetwork[] { new CompiledPyTorchMlp(), new MappedPyTorchMlp(), new CompiledPyTorchBatchNorm(), new CompiledPyTorchDepthwise() })
            {
                Report(network.GetType().Name, CompareWithOnnxRuntime(network, Samples, seed: 8));
            }
        }

        /// <summary>
        /// Networks whose Dense layers compute from 16- and 8-bit compiled-in weights export those weights widened to float32
        /// (ONNX has no per-channel int8 Gemm weight without quantized operators), the values the kernels use exactly; the
        /// network keeps computing from its stored weights afterwards.
        /// </summary>
        [Fact]
        public void ReducedPrecisionNetworksExportTheirWeightsWidened()
        {
            foreach (NetworkBase network in new NetworkBase[] { new FashionBFloat16(), new FashionHalf(), new FashionInt8() })
            {
                Report(network.GetType().Name, CompareWithOnnxRuntime(network, Samples, seed: 9, (random, _) => (float)random.NextDouble()));
                var parameters = typeof(NetworkBase).GetField("_parameters", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
                Assert.Null(parameters.GetValue(network));
            }
        }

        /// <summary>Exporting reads compiled-in weights where they lie: the network keeps no private copy afterwards.</summary>
        [Fact]
        public void ExportLeavesCompiledInWeightsInPlace()
        {
            var network = new MappedPyTorchMlp();
            Export(network);
            var parameters = typeof(NetworkBase).GetField("_parameters", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
            Assert.Null(parameters.GetValue(network));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(7)]
        public void BatchDimensionIsDynamic(int batchSize)
        {
            foreach (INetwork network in new INetwork[] { new GraphTwoInputs(), new OnnxLayoutGraph(), new MnistMlp() })
            {
                Prepare(network, seed: 3);
                using var session = new InferenceSession(Export(network));
                Assert.All(session.InputMetadata.Values, input => Assert.Equal(-1, input.Dimensions[0]));
                Assert.All(session.InputMetadata.Values, input => Assert.Equal("batch", input.SymbolicDimensions[0]));
                Assert.Equal(-1, session.OutputMetadata.Values.Single().Dimensions[0]);
                double error = Compare(network, session, batchSize, seed: batchSize);
                Assert.True(error <= Tolerance, $"{network.GetType().Name} at batch {batchSize}: error {error:E2}");
            }
        }

        [Fact]
        public void InputsAndOutputAreNamedAsTheNetworkNamesThem()
        {
            var twoInputs = new GraphTwoInputs();
            twoInputs.InitializeParameters(1);
            using (var session = new InferenceSession(Export(twoInputs)))
            {
                Assert.Equal(["image", "features"], session.InputNames);
                Assert.Equal([-1, 5, 4, 2], session.InputMetadata["image"].Dimensions);
                Assert.Equal([-1, 3], session.InputMetadata["features"].Dimensions);
                Assert.Equal(["dense_1"], session.OutputNames);
                Assert.Equal([-1, 2], session.OutputMetadata["dense_1"].Dimensions);
            }

            var folded = new FoldedBatchNormNet();
            folded.InitializeParameters(1);
            using (var session = new InferenceSession(Export(folded)))
            {
                Assert.Equal(["input"], session.InputNames);
                Assert.Equal(["head.bn"], session.OutputNames); // a folded normalisation keeps its name
            }

            var image = new OnnxLayoutGraph();
            image.InitializeParameters(1);
            using (var session = new InferenceSession(Export(image)))
            {
                Assert.Equal(["head"], session.OutputNames);
                Assert.Equal([-1, 2, 2, 2], session.OutputMetadata["head"].Dimensions); // channels-last, as OutputShape
            }

            using (var session = new InferenceSession(Export(new OnnxIdentityNet())))
            {
                Assert.Equal(["input"], session.InputNames);
                Assert.Equal(["flatten"], session.OutputNames);
            }
        }

        [Fact]
        public void ModelDeclaresOpset17IrVersion8AndGenNetAsProducer()
        {
            var network = new MnistMlp();
            network.InitializeParameters(1);
            byte[] model = Export(network);
            using var session = new InferenceSession(model);
            Assert.Equal("GenNet", session.ModelMetadata.ProducerName);
            Assert.Equal("MnistMlp", session.ModelMetadata.GraphName);
            Assert.Equal(((INetwork)network).Summary, session.ModelMetadata.GraphDescription);

            // ORT's metadata has no opset or IR version: read them from the ModelProto's own fields.
            var fields = ProtoFields(model);
            Assert.Equal(8L, (long)fields.Single(f => f.Field == 1).Value);                    // ir_version
            byte[] opset = (byte[])fields.Single(f => f.Field == 8).Value;                      // opset_import
            var opsetFields = ProtoFields(opset);
            Assert.Equal("", System.Text.Encoding.UTF8.GetString((byte[])opsetFields.Single(f => f.Field == 1).Value));
            Assert.Equal(17L, (long)opsetFields.Single(f => f.Field == 2).Value);
            Assert.Equal(17, Onnx.Opset);
        }

        [Fact]
        public void WeightsAreInitializersUnderPyTorchNames()
        {
            var network = new BatchNormConv();
            Prepare(network, seed: 2);
            byte[] model = Export(network);
            var graph = ProtoFields((byte[])ProtoFields(model).Single(f => f.Field == 7).Value);
            var initializers = graph.Where(f => f.Field == 5).Select(f => ProtoFields((byte[])f.Value)).ToArray();
            var names = initializers.Select(t => System.Text.Encoding.UTF8.GetString((byte[])t.Single(f => f.Field == 8).Value)).ToHashSet();
            foreach (ParameterTensor tensor in network.ParameterTensors.Concat(network.BufferTensors.Where(t => !t.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal))))
            {
                Assert.Contains(tensor.Name, names);
                var proto = initializers.Single(t => System.Text.Encoding.UTF8.GetString((byte[])t.Single(f => f.Field == 8).Value) == tensor.Name);
                Assert.Equal(tensor.Shape.Select(d => (long)d), proto.Where(f => f.Field == 1).Select(f => (long)f.Value));
                float[] values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>((byte[])proto.Single(f => f.Field == 9).Value).ToArray();
                float[] arena = network.ParameterTensors.Contains(tensor) ? network.Parameters.ToArray() : network.Buffers.ToArray();
                Assert.Equal(arena.AsSpan(tensor.Offset, tensor.Length).ToArray(), values);
            }
        }

        [Fact]
        public void SavingToAPathIsAtomic()
        {
            string directory = Directory.CreateTempSubdirectory("gennet-onnx").FullName;
            try
            {
                string path = Path.Combine(directory, "model.onnx");
                var network = new MnistMlp();
                network.InitializeParameters(1);
                network.SaveOnnx(path);
                byte[] before = File.ReadAllBytes(path);
                Assert.Equal(Export(network), before);
                using (var session = new InferenceSession(path))
                {
                    Assert.Equal(["dense_1"], session.OutputNames);
                }

                network.InitializeParameters(2);
                var error = Assert.Throws<IOException>(() => Onnx.SaveOnnx(network, path, InterruptedStream.FullDisk(room: 1000)));
                Assert.Contains(path, error.Message);
                Assert.Contains("unchanged", error.Message);
                Assert.Equal(before, File.ReadAllBytes(path));
                Assert.Equal(["model.onnx"], Directory.GetFiles(directory).Select(Path.GetFileName));

                network.SaveOnnx(path); // and a save that works replaces it
                Assert.Equal(Export(network), File.ReadAllBytes(path));
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        [Fact]
        public void ANetworkWithoutAnOnnxFormIsRefusedBeforeAnythingIsWritten()
        {
            string directory = Directory.CreateTempSubdirectory("gennet-onnx").FullName;
            try
            {
                string path = Path.Combine(directory, "model.onnx");
                var error = Assert.Throws<NotSupportedException>(() => new NotGenerated().SaveOnnx(path));
                Assert.Contains("NotGenerated", error.Message);
                Assert.Empty(Directory.GetFiles(directory));

                var stream = new MemoryStream();
                Assert.Throws<NotSupportedException>(() => new NotGenerated().SaveOnnx(stream));
                Assert.Equal(0, stream.Length);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        /// <summary>What a layer kind without an ONNX form emits (graph.Unsupported): the exception names the layer and its kind.</summary>
        [Fact]
        public void AnUnsupportedLayerIsNamed()
        {
            var graph = new OnnxGraph(new MnistMlp());
            var error = Assert.Throws<NotSupportedException>(() => graph.Unsupported("lstm_0", "LSTM"));
            Assert.Contains("'lstm_0' (LSTM)", error.Message);
            Assert.Contains("MnistMlp", error.Message);
            Assert.Contains("Nothing was written", error.Message);
        }

        /// <summary>The initializers a later layer kind may compute at export time (reordered weights, a Reshape's shape).</summary>
        [Fact]
        public void ConstantsComputedAtExportTimeReachTheModel()
        {
            var graph = new OnnxGraph(new MnistMlp());
            graph.Input("x", [2, 3]);
            string shift = graph.Constant("shift", [1f, 2f, 3f], [3]);
            string shape = graph.Int64Constant("shape", [-1, 6], [2]);
            graph.Layer("sum", graph.Node("Add", [graph.Value("x"), shift], "sum"), [2, 3]);
            graph.Layer("flat", graph.Node("Reshape", [graph.Value("sum"), shape], "flat"), [6]);
            graph.Output("flat");
            Assert.Throws<ArgumentException>(() => graph.Constant("wrong", [1f, 2f], [3]));

            using var session = new InferenceSession(graph.Model("constants", "").ToArray());
            var x = new DenseTensor<float>(new float[] { 0, 1, 2, 3, 4, 5 }, [1, 2, 3]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", x)]);
            Assert.Equal([1f, 3f, 5f, 4f, 6f, 8f], results.Single().AsTensor<float>().ToArray());
        }

        [Fact]
        public void TheSameNetworkExportsTheSameBytes()
        {
            var network = new GraphResidualConv();
            Prepare(network, seed: 9);
            Assert.Equal(Export(network), Export(network));
        }

        /// <summary>Seeded parameters, each moved by up to ±0.2 (γ off 1, β and biases off 0), running and adapted means in ±0.5 and variances in [0.5, 2].</summary>
        internal static void Prepare(INetwork network, int seed)
        {
            network.InitializeParameters(seed);
            var random = new Random(seed);
            Span<float> parameters = network.Parameters;
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] += (float)(random.NextDouble() * 0.4 - 0.2);
            }

            Span<float> buffers = network.Buffers;
            foreach (ParameterTensor tensor in network.BufferTensors)
            {
                Span<float> values = tensor.Slice(buffers);
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = tensor.Name.EndsWith(".running_mean", StringComparison.Ordinal) || tensor.Name.EndsWith(".mean", StringComparison.Ordinal) ? (float)(random.NextDouble() - 0.5)
                        : tensor.Name.EndsWith(".running_var", StringComparison.Ordinal) || tensor.Name.EndsWith(".variance", StringComparison.Ordinal) ? (float)(0.5 + 1.5 * random.NextDouble())
                        : values[i];
                }
            }
        }

        private void Report(string name, double error)
        {
            output.WriteLine($"{name}: worst error {error:E2} over {Samples} inputs");
            Assert.True(error <= Tolerance, $"{name}: ONNX Runtime differs from Forward by {error:E2} (relative to max(1, |y|)), more than {Tolerance:E0}");
        }

        private static byte[] Export(INetwork network)
        {
            var stream = new MemoryStream();
            network.SaveOnnx(stream);
            return stream.ToArray();
        }

        private static double CompareWithOnnxRuntime(INetwork network, int samples, int seed, Func<Random, int, float>? draw = null)
        {
            using var session = new InferenceSession(Export(network));
            return Compare(network, session, samples, seed, draw);
        }

        /// <summary>
        /// The worst |ort − gennet| / max(1, |gennet|) over <paramref name="batchSize"/> random inputs: uniform in [−1, 1], or
        /// drawn by <paramref name="draw"/> at each place of a sample (token ids for a network with an Embedding).
        /// </summary>
        private static double Compare(INetwork network, InferenceSession session, int batchSize, int seed, Func<Random, int, float>? draw = null)
        {
            var random = new Random(seed);
            float[] inputs = new float[batchSize * network.InputSize];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = draw is null ? (float)(random.NextDouble() * 2 - 1) : draw(random, i % network.InputSize);
            }

            float[] expected = new float[batchSize * network.OutputSize];
            network.Forward(inputs, expected, batchSize);

            // The packed rows hold the inputs one after the other, in the graph's input order.
            var feeds = new List<NamedOnnxValue>();
            int offset = 0;
            foreach (string name in session.InputNames)
            {
                int[] dimensions = session.InputMetadata[name].Dimensions;
                int width = dimensions.Skip(1).Aggregate(1, (a, b) => a * b);
                var tensor = new DenseTensor<float>([batchSize, .. dimensions.Skip(1)]);
                Span<float> buffer = tensor.Buffer.Span;
                for (int row = 0; row < batchSize; row++)
                {
                    inputs.AsSpan(row * network.InputSize + offset, width).CopyTo(buffer.Slice(row * width, width));
                }

                feeds.Add(NamedOnnxValue.CreateFromTensor(name, tensor));
                offset += width;
            }

            Assert.Equal(network.InputSize, offset);
            using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run(feeds);
            float[] actual = results.Single().AsTensor<float>().ToArray();
            Assert.Equal(expected.Length, actual.Length);
            double worst = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.False(float.IsNaN(actual[i]), $"ONNX Runtime gave NaN at {i}");
                worst = Math.Max(worst, Math.Abs(actual[i] - (double)expected[i]) / Math.Max(1.0, Math.Abs(expected[i])));
            }

            return worst;
        }

        /// <summary>The top-level fields of a protobuf message: varints as long, length-delimited ones as bytes (enough to read a ModelProto's header).</summary>
        private static List<(int Field, object Value)> ProtoFields(byte[] message)
        {
            var fields = new List<(int, object)>();
            int position = 0;
            ulong Varint()
            {
                ulong value = 0;
                for (int shift = 0; ; shift += 7)
                {
                    byte b = message[position++];
                    value |= (ulong)(b & 0x7F) << shift;
                    if (b < 0x80)
                    {
                        return value;
                    }
                }
            }

            while (position < message.Length)
            {
                ulong tag = Varint();
                int field = (int)(tag >> 3);
                switch (tag & 7)
                {
                    case 0: fields.Add((field, (long)Varint())); break;
                    case 2:
                        int length = (int)Varint();
                        fields.Add((field, message.AsSpan(position, length).ToArray()));
                        position += length;
                        break;
                    case 5: fields.Add((field, BitConverter.ToSingle(message, position))); position += 4; break;
                    default: throw new InvalidDataException($"wire type {tag & 7}");
                }
            }

            return fields;
        }

        /// <summary>An INetwork that no generator wrote.</summary>
        private sealed class NotGenerated : INetwork
        {
            public int InputSize => 1;

            public int OutputSize => 1;

            public int ParameterCount => 0;

            public ReadOnlySpan<int> InputShape => new[] { 1 };

            public ReadOnlySpan<int> OutputShape => new[] { 1 };

            public Loss Loss => Loss.MeanSquaredError;

            public Span<float> Parameters => Span<float>.Empty;

            public IReadOnlyList<ParameterTensor> ParameterTensors => [];

            public Span<float> Buffers => Span<float>.Empty;

            public IReadOnlyList<ParameterTensor> BufferTensors => [];

            public ReadOnlySpan<float> Outputs => ReadOnlySpan<float>.Empty;

            public string Summary => "";

            public void InitializeParameters(int seed)
            {
            }

            public void Forward(ReadOnlySpan<float> input, Span<float> output) => input.CopyTo(output);

            public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize) => inputs.CopyTo(outputs);
        }
    }
}
