using System;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace GenNet.Benchmarks;

/// <summary>
/// The trained seed MLP (samples/EmbeddedInference's weights) inference-only with its weights compiled in as 32-bit floats,
/// bfloat16, half and int8 (written by <c>SafeTensors.Save(path, WeightPrecision)</c>), and int8 with 8-bit activations calibrated
/// on 1,000 training images (<c>Save(path, WeightPrecision.Int8, calibrationInputs)</c>: integer products), beside ONNX Runtime running the
/// float weights: one sample and a batch of 256, one thread.
/// <c>dotnet run -c Release --project tests/GenNet.Benchmarks -- --filter '*QuantizedInference*'</c>
/// </summary>
public class QuantizedInferenceBenchmarks
{
    private NetworkBase _float32 = null!, _bfloat16 = null!, _half = null!, _int8 = null!, _int8Activations = null!;
    private float[] _inputs = null!, _outputs = null!;
    private OrtRunner _ort = null!;

    [Params(1, 256)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _float32 = new Float32Mlp();
        _bfloat16 = new BFloat16Mlp();
        _half = new HalfMlp();
        _int8 = new Int8Mlp();
        _int8Activations = new Int8ActivationsMlp();
        _inputs = Workload.Images.AsSpan(0, BatchSize * 784).ToArray();
        _outputs = new float[BatchSize * 10];

        byte[] model = Workload.Onnx(new Float32Mlp()); // GenNet's own export of the float weights (its own instance: export reads Parameters)
        _ort = new OrtRunner(model, _inputs, [BatchSize, 28, 28], _outputs, [BatchSize, 10]); // the export keeps the declared [28, 28] input
    }

    [Benchmark(Description = "GenNet float32 weights", Baseline = true)]
    [Flops(Workload.ForwardFlops, epoch: false)]
    public float Float32() => Run(_float32);

    [Benchmark(Description = "GenNet bfloat16 weights")]
    [Flops(Workload.ForwardFlops, epoch: false)]
    public float BFloat16() => Run(_bfloat16);

    [Benchmark(Description = "GenNet half weights")]
    [Flops(Workload.ForwardFlops, epoch: false)]
    public float Half() => Run(_half);

    [Benchmark(Description = "GenNet int8 weights")]
    [Flops(Workload.ForwardFlops, epoch: false)]
    public float Int8() => Run(_int8);

    [Benchmark(Description = "GenNet int8 weights, 8-bit activations")]
    [Flops(Workload.ForwardFlops, epoch: false)]
    public float Int8Activations() => Run(_int8Activations);

    [Benchmark(Description = "ONNX Runtime float32 (IoBinding)")]
    [Flops(Workload.ForwardFlops, epoch: false)]
    public float OnnxRuntime()
    {
        _ort.Run();
        return _outputs[0];
    }

    private float Run(NetworkBase network)
    {
        network.Forward(_inputs, _outputs, BatchSize);
        return _outputs[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ort.Dispose();
    }
}

[Network(Training = false, Weights = "fashion-mlp.safetensors")]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class Float32Mlp;

[Network(Training = false, Weights = "fashion-mlp.bf16.safetensors", WeightPrecision = WeightPrecision.BFloat16)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class BFloat16Mlp;

[Network(Training = false, Weights = "fashion-mlp.f16.safetensors", WeightPrecision = WeightPrecision.Half)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class HalfMlp;

[Network(Training = false, Weights = "fashion-mlp.i8.safetensors", WeightPrecision = WeightPrecision.Int8)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class Int8Mlp;

[Network(Training = false, Weights = "fashion-mlp.i8a.safetensors", WeightPrecision = WeightPrecision.Int8)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class Int8ActivationsMlp;
