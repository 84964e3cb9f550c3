using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenNet.Benchmarks;

/// <summary>
/// For benchmarks whose invocation is a whole convnet epoch (seconds): no pilot, overhead or jitting stages
/// (<see cref="RunStrategy.Monitoring"/>), one invocation per iteration, one warm-up epoch and three measured ones —
/// in quick mode too, where the epochs are a tenth as long.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class EpochJobAttribute() : JobMutatorConfigBaseAttribute(
    new Job().WithStrategy(RunStrategy.Monitoring).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1));

/// <summary>
/// One training epoch of Keras's mnist_convnet on Fashion-MNIST at Keras's batch size, 128 (Adam, shuffled batches, the
/// last partial batch kept, dropout active): GenNet's Fit against TorchSharp's usual loop, on one thread and on all.
/// </summary>
[EpochJob]
public class ConvTrainingBenchmarks
{
    private BenchConvNet _network = null!;
    private Adam _adam = null!;
    private int _epoch;
    private Sequential _torchModel = null!;
    private CrossEntropyLoss _torchLoss = null!;
    private optim.Optimizer _torchAdam = null!;
    private Tensor _torchImages = null!, _torchLabels = null!;
    private torch.Generator _torchRandom = null!;

    [Params(128)]
    public int BatchSize { get; set; }

    /// <summary>0 = all cores (GenNet's automatic split; TorchSharp's default intra-op threads), 1 = one thread.</summary>
    [Params(1, 0)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _network = ConvWorkload.InitialNetwork();
        _network.Threads = Threads;
        _adam = new Adam();

        torch.set_num_threads(Threads == 0 ? Environment.ProcessorCount : 1);
        _torchModel = ConvWorkload.TorchModel(_network, softmax: false);
        _torchModel.train(); // dropout active
        _torchLoss = nn.CrossEntropyLoss(); // on logits: the same as softmax + sparse categorical cross-entropy
        _torchAdam = optim.Adam(_torchModel.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        _torchImages = torch.tensor(Workload.Images, [Workload.Train.Count, 1, 28, 28]); // NCHW; [28, 28, 1] for GenNet, the same memory
        _torchLabels = torch.tensor(Workload.Labels);
        _torchRandom = new torch.Generator(42);
    }

    [Benchmark(Description = "GenNet Fit, one convnet epoch")]
    [Flops(ConvWorkload.TrainingFlops, epoch: true)]
    public double GenNet() =>
        _network.Fit(Workload.Train, _adam, epochs: 1, BatchSize, seed: _epoch++, verbosity: Verbosity.Silent).Epochs[0].Loss;

    [Benchmark(Description = "TorchSharp loop, one convnet epoch")]
    [Flops(ConvWorkload.TrainingFlops, epoch: true)]
    public float TorchSharp() => TorchLoop.Epoch(_torchModel, _torchLoss, _torchAdam, _torchImages, _torchLabels, _torchRandom, BatchSize);

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchImages.Dispose();
        _torchLabels.Dispose();
        _torchModel.Dispose();
        _torchRandom.Dispose();
    }
}

/// <summary>
/// Inference of the convnet, one image (latency) and a batch of 64 (throughput), same weights everywhere, one thread.
/// ONNX Runtime runs through IoBinding on preallocated buffers; TorchSharp under no_grad in eval mode (dropout off) on a
/// preallocated input tensor. The second GenNet row is a network whose <c>Parameters</c> have been read (handed out): it
/// compares its convolutions' weight copies with the weights before every call.
/// </summary>
public class ConvInferenceBenchmarks
{

    [Params(1, 64)]
    public int BatchSize { get; set; }

    private BenchConvNet _network = null!, _handedOut = null!;
    private float[] _input = null!, _output = null!;
    private OrtRunner _ort = null!;
    private Sequential _torchModel = null!;
    private Tensor _torchInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        _network = ConvWorkload.InitialNetwork();
        _handedOut = ConvWorkload.InitialNetwork();
        _ = _handedOut.Parameters;
        _input = Workload.Images.AsSpan(0, BatchSize * 784).ToArray();
        _output = new float[BatchSize * 10];

        byte[] model = Workload.Onnx(_network); // GenNet's own export, its Transpose of the one-channel input a reshape in effect
        _ort = new OrtRunner(model, _input, [BatchSize, 28, 28, 1], _output, [BatchSize, 10]); // GenNet's layout: the exported model takes it as Forward does

        torch.set_num_threads(1);
        _torchModel = ConvWorkload.TorchModel(_network, softmax: true);
        _torchModel.eval(); // dropout off
        _torchInput = torch.tensor(_input, [BatchSize, 1, 28, 28]);
    }

    [Benchmark(Description = "GenNet Forward, convnet")]
    [Flops(ConvWorkload.ForwardFlops, epoch: false)]
    public float GenNet()
    {
        _network.Forward(_input, _output, BatchSize);
        return _output[0];
    }

    [Benchmark(Description = "GenNet Forward, convnet, Parameters handed out")]
    [Flops(ConvWorkload.ForwardFlops, epoch: false)]
    public float GenNetHandedOut()
    {
        _handedOut.Forward(_input, _output, BatchSize);
        return _output[0];
    }

    [Benchmark(Description = "ONNX Runtime (IoBinding), convnet")]
    [Flops(ConvWorkload.ForwardFlops, epoch: false)]
    public float OnnxRuntime()
    {
        _ort.Run();
        return _output[0];
    }

    [Benchmark(Description = "TorchSharp (no_grad), convnet")]
    [Flops(ConvWorkload.ForwardFlops, epoch: false)]
    public float TorchSharp()
    {
        using var noGrad = torch.no_grad();
        using Tensor probabilities = _torchModel.forward(_torchInput);
        return probabilities[0, 0].item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ort.Dispose();
        _torchInput.Dispose();
        _torchModel.Dispose();
    }
}
