using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace GenNet.Benchmarks;

/// <summary>
/// Issue 15's "both cores in training": one GenNet <c>Fit</c> epoch (Adam, shuffled, the last partial batch kept) with
/// <c>Threads = 1</c> against <c>Threads = 2</c> in the same run — the seed MLP at batch 32 and mnist_convnet at Keras's
/// batch of 128 (dropout active). The ratio of the two rows of a network is the figure; GenNet alone, no peers.
/// <c>dotnet run -c Release --project tests/GenNet.Benchmarks -- --filter '*TwoCore*'</c>
/// </summary>
[TwoCoreJob]
public class TwoCoreTrainingBenchmarks
{
    private BenchMlp _mlp = null!;
    private BenchConvNet _convNet = null!;
    private Adam _mlpAdam = null!, _convAdam = null!;
    private int _epoch;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _mlp = Workload.InitialNetwork();
        _mlp.Threads = Threads;
        _convNet = ConvWorkload.InitialNetwork();
        _convNet.Threads = Threads;
        _mlpAdam = new Adam();
        _convAdam = new Adam();
    }

    [Benchmark(Description = "MLP epoch, batch 32")]
    [Flops(Workload.TrainingFlops, epoch: true)]
    public double Mlp() =>
        _mlp.Fit(Workload.Train, _mlpAdam, epochs: 1, batchSize: 32, seed: _epoch++, verbosity: Verbosity.Silent).Epochs[0].Loss;

    [Benchmark(Description = "convnet epoch, batch 128")]
    [Flops(ConvWorkload.TrainingFlops, epoch: true)]
    public double ConvNet() =>
        _convNet.Fit(Workload.Train, _convAdam, epochs: 1, batchSize: 128, seed: _epoch++, verbosity: Verbosity.Silent).Epochs[0].Loss;
}

/// <summary>As <see cref="EpochJobAttribute"/> (one invocation per iteration, no pilot), with five measured epochs after one warm-up.</summary>
[System.AttributeUsage(System.AttributeTargets.Class)]
public sealed class TwoCoreJobAttribute() : JobMutatorConfigBaseAttribute(
    new Job().WithStrategy(RunStrategy.Monitoring).WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1));
