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
    // Models written by torch.onnx.export (PyTorch 1.13), compiled by <GenNetOnnx> (tests/fixtures/onnx/make_torch_onnx.py
    // says how each was made; /usr/bin/python3 tests/fixtures/onnx/describe_onnx.py FILE prints its nodes).

    /// <summary>The seed MLP: Flatten, Gemm 784→128, Relu, Gemm 128→10, Softmax (opset 13).</summary>
    [Network(Onnx = "torch_mlp_opset13.onnx")]
    public partial class TorchMlp13;

    /// <summary>The seed MLP, opset 17.</summary>
    [Network(Onnx = "torch_mlp_opset17.onnx")]
    public partial class TorchMlp17;

    /// <summary>Keras's mnist_convnet as PyTorch writes it: Conv, MaxPool, Conv, MaxPool, channel-major Flatten, Gemm, Softmax; its Dropout leaves no node.</summary>
    [Network(Onnx = "torch_convnet_opset13.onnx")]
    public partial class TorchConvNet13;

    /// <summary>mnist_convnet, opset 17.</summary>
    [Network(Onnx = "torch_convnet_opset17.onnx")]
    public partial class TorchConvNet17;

    /// <summary>mnist_convnet flattened by <c>x.reshape(x.size(0), -1)</c>: a Shape/Gather/Unsqueeze/Concat chain into Reshape.</summary>
    [Network(Onnx = "torch_convnet_view_opset13.onnx")]
    public partial class TorchConvNetView13;

    /// <summary>The reshape-flattened convnet, opset 17 (Reshape with allowzero = 0).</summary>
    [Network(Onnx = "torch_convnet_view_opset17.onnx")]
    public partial class TorchConvNetView17;

    /// <summary>A residual network whose BatchNorms the exporter folded into its convolutions: Adds of identity and 1×1 projection shortcuts, a stride-2 block, global average pooling.</summary>
    [Network(Onnx = "torch_resnet_opset13.onnx")]
    public partial class TorchResNet13;

    /// <summary>The folded residual network, opset 17.</summary>
    [Network(Onnx = "torch_resnet_opset17.onnx")]
    public partial class TorchResNet17;

    /// <summary>The same residual network with its BatchNormalization nodes kept (TrainingMode.PRESERVE) and two biases aliased through Identity nodes.</summary>
    [Network(Onnx = "torch_resnet_bn_opset13.onnx")]
    public partial class TorchResNetBn13;

    /// <summary>The residual network with BatchNormalization nodes, opset 17 (training_mode = 0).</summary>
    [Network(Onnx = "torch_resnet_bn_opset17.onnx")]
    public partial class TorchResNetBn17;

    /// <summary>An LSTM over the 28 rows (batch_first: Transpose, LSTM with zero states from ConstantOfShape, Squeeze, Transpose), its last step (Gather −1) into a Gemm.</summary>
    [Network(Onnx = "torch_lstm_opset13.onnx")]
    public partial class TorchLstm13;

    /// <summary>The LSTM classifier, opset 17.</summary>
    [Network(Onnx = "torch_lstm_opset17.onnx")]
    public partial class TorchLstm17;
}

namespace GenNet.Tests
{
    /// <summary>
    /// Models exported by torch.onnx.export and compiled by GenNet at build time reproduce ONNX Runtime running the same
    /// files, on the first 1,000 Fashion-MNIST test images: |ort − gennet| ≤ 1e-5·max(1, |gennet|), as OnnxExportTests
    /// (float32 on both sides, different summation orders). The image models take NCHW [batch, 1, 28, 28] and GenNet's
    /// import [28, 28, 1]: with one channel the floats are in the same order, so one buffer feeds both.
    /// </summary>
    public sealed class TorchOnnxImportTests(ITestOutputHelper output)
    {
        private const int Samples = 1000;

        public static IEnumerable<object[]> Cases() =>
            new[] { "mlp", "convnet", "convnet_view", "resnet", "resnet_bn", "lstm" }
                .SelectMany(name => new[] { 13, 17 }.Select(opset => new object[] { name, opset }));

        private static INetwork Create(string name, int opset) => (name, opset) switch
        {
            ("mlp", 13) => new TorchMlp13(),
            ("mlp", 17) => new TorchMlp17(),
            ("convnet", 13) => new TorchConvNet13(),
            ("convnet", 17) => new TorchConvNet17(),
            ("convnet_view", 13) => new TorchConvNetView13(),
            ("convnet_view", 17) => new TorchConvNetView17(),
            ("resnet", 13) => new TorchResNet13(),
            ("resnet", 17) => new TorchResNet17(),
            ("resnet_bn", 13) => new TorchResNetBn13(),
            ("resnet_bn", 17) => new TorchResNetBn17(),
            ("lstm", 13) => new TorchLstm13(),
            ("lstm", 17) => new TorchLstm17(),
            _ => throw new ArgumentException($"{name} opset {opset}"),
        };

        private static string FixturePath(string name, int opset) => Path.Combine(AppContext.BaseDirectory, "fixtures", "onnx", $"torch_{name}_opset{opset}.onnx");

