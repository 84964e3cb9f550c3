using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace GenNet.Benchmarks;

/// <summary>
/// The FashionResNet sample's network (samples/FashionResNet), inference-only, declared again here: eight convolutions,
/// eight BatchNorms, three residual Adds, global average pooling. Its forward FLOPs: 2 × the multiply-adds of the
/// convolutions and the head (the BatchNorms fold into the convolutions).
/// </summary>
[Network(Training = false)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Padding = Padding.Same)]
[BatchNormalization(Activation = Activation.ReLU)]
[MaxPool2D(2, Name = "stem")]
[Conv2D(32, 3, Padding = Padding.Same)]
[BatchNormalization(Activation = Activation.ReLU)]
[Conv2D(32, 3, Padding = Padding.Same)]
[BatchNormalization]
[Add("stem", Activation = Activation.ReLU, Name = "stage1")]
[Conv2D(64, 1, Stride = 2, Name = "projection")]
[BatchNormalization(Name = "projection_bn")]
[Conv2D(64, 3, Stride = 2, Padding = Padding.Same, From = "stage1")]
[BatchNormalization(Activation = Activation.ReLU)]
[Conv2D(64, 3, Padding = Padding.Same)]
[BatchNormalization]
[Add("projection_bn", Activation = Activation.ReLU, Name = "stage2a")]
[Conv2D(64, 3, Padding = Padding.Same)]
[BatchNormalization(Activation = Activation.ReLU)]
[Conv2D(64, 3, Padding = Padding.Same)]
[BatchNormalization]
[Add("stage2a", Activation = Activation.ReLU)]
[GlobalAveragePooling2D]
[Dense(10, Activation.Softmax)]
public partial class BenchResNet
{
    /// <summary>Floating-point operations of one image: twice the multiply-adds of the convolutions and the head.</summary>
    public const long ForwardFlops = 2L * (
        28 * 28 * 32 * 9                 // stem
        + 2 * 14 * 14 * 32 * 32 * 9      // stage 1
        + 7 * 7 * 64 * 32                // projection
        + 7 * 7 * 64 * 32 * 9            // stride-2 conv
        + 3 * 7 * 7 * 64 * 64 * 9        // three 64 → 64 convs
        + 64 * 10);                      // head
}

/// <summary>
/// One-image inference of the residual network: GenNet (inference-only, BatchNorm folded into the convolutions) against
/// ONNX Runtime running the same weights and running statistics (one thread, all graph optimisations, which fuse
/// Conv + BatchNormalization too).
/// </summary>
public class ResNetInferenceBenchmarks
{
    private BenchResNet _network = null!;
    private float[] _input = null!, _output = null!, _ortOutputValues = null!;
    private OrtRunner _ort = null!;

    [GlobalSetup]
    public void Setup()
    {
        _network = new BenchResNet();
        _network.InitializeParameters(seed: 7);
        // Running statistics and BatchNorm parameters away from 0/1, so neither side can skip any arithmetic.
        var random = new Random(11);
        foreach (ParameterTensor tensor in _network.BufferTensors.Where(t => t.Name.EndsWith(".running_mean") || t.Name.EndsWith(".running_var")))
        {
            Span<float> values = tensor.Slice(_network.Buffers);
            bool variance = tensor.Name.EndsWith(".running_var");
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = variance ? 0.5f + (float)random.NextDouble() : 0.2f * (float)(random.NextDouble() - 0.5);
            }
        }

        foreach (ParameterTensor tensor in _network.ParameterTensors.Where(t => t.Name.StartsWith("bn_") || t.Name.StartsWith("projection_bn")))
        {
            Span<float> values = tensor.Slice(_network.Parameters);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] += 0.2f * (float)(random.NextDouble() - 0.5);
            }
        }

        _input = Workload.Images.AsSpan(0, 784).ToArray();
        _output = new float[10];
        _ortOutputValues = new float[10];
        _ort = new OrtRunner(Workload.Onnx(_network), _input, [1, 28, 28, 1], _ortOutputValues, [1, 10]); // GenNet's export: Conv → BatchNormalization nodes, which ORT fuses; the input in GenNet's layout, as Forward takes it

        // The two must compute the same function before their speeds mean anything.
        GenNet();
        OnnxRuntime();
        float worst = _output.Zip(_ortOutputValues, (a, b) => MathF.Abs(a - b)).Max();
        if (worst > 1e-4f)
        {
            throw new InvalidOperationException($"GenNet and ONNX Runtime disagree by {worst} on the residual network.");
        }
    }

    [Benchmark(Description = "GenNet Forward, residual net (BatchNorm folded)")]
    [Flops(BenchResNet.ForwardFlops, epoch: false)]
    public float GenNet()
    {
        _network.Forward(_input, _output);
        return _output[0];
    }

    [Benchmark(Description = "ONNX Runtime (IoBinding), residual net")]
    [Flops(BenchResNet.ForwardFlops, epoch: false)]
    public float OnnxRuntime()
    {
        _ort.Run();
        return _ortOutputValues[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ort.Dispose();
    }
}
