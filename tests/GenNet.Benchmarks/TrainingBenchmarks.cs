using System;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenNet.Benchmarks;

/// <summary>
/// One training epoch of the seed MLP on Fashion-MNIST (Adam, shuffled batches, the last partial batch kept):
/// GenNet's Fit against TorchSharp's usual loop, at batch 32 and 128, on one thread and on all of them.
/// </summary>
public class TrainingBenchmarks
{
    private BenchMlp _network = null!;
    private Adam _adam = null!;
    private int _epoch;
    private Sequential _torchModel = null!;
    private CrossEntropyLoss _torchLoss = null!;
    private optim.Optimizer _torchAdam = null!;
    private Tensor _torchImages = null!, _torchLabels = null!;
    private torch.Generator _torchRandom = null!;

    [Params(32, 128)]
    public int BatchSize { get; set; }

    /// <summary>0 = all cores (GenNet's automatic split; TorchSharp's default intra-op threads), 1 = one thread.</summary>
    [Params(1, 0)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _network = Workload.InitialNetwork();
        _network.Threads = Threads;
        _adam = new Adam();

        torch.set_num_threads(Threads == 0 ? Environment.ProcessorCount : 1);
        Linear first = nn.Linear(784, 128), second = nn.Linear(128, 10);
        using (torch.no_grad())
        {
            (float[] w0, float[] b0) = Workload.Layer(_network, 0);
            (float[] w1, float[] b1) = Workload.Layer(_network, 1);
            first.weight!.copy_(torch.tensor(w0, [128, 784]));
            first.bias!.copy_(torch.tensor(b0));
            second.weight!.copy_(torch.tensor(w1, [10, 128]));
            second.bias!.copy_(torch.tensor(b1));
        }

        _torchModel = nn.Sequential(first, nn.ReLU(), second);
        _torchLoss = nn.CrossEntropyLoss(); // on logits: the same as softmax + sparse categorical cross-entropy
        _torchAdam = optim.Adam(_torchModel.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        _torchImages = torch.tensor(Workload.Images, [Workload.Train.Count, 784]);
        _torchLabels = torch.tensor(Workload.Labels);
        _torchRandom = new torch.Generator(42);
    }

    [Benchmark(Description = "GenNet Fit, one epoch")]
    [Flops(Workload.TrainingFlops, epoch: true)]
    public double GenNet() =>
        _network.Fit(Workload.Train, _adam, epochs: 1, BatchSize, seed: _epoch++, verbosity: Verbosity.Silent).Epochs[0].Loss;

    [Benchmark(Description = "TorchSharp loop, one epoch")]
    [Flops(Workload.TrainingFlops, epoch: true)]
    public float TorchSharp() => TorchLoop.Epoch(_torchModel, _torchLoss, _torchAdam, _torchImages, _torchLabels, _torchRandom, BatchSize);

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchImages.Dispose();
        _torchLabels.Dispose();
        _torchModel.Dispose();
    }
}

/// <summary>The same MLP trained with plain C# loops, on 6,000 samples (a tenth of an epoch) since it is slow.</summary>
public class PlainLoopsTrainingBenchmarks
{
    public const int Samples = 6_000;
    private PlainMlp _mlp = null!;
    private float[] _images = null!;
    private int[] _labels = null!;

    [Params(32)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _mlp = new PlainMlp(Workload.InitialNetwork());
        _images = Workload.Images.AsSpan(0, Samples * 784).ToArray();
        _labels = Array.ConvertAll(Workload.Labels[..Samples], l => (int)l);
    }

    [Benchmark(Description = "plain C# loops, 6,000 samples")]
    [Flops(Workload.TrainingFlops, epoch: true)]
    public float PlainLoops()
    {
        float loss = 0;
        for (int start = 0; start < Samples; start += BatchSize)
        {
            int size = Math.Min(BatchSize, Samples - start);
            loss = _mlp.TrainStep(_images.AsSpan(start * 784, size * 784), _labels.AsSpan(start, size));
        }

        return loss;
    }
}