        private static readonly Lazy<Dataset> TestImages = new(() =>
        {
            string directory = Environment.GetEnvironmentVariable("GENNET_DATA") is { Length: > 0 } custom ? custom : Mnist.DebianFashionMnistDirectory;
            Assert.True(Directory.Exists(directory), $"Fashion-MNIST is not in {directory}: run `sudo apt-get install dataset-fashion-mnist` (as .ci/run does) or set GENNET_DATA.");
            return Mnist.LoadTest(directory);
        });

        /// <summary>1,000 images through one batched Forward against ONNX Runtime's one run over the same batch.</summary>
        [Theory]
        [MemberData(nameof(Cases))]
        public void CompiledModelReproducesOnnxRuntime(string name, int opset)
        {
            INetwork network = Create(name, opset);
            float[] inputs = Images(Samples, network.InputSize);
            float[] expected = OnnxRuntime(FixturePath(name, opset), inputs, Samples);
            float[] actual = new float[Samples * network.OutputSize];
            network.Forward(inputs, actual, Samples);
            double error = Worst(expected, actual);
            output.WriteLine($"{name} opset {opset}: worst error {error:E2} over {Samples} images, {network.ParameterCount:N0} parameters");
            Assert.True(error <= OnnxExportTests.Tolerance, $"{name} opset {opset}: GenNet differs from ONNX Runtime by {error:E2} (relative to max(1, |y|)), more than {OnnxExportTests.Tolerance:E0}");
        }

        /// <summary>The shapes ONNX Runtime reads from the file, and GenNet's for the same model: 784 floats in, 10 out.</summary>
        [Theory]
        [MemberData(nameof(Cases))]
        public void ShapesMatchTheFile(string name, int opset)
        {
            INetwork network = Create(name, opset);
            using var session = new InferenceSession(FixturePath(name, opset));
            int[] input = session.InputMetadata["input"].Dimensions;
            Assert.Equal(-1, input[0]);
            Assert.Equal(input.Skip(1).Aggregate(1, (a, b) => a * b), network.InputSize);
            Assert.Equal(784, network.InputSize);
            Assert.Equal(10, network.OutputSize);
            Assert.Equal([-1, 10], session.OutputMetadata["output"].Dimensions);
        }

        /// <summary>
        /// Batches of awkward sizes (1, 3, 17) and one image at a time agree with one batch of 21 to the same tolerance (GenNet's
        /// kernels may tile a batch of 17 differently from one of 21, so the sums can round differently).
        /// </summary>
        [Theory]
        [InlineData("convnet", 17)]
        [InlineData("resnet_bn", 13)]
        [InlineData("lstm", 17)]
        public void BatchSizeChangesOnlyTheRounding(string name, int opset)
        {
            INetwork network = Create(name, opset);
            const int Count = 21; // 1 + 3 + 17
            float[] inputs = Images(Count, network.InputSize);
            float[] whole = new float[Count * network.OutputSize];
            network.Forward(inputs, whole, Count);
            float[] pieces = new float[whole.Length];
            int start = 0;
            foreach (int batch in new[] { 1, 3, 17 })
            {
                network.Forward(inputs.AsSpan(start * network.InputSize, batch * network.InputSize), pieces.AsSpan(start * network.OutputSize, batch * network.OutputSize), batch);
                start += batch;
            }

            float[] single = new float[network.OutputSize];
            network.Forward(inputs.AsSpan(5 * network.InputSize, network.InputSize), single);
            double error = Math.Max(Worst(whole, pieces), Worst(whole.AsSpan(5 * network.OutputSize, network.OutputSize).ToArray(), single));
            output.WriteLine($"{name} opset {opset}: batches of 1, 3, 17 and one image against a batch of 21: worst difference {error:E2}");
            Assert.True(error <= OnnxExportTests.Tolerance, $"{name} opset {opset}: batch sizes change the outputs by {error:E2}");
        }

        /// <summary>The first <paramref name="count"/> Fashion-MNIST test images, pixels in [0, 1], one after the other.</summary>
        private static float[] Images(int count, int size)
        {
            Dataset test = TestImages.Value;
            var images = new float[count * size];
            for (int i = 0; i < count; i++)
            {
                test.CopyFeatures(i, images.AsSpan(i * size, size));
            }

            return images;
        }

        /// <summary>ONNX Runtime's output for the batch, fed in the file's own input shape ([batch, 1, 28, 28] or [batch, 28, 28]).</summary>
        private static float[] OnnxRuntime(string path, float[] inputs, int batch)
        {
            using var session = new InferenceSession(path);
            int[] dimensions = session.InputMetadata["input"].Dimensions;
            var tensor = new DenseTensor<float>(inputs.AsMemory(), [batch, .. dimensions.Skip(1)]);
            using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([NamedOnnxValue.CreateFromTensor("input", tensor)]);
            return results.Single().AsTensor<float>().ToArray();
        }

        private static double Worst(float[] expected, float[] actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            double worst = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.False(float.IsNaN(actual[i]), $"GenNet gave NaN at {i}");
                worst = Math.Max(worst, Math.Abs(expected[i] - (double)actual[i]) / Math.Max(1.0, Math.Abs(actual[i])));
            }

            return worst;
        }
    }
}
