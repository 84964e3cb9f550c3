using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace GenNet.Tests;

/// <summary>An inference-only network with two inputs, for sharing across threads through its per-input overload.</summary>
[Network(Training = false)]
[Input(6, 6, 2, Name = "image")]
[Input(3, Name = "features")]
[Conv2D(4, 3, Activation.ReLU, From = "image")]
[Flatten(Name = "pixels")]
[Dense(5, Activation.Tanh, From = "features")]
[Concatenate("pixels")]
[BatchNormalization]
[Dense(3, Activation.Softmax)]
public partial class SharedTwoInputs;

/// <summary>
/// One inference-only network shared by many threads gives every caller exactly the answer it gives one caller; a
/// trainable network used by two threads at once refuses the second call instead of computing with an arena the first is
/// writing.
/// </summary>
[Collection(SerialCollection.Name)] // the threads here should not wait on other tests' work
public sealed class ConcurrencyTests
{
    private const int Threads = 4;
    private const int CallsPerThread = 300;

    private static float[] Samples(int count, int size, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count * size).Select(_ => (float)random.NextDouble()).ToArray();
    }

    /// <summary>
    /// Each thread runs every sample in its own order (one at a time and in batches of 3) on the one shared instance and
    /// compares with what the instance gave for them alone.
    /// </summary>
    private static void AssertSharedCallsAgree(INetwork network, Action<int, float[]>? perInput = null)
    {
        const int count = 24;
        float[] inputs = Samples(count, network.InputSize, seed: 5);
        float[] expected = new float[count * network.OutputSize];
        network.Forward(inputs, expected, count);

        var failures = new ConcurrentQueue<string>();
        using var start = new Barrier(Threads);
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            var random = new Random(thread);
            float[] output = new float[3 * network.OutputSize];
            start.SignalAndWait();
            for (int call = 0; call < CallsPerThread; call++)
            {
                int sample = random.Next(count - 2);
                bool batch = call % 2 == 1;
                int size = batch ? 3 : 1;
                Span<float> outputs = output.AsSpan(0, size * network.OutputSize);
                network.Forward(inputs.AsSpan(sample * network.InputSize, size * network.InputSize), outputs, size);
                if (!outputs.SequenceEqual(expected.AsSpan(sample * network.OutputSize, size * network.OutputSize)))
                {
                    failures.Enqueue($"thread {thread}, call {call}: samples {sample}..{sample + size - 1} differ");
                }
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {Threads * CallsPerThread} shared calls went wrong, the first: {failures.FirstOrDefault()}");
    }

    [Theory]
    [InlineData("mlp")] // PyTorch's weights compiled in
    [InlineData("convnet")] // its reordered kernel first built by whichever threads arrive first
    [InlineData("batchnorm")] // a residual convnet with batch normalisation, compiled in
    public void Threads_sharing_an_inference_only_network_get_exact_answers(string network)
    {
        INetwork shared = network switch
        {
            "mlp" => new CompiledPyTorchMlp(),
            "convnet" => new MnistConvNetInference(),
            _ => new CompiledPyTorchBatchNorm(),
        };
        if (shared is MnistConvNetInference convnet)
        {
            convnet.InitializeParameters(3);
        }

        AssertSharedCallsAgree(shared);
    }

    /// <summary>
    /// A fresh compiled-in convnet whose first calls come from several threads at once: each may find the copies unmade,
    /// being made (one thread at a time, under the lock of <c>NetworkBase.RefreshKernelsIfStale</c>), or made and recorded
    /// current for the parameters' version, and every call must still give the bits one thread gets. Many fresh
    /// instances, to meet each of those moments.
    /// </summary>
    [Fact]
    public void Threads_making_a_compiled_in_convnets_kernels_at_once_get_exact_answers()
    {
        float[] inputs = Samples(3, FashionConvFloat32.InputSize, seed: 6);
        float[] expected = new float[3 * FashionConvFloat32.OutputSize];
        new FashionConvFloat32().Forward(inputs, expected, 3);

        var failures = new ConcurrentQueue<string>();
        for (int instance = 0; instance < 40; instance++)
        {
            var network = new FashionConvFloat32();
            using var start = new Barrier(Threads);
            Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
            {
                float[] output = new float[3 * FashionConvFloat32.OutputSize];
                start.SignalAndWait();
                for (int call = 0; call < 4; call++)
                {
                    int size = (thread + call) % 2 == 0 ? 1 : 3; // one image or all three
                    Span<float> outputs = output.AsSpan(0, size * FashionConvFloat32.OutputSize);
                    network.Forward(inputs.AsSpan(0, size * FashionConvFloat32.InputSize), outputs, size);
                    if (!outputs.SequenceEqual(expected.AsSpan(0, outputs.Length)))
                    {
                        failures.Enqueue($"instance {instance}, thread {thread}, call {call}: batch of {size} differs");
                    }
                }
            });
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} shared calls went wrong, the first: {failures.FirstOrDefault()}");
    }

    [Fact]
    public void Threads_sharing_a_two_input_network_through_its_per_input_overload_get_exact_answers()
    {
        var network = new SharedTwoInputs();
        network.InitializeParameters(2);
        const int count = 16;
        float[] images = Samples(count, 72, seed: 1), features = Samples(count, 3, seed: 2);
        float[] expected = new float[count * 3];
        network.Forward(images, features, expected, count);

        int wrong = 0;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            float[] output = new float[3];
            for (int call = 0; call < CallsPerThread; call++)
            {
                int sample = (call * 7 + thread) % count;
                network.Forward(images.AsSpan(sample * 72, 72), features.AsSpan(sample * 3, 3), output);
                if (!output.AsSpan().SequenceEqual(expected.AsSpan(sample * 3, 3)))
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        });

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Each_thread_allocates_its_arena_once_and_then_nothing()
    {
        var network = new CompiledPyTorchMlp();
        float[] input = Samples(1, CompiledPyTorchMlp.InputSize, seed: 3), output = new float[CompiledPyTorchMlp.OutputSize];
        network.Forward(input, output);
        long allocated = -1;
        var thread = new Thread(() =>
        {
            network.Forward(input, output); // the instance's arena is free: no allocation at all
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                network.Forward(input, output);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        thread.Start();
        thread.Join();
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task A_trainable_network_used_by_two_threads_at_once_refuses_the_second_call()
    {
        var network = new MnistConvNet();
        network.InitializeParameters(1);
        float[] images = Samples(64, MnistConvNet.InputSize, seed: 4);
        int[] labels = Enumerable.Range(0, 64).Select(i => i % 10).ToArray();
        float[] expected = new float[MnistConvNet.OutputSize], output = new float[MnistConvNet.OutputSize];
        network.Forward(images.AsSpan(0, MnistConvNet.InputSize), expected);

        // One thread trains (without an optimizer, so the parameters stay put) while another keeps asking for one image.
        int refused = 0, wrong = 0;
        using var done = new ManualResetEventSlim();
        var trainer = Task.Run(() =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (Volatile.Read(ref refused) == 0 && DateTime.UtcNow < deadline)
            {
                try
                {
                    network.ComputeGradients(images, labels, 64);
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref refused);
                }
            }

            done.Set();
        });
        while (!done.IsSet)
        {
            try
            {
                network.Forward(images.AsSpan(0, MnistConvNet.InputSize), output);
                if (!output.AsSpan().SequenceEqual(expected))
                {
                    Interlocked.Increment(ref wrong);
                }
            }
            catch (InvalidOperationException exception)
            {
                Assert.Contains("MnistConvNet is already running a call on another thread", exception.Message);
                Interlocked.Increment(ref refused);
            }
        }

        await trainer;
        Assert.True(refused > 0, "the two threads never overlapped in 20 s");
        Assert.Equal(0, wrong);
    }
}
