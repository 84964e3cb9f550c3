using System;
using BenchmarkDotNet.Attributes;

namespace GenNet.Benchmarks;

/// <summary>
/// The trained mnist_convnet (samples/MnistConv, tests/fixtures/fashion-convnet*.safetensors) inference-only with its
/// convolution and Dense weights compiled in as 32-bit floats, bfloat16, half and int8: one image and a batch of 64, one
/// thread; and the float32 build once its <c>Parameters</c> have been asked for, which from then on compares its
/// convolution weights with the ones its kernel copies were made from on every call (the compiled-in build compares them
/// only until its copies are made) and reads its Dense weight by rows instead of the compiled-in panels.
/// <c>dotnet run -c Release --project tests/GenNet.Benchmarks -- --filter '*QuantizedConv*'</c>
/// </summary>
public class QuantizedConvBenchmarks
{
    private NetworkBase _float32 = null!, _float32Compared = null!, _bfloat16 = null!, _half = null!, _int8 = null!;
    private float[] _inputs = null!, _outputs = null!;

    [Params(1, 64)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _float32 = new Float32Convnet();
        _float32Compared = new Float32Convnet();
        _ = _float32Compared.Parameters; // the float arena, which the user may write: compared before every call
        _bfloat16 = new BFloat16Convnet();
        _half = new HalfConvnet();
        _int8 = new Int8Convnet();
        _inputs = Workload.Images.AsSpan(0, BatchSize * 784).ToArray();
        _outputs = new float[BatchSize * 10];
    }

    [Benchmark(Description = "convnet float32 weights", Baseline = true)]
    [Flops(ConvWorkload.ForwardFlops, epoch: false)]
    public float Float32() => Run(_float32);

    [Benchmark(Description = "convnet float32 weights, Parameters asked")]
    [Flops(ConvWorkload.ForwardFlops, epoch: false)]
    public float Float32Compared() => Run(_float32Compared);

    [Benchmark(Description = "convnet bfloat16 weights")]
    [Flops(ConvWorkload.ForwardFlops, epoch: false)]
    public float BFloat16() => Run(_bfloat16);

    [Benchmark(Description = "convnet half weights")]
    [Flops(ConvWorkload.ForwardFlops, epoch: false)]
    public float Half() => Run(_half);

    [Benchmark(Description = "convnet int8 weights")]
    [Flops(ConvWorkload.ForwardFlops, epoch: false)]
    public float Int8() => Run(_int8);

    private float Run(NetworkBase network)
    {
        network.Forward(_inputs, _outputs, BatchSize);
        return _outputs[0];
    }
}

[Network(Training = false, Weights = "fashion-convnet.safetensors")]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class Float32Convnet;

[Network(Training = false, Weights = "fashion-convnet.bf16.safetensors", WeightPrecision = WeightPrecision.BFloat16)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class BFloat16Convnet;

[Network(Training = false, Weights = "fashion-convnet.f16.safetensors", WeightPrecision = WeightPrecision.Half)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class HalfConvnet;

[Network(Training = false, Weights = "fashion-convnet.i8.safetensors", WeightPrecision = WeightPrecision.Int8)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class Int8Convnet;
