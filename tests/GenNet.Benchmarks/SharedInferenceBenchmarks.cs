using System;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace GenNet.Benchmarks;

/// <summary>The seed MLP, inference only: the network an app shares between the threads serving its requests.</summary>
[Network(Training = false)]
[Input(784)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class SharedMlp;

/// <summary>
/// One-sample inference throughput when threads share one inference-only network: 2,000 images on one thread, against
/// 2,000 on each of two threads calling one shared instance, and (the peer) two threads with an instance each. Two
/// threads sharing an instance should reach twice one thread's throughput, as two instances do.
/// </summary>
public class SharedInferenceBenchmarks
{
    private const int Samples = 2_000;

    private SharedMlp _shared = null!, _second = null!;
    private float[] _images = null!;

    [GlobalSetup]
    public void Setup()
    {
        BenchMlp trained = Workload.InitialNetwork();
        _shared = new SharedMlp();
        _second = new SharedMlp();
        trained.Parameters.CopyTo(_shared.Parameters);
        trained.Parameters.CopyTo(_second.Parameters);
        _images = Workload.Images[..(Samples * 784)];
    }

    [Benchmark(Baseline = true, Description = "one thread, 2,000 images")]
    public float OneThread() => Run(_shared, _images);

    [Benchmark(Description = "two threads sharing one instance, 2,000 images each")]
    public float TwoThreadsShared() => TwoThreads(_shared, _shared, _images);

    [Benchmark(Description = "two threads, an instance each, 2,000 images each")]
    public float TwoThreadsOwn() => TwoThreads(_shared, _second, _images);

    private static float TwoThreads(SharedMlp first, SharedMlp second, float[] images)
    {
        float other = 0;
        using var start = new Barrier(2);
        Task task = Task.Factory.StartNew(() => { start.SignalAndWait(); other = Run(second, images); }, TaskCreationOptions.LongRunning);
        start.SignalAndWait();
        float mine = Run(first, images);
        task.Wait();
        return mine + other;
    }

    private static float Run(SharedMlp network, float[] images)
    {
        float[] output = new float[10];
        float sum = 0;
        for (int i = 0; i < Samples; i++)
        {
            network.Forward(images.AsSpan(i * 784, 784), output);
            sum += output[0];
        }

        return sum;
    }
}
