using System;
using System.Linq;
using GenNet.Kernels;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>ComputeGradients split over threads: the same result every time for a fixed count, close to one thread's.</summary>
[Collection(SerialCollection.Name)]
public sealed class ThreadingTests
{
    private static (float[] Images, int[] Labels) Batch(int size)
    {
        var random = new Random(4);
        return (Enumerable.Range(0, size * 784).Select(_ => (float)random.NextDouble()).ToArray(), Enumerable.Range(0, size).Select(i => i % 10).ToArray());
    }

    private static (float Loss, float[] Gradients, float[] Outputs) Step(int threads, int batchSize)
    {
        var network = new MnistMlp { Threads = threads };
        network.InitializeParameters(3);
        (float[] images, int[] labels) = Batch(batchSize);
        float loss = network.ComputeGradients(images, labels, batchSize);
        Shards.AssertRan(threads, Shards.Of(network), $"MnistMlp, batch {batchSize}, Threads = {threads}");
        return (loss, network.Gradients.ToArray(), network.Outputs.ToArray());
    }

    [Fact]
    public void A_fixed_thread_count_gives_the_same_bits_every_time()
    {
        var first = Step(threads: 2, batchSize: 33);
        var second = Step(threads: 2, batchSize: 33);
        Assert.Equal(first.Loss, second.Loss);
        Assert.Equal(first.Gradients, second.Gradients);
        Assert.Equal(first.Outputs, second.Outputs);
    }

    [Fact]
    public void Two_threads_agree_with_one_up_to_float_rounding()
    {
        var one = Step(threads: 1, batchSize: 33);
        var two = Step(threads: 2, batchSize: 33);
        Assert.Equal(one.Loss, two.Loss, 5);
        Assert.Equal(one.Outputs, two.Outputs); // the forward pass does not depend on the split
        float scale = one.Gradients.Max(Math.Abs);
        for (int i = 0; i < one.Gradients.Length; i++)
        {
            Assert.True(Math.Abs(one.Gradients[i] - two.Gradients[i]) <= 1e-5f * scale, $"gradient {i}: {one.Gradients[i]} on one thread, {two.Gradients[i]} on two");
        }
    }

    [Theory]
    [InlineData("MnistMlp", 64)]
    [InlineData("MnistConvNet", 128)]
    public void A_threaded_training_step_allocates_nothing_on_any_thread_after_warm_up(string name, int batchSize)
    {
        ITrainableNetwork network = name == "MnistMlp" ? new MnistMlp() : new MnistConvNet(); // both read 784 floats
        network.Threads = 2;
        network.InitializeParameters(1);
        (float[] images, int[] labels) = Batch(batchSize);
        var adam = new Adam();
        void Step()
        {
            network.ComputeGradients(images, labels, batchSize);
            if (((TrainableNetworkBase)network).LastStepSplitByOutputs)
            {
                ((TrainableNetworkBase)network).StepOptimizerInParts(adam); // as Fit does: each core steps its rows
            }
            else
            {
                adam.Step(network.Parameters, network.Gradients);
            }
        }

        (long leastOnAnyThread, long onCallingThread) = Allocated(Step);
        if (onCallingThread > 0)
        {
            // Once more: a wait that met contention from outside this test (a loaded machine) may allocate once on the
            // waiting thread; a step that allocates, even every few runs, does so again.
            (leastOnAnyThread, onCallingThread) = Allocated(Step);
        }

        Shards.AssertRan(2, Shards.Of(network), $"{name}, batch {batchSize}, Threads = 2");
        Assert.Equal(0, leastOnAnyThread);
        Assert.Equal(0, onCallingThread);
    }

    /// <summary>
    /// What <paramref name="step"/> allocates after warm-up, run 20 times and then on, for up to two seconds in all, until
    /// one run allocates nothing anywhere. On any thread: the least the whole process allocated during one run, so
    /// GenNet's workers count too, which <c>GC.GetAllocatedBytesForCurrentThread</c> would miss. The least, because the
    /// test runner's own threads allocate in bursts of 0.2–6 KB (seen in idle windows too, while the same steps in a process
    /// without the runner, this assembly's Main, allocate 0 bytes in each of 30 windows); the tests of this collection run
    /// alone, after the parallel ones, so that is all the noise there is, and a step that allocates every time cannot
    /// reach zero. One that allocates only now and then could, so the calling thread's bytes over all the runs (shard 0
    /// runs there) are returned as well.
    /// </summary>
    private static (long LeastOnAnyThread, long OnCallingThread) Allocated(Action step)
    {
        for (int i = 0; i < 3; i++)
        {
            step(); // warm-up: JIT, tiering, the shards' arenas, optimizer state, the workers' first wait
        }

        long least = long.MaxValue;
        long callingThreadBefore = GC.GetAllocatedBytesForCurrentThread();
        long deadline = Environment.TickCount64 + 2000;
        for (int run = 0; run < 20 || (least > 0 && Environment.TickCount64 < deadline); run++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            step();
            least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        return (least, GC.GetAllocatedBytesForCurrentThread() - callingThreadBefore);
    }

    [Theory]
    [InlineData("MnistMlp", 33, 2)] // 101,770 parameters, 409,088 FLOPs a sample: the weights outweigh the step's work
    [InlineData("MnistMlp", 1, 2)] // dense_0's forward and weight gradient; dense_1 (10 outputs) runs whole
    [InlineData("MnistConvNet", 128, 0)] // 34,826 parameters, millions of FLOPs a sample: the batch splits by rows
    [InlineData("LinearMse129", 7, 5)] // 33,540 parameters: both layers' forward and weight gradients, and dense_1's dx
    public void Weight_heavy_steps_split_by_outputs_and_the_others_by_rows(string name, int batchSize, int splitProducts)
    {
        var network = (TrainableNetworkBase)(name switch
        {
            "MnistMlp" => new MnistMlp(),
            "MnistConvNet" => new MnistConvNet(),
            _ => NetworkCases.Get(name).Create(),
        });
        network.Threads = 2;
        network.InitializeParameters(1);
        var random = new Random(2);
        ITrainableNetwork trainable = network;
        float[] inputs = Enumerable.Range(0, batchSize * trainable.InputSize).Select(_ => (float)random.NextDouble()).ToArray();
        if (trainable.Loss == Loss.MeanSquaredError)
        {
            trainable.ComputeGradients(inputs, inputs.AsSpan(0, batchSize * trainable.OutputSize), batchSize);
        }
        else
        {
            trainable.ComputeGradients(inputs, Enumerable.Range(0, batchSize).Select(i => i % 10).ToArray(), batchSize);
        }

        Shards.AssertRan(2, Shards.Of(network), $"{name}, batch {batchSize}, Threads = 2");
        Assert.Equal(splitProducts > 0, network.LastStepSplitByOutputs);
        if (splitProducts > 0)
        {
            Assert.Equal(splitProducts, network.LastStepSplitProducts);
        }
    }

    [Fact]
    public void The_split_by_outputs_is_chosen_for_large_networks_whose_weights_outweigh_the_work()
    {
        int two = Math.Min(2, WorkerPool.MaxShards);
        Assert.Equal(two, Sharding.OutputParts(batchSize: 32, threads: 0, flopsPerSample: 409_088, parameterCount: 101_770));
        Assert.Equal(two, Sharding.OutputParts(batchSize: 32, threads: 2, flopsPerSample: 409_088, parameterCount: 101_770));
        Assert.Equal(1, Sharding.OutputParts(batchSize: 32, threads: 1, flopsPerSample: 409_088, parameterCount: 101_770));
        Assert.Equal(1, Sharding.OutputParts(batchSize: 1, threads: 0, flopsPerSample: 409_088, parameterCount: 101_770)); // too little work
        Assert.Equal(1, Sharding.OutputParts(batchSize: 128, threads: 2, flopsPerSample: 14_700_000, parameterCount: 34_826)); // the convnet
        Assert.Equal(1, Sharding.OutputParts(batchSize: 7, threads: 2, flopsPerSample: 1_000, parameterCount: 1_000)); // too small to split
        Assert.Equal(1, Sharding.OutputParts(batchSize: 4096, threads: 2, flopsPerSample: 409_088, parameterCount: 101_770)); // work outweighs
    }

    [Fact]
    public void Parts_split_at_multiples_of_sixteen_outputs_and_own_every_parameter_once()
    {
        Assert.Equal([0, 64, 128], Enumerable.Range(0, 3).Select(p => OutputSplit.Boundary(128, 2, p)));
        Assert.Equal([0, 64, 129], Enumerable.Range(0, 3).Select(p => OutputSplit.Boundary(129, 2, p)));
        Assert.Equal([0, 32, 64, 100], Enumerable.Range(0, 4).Select(p => OutputSplit.Boundary(100, 3, p)));
        Assert.Equal([0, 10, 10], Enumerable.Range(0, 3).Select(p => OutputSplit.Boundary(10, 2, p))); // too few rows: part 0 owns them

        // The MLP over two parts: part 0 owns dense_0's first 64 rows and bias entries and all of dense_1 (10 rows), part 1 the rest.
        int[][] ranges = TrainableNetworkBase.OwnedRanges(new MnistMlp().ParameterTensors, MnistMlp.ParameterCount, 2);
        Assert.Equal([0, 64 * 784, 128 * 784, 64, 128 * 784 + 128, 10 * 128 + 10], ranges[0]);
        Assert.Equal([64 * 784, 64 * 784, 128 * 784 + 64, 64], ranges[1]);
        var owners = new int[MnistMlp.ParameterCount];
        foreach (int[] part in ranges)
        {
            for (int i = 0; i < part.Length; i += 2)
            {
                for (int k = part[i]; k < part[i] + part[i + 1]; k++)
                {
                    owners[k]++;
                }
            }
        }

        Assert.All(owners, count => Assert.Equal(1, count));

        // Tensors that do not tile the arena (a gap before the second, or a tied weight): part 0 steps all of it.
        ParameterTensor[] gap = [new("a.weight", [32, 4], 0), new("b.weight", [32, 4], 130)];
        Assert.Equal(new int[][] { [0, 258], [] }, TrainableNetworkBase.OwnedRanges(gap, 258, 2));
        ParameterTensor[] tied = [new("a.weight", [32, 4], 0), new("b.weight", [32, 4], 0)];
        Assert.Equal(new int[][] { [0, 128], [] }, TrainableNetworkBase.OwnedRanges(tied, 128, 2));
    }

    [Theory]
    [InlineData("Adam")]
    [InlineData("AdamW")]
    [InlineData("Sgd")]
    [InlineData("SgdNesterov")]
    [InlineData("SgdPlain")] // no velocity: nothing per parameter but the weights
    [InlineData("RmsProp")]
    [InlineData("RmsPropMomentum")]
    public void Fit_split_by_outputs_gives_one_threads_parameters_bit_for_bit(string optimizer)
    {
        // The split by outputs does each output's arithmetic as one thread does (the parts start at multiples of 16 outputs,
        // keeping the kernels' tiles), and each parameter's optimizer update is the same element-wise rule: only where it
        // runs changes. Batches of 32 and a last one of 17; the shuffles are the same for the same seed.
        var random = new Random(6);
        float[] images = Enumerable.Range(0, 81 * 784).Select(_ => (float)random.NextDouble()).ToArray();
        int[] labels = Enumerable.Range(0, 81).Select(i => i * 7 % 10).ToArray();
        float[] Train(int threads)
        {
            var network = new MnistMlp { Threads = threads };
            network.InitializeParameters(5);
            Optimizer chosen = optimizer switch
            {
                "Adam" => new Adam(),
                "AdamW" => new AdamW(),
                "Sgd" => new Sgd(0.05f, momentum: 0.9f),
                "SgdNesterov" => new Sgd(0.05f, momentum: 0.9f, nesterov: true),
                "SgdPlain" => new Sgd(0.05f),
                "RmsProp" => new RmsProp(),
                _ => new RmsProp(momentum: 0.5f),
            };
            Assert.True(chosen.UpdatesInParts); // every built-in optimizer steps where the parts computed
            network.Fit(Dataset.Create(images, labels, 28, 28), chosen, epochs: 2, batchSize: 32, seed: 3, verbosity: Verbosity.Silent);
            Assert.Equal(threads > 1, network.LastStepSplitByOutputs);
            return network.Parameters.ToArray();
        }

        float[] one = Train(1);
        float[] two = Train(2);
        Assert.Equal(one, two);
        Assert.Equal(two, Train(2));
    }

    [Theory]
    [InlineData(33)]
    [InlineData(1)]
    public void A_step_split_by_outputs_clears_the_gradient_arena_in_parts_and_gives_one_threads_gradients_bit_for_bit(int batchSize)
    {
        // The first split product (dense_0's forward) clears each part's rows of the arena on the part's thread, and the
        // generated Backpropagate's ClearGradients then clears nothing. Whatever the arena held before (NaN here, then the
        // last step's gradients) must be gone: the gradients are one thread's, whose arena is cleared whole, bit for bit.
        (float[] images, int[] labels) = Batch(batchSize + 5);
        uint[] Gradients(int threads)
        {
            var network = new MnistMlp { Threads = threads };
            network.InitializeParameters(3);
            network.Gradients.Fill(float.NaN);
            network.ComputeGradients(images.AsSpan(5 * 784), labels.AsSpan(5), batchSize);
            network.ComputeGradients(images.AsSpan(0, batchSize * 784), labels.AsSpan(0, batchSize), batchSize); // over the last step's
            if (threads > 1)
            {
                Shards.AssertRan(threads, Shards.Of(network), $"MnistMlp, batch {batchSize}, Threads = {threads}");
                Assert.True(network.LastStepSplitByOutputs);
                Assert.Equal(2, network.LastStepSplitProducts); // dense_0's forward and weight gradient
            }

            return Array.ConvertAll(network.Gradients.ToArray(), BitConverter.SingleToUInt32Bits);
        }

        Assert.Equal(Gradients(1), Gradients(2));
    }

    [Fact]
    public void A_parameter_that_overflows_in_a_part_of_the_optimizers_step_stops_training_as_on_one_thread()
    {
        // SGD at float.MaxValue sends dense_0's weights (stepped in parts, each on its own thread, each part checking the
        // values as it writes them) to ±∞ in the first step, while that step's loss is finite: Fit must stop there with
        // the same report as one thread, which checks the whole step's values.
        (float[] images, int[] labels) = Batch(64);
        images = Array.ConvertAll(images, v => 100f * v); // gradients above 1, so float.MaxValue times them overflows at once
        TrainingDivergedException Fail(int threads)
        {
            var network = new MnistMlp { Threads = threads };
            network.InitializeParameters(3);
            var error = Assert.Throws<TrainingDivergedException>(() =>
                network.Fit(Dataset.Create(images, labels, 28, 28), new Sgd(float.MaxValue), epochs: 1, batchSize: 32, shuffle: false, verbosity: Verbosity.Silent));
            Assert.Equal(threads > 1, network.LastStepSplitByOutputs);
            return error;
        }

        Shards.AssertRan(2, Math.Min(2, WorkerPool.MaxShards), "OutputSplit with two parts");
        TrainingDivergedException one = Fail(1), two = Fail(2);
        Assert.Equal((1, 1), (one.Epoch, one.Batch));
        Assert.True(float.IsFinite(two.Loss), $"loss {two.Loss}");
        Assert.StartsWith("A parameter became ", two.Message);
        Assert.Equal(one.Message, two.Message);
    }

    [Fact]
    public void Only_the_first_product_split_in_a_step_clears_the_gradient_arena_and_a_product_too_small_to_split_clears_nothing()
    {
        Shards.AssertRan(2, Math.Min(2, WorkerPool.MaxShards), "OutputSplit with two parts");
        var gradients = new float[300];
        int[][] owned = [[0, 100, 250, 50], [100, 150]]; // together the whole arena, in any order
        var random = new Random(8);
        float[] Random(int length) => Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray();
        float[] weight = Random(128 * 128), bias = Random(128), x = Random(4 * 128), y = new float[4 * 128];
        gradients.AsSpan().Fill(1f);
        OutputSplit.Enter(2, gradients, owned);
        try
        {
            Dense.Forward(x.AsSpan(0, 128), weight.AsSpan(0, 32 * 128), bias.AsSpan(0, 32), y.AsSpan(0, 32), 1, 128, 32); // 4,096 multiply-adds: whole
            Assert.All(gradients, value => Assert.Equal(1f, value));
            Dense.Forward(x, weight, bias, y, 4, 128, 128); // 65,536 multiply-adds: split, and clears
            Assert.All(gradients, value => Assert.Equal(0f, value));
            Assert.True(OutputSplit.TakeGradientsCleared());
            gradients.AsSpan().Fill(1f);
            Dense.Forward(x, weight, bias, y, 4, 128, 128); // split again, but the arena is the backward pass's now
            Assert.All(gradients, value => Assert.Equal(1f, value));
            Assert.False(OutputSplit.TakeGradientsCleared());
        }
        finally
        {
            Assert.Equal(2, OutputSplit.Exit());
        }

        // Without a split product before it, Backpropagate's ClearGradients is told nothing was cleared, and clears all.
        OutputSplit.Enter(2, gradients, owned);
        Assert.False(OutputSplit.TakeGradientsCleared());
        OutputSplit.Exit();
    }

    [Theory]
    [InlineData("floats")]
    [InlineData("bytes")]
    [InlineData("targets")]
    public void A_batch_copied_in_parts_is_the_batch_copied_whole(string kind)
    {
        // Fit copies each batch in the parts of its last step split by outputs; the batches, the last partial one of 4
        // samples included, must be the same as one thread's, and the prefetch of the next batch's samples (up to the
        // set's end) changes nothing.
        Shards.AssertRan(2, Math.Min(2, WorkerPool.MaxShards), "BatchIterator with two parts");
        var random = new Random(9);
        const int count = 100, size = 12;
        byte[] bytes = Enumerable.Range(0, count * size).Select(_ => (byte)random.Next(256)).ToArray();
        float[] floats = Array.ConvertAll(bytes, b => b / 7f);
        int[] labels = Enumerable.Range(0, count).Select(i => i % 3).ToArray();
        Dataset dataset = kind switch
        {
            "floats" => Dataset.Create(floats, labels, size),
            "bytes" => Dataset.Create(bytes, 1f / 255, labels, size),
            _ => Dataset.Create(floats, Array.ConvertAll(labels, l => l * 0.5f), size),
        };
        var whole = new BatchIterator(dataset, 32, shuffle: true, seed: 4);
        var inParts = new BatchIterator(dataset, 32, shuffle: true, seed: 4);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            whole.BeginEpoch(epoch);
            inParts.BeginEpoch(epoch);
            int batches = 0, last = 0;
            while (whole.MoveNext())
            {
                Assert.True(inParts.MoveNext(parts: 2));
                Assert.Equal(2, inParts.LastCopyParts); // the 4 left over too: two samples a part
                Assert.Equal(whole.Size, inParts.Size);
                Assert.Equal(whole.Inputs.ToArray(), inParts.Inputs.ToArray());
                Assert.Equal(whole.Labels.ToArray(), inParts.Labels.ToArray());
                Assert.Equal(whole.Targets.ToArray(), inParts.Targets.ToArray());
                batches++;
                last = whole.Size;
            }

            Assert.False(inParts.MoveNext(parts: 2));
            Assert.Equal(4, batches);
            Assert.Equal(count % 32, last); // the last batch held the 4 left over
        }
    }

    [Fact]
    public void Copying_a_batch_in_parts_allocates_nothing_on_any_thread_after_warm_up()
    {
        Shards.AssertRan(2, Math.Min(2, WorkerPool.MaxShards), "BatchIterator with two parts");
        (float[] images, int[] labels) = Batch(70);
        var batches = new BatchIterator(Dataset.Create(images, labels, 784), 32, shuffle: true, seed: 1);
        int epoch = 0;
        (long leastOnAnyThread, long onCallingThread) = Allocated(() =>
        {
            if (!batches.MoveNext(parts: 2))
            {
                batches.BeginEpoch(++epoch);
            }
        });
        Assert.Equal(0, leastOnAnyThread);
        Assert.Equal(0, onCallingThread);
    }

    [Fact]
    public void The_automatic_split_keeps_small_batches_and_small_networks_on_one_thread()
    {
        Assert.Equal(1, Sharding.Count(batchSize: 4, threads: 0, flopsPerSample: 400_000));
        Assert.Equal(1, Sharding.Count(batchSize: 1024, threads: 0, flopsPerSample: 100));
        Assert.Equal(1, Sharding.Count(batchSize: 32, threads: 0, flopsPerSample: 400_000)); // measured: slower split in two
        Assert.Equal(Math.Min(2, WorkerPool.MaxShards), Sharding.Count(batchSize: 128, threads: 0, flopsPerSample: 400_000));
        Assert.Equal(1, Sharding.Count(batchSize: 32, threads: 1, flopsPerSample: 400_000));
        Assert.Equal(Math.Min(3, WorkerPool.MaxShards), Sharding.Count(batchSize: 3, threads: 8, flopsPerSample: 1));
        Assert.Equal([(0, 3), (3, 4), (7, 3), (10, 4)], Enumerable.Range(0, 4).Select(s => Sharding.Range(14, 4, s)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MnistMlp().Threads = -1);
    }

    [Fact]
    public void Where_threads_cannot_start_the_pool_has_no_workers_and_every_step_is_one_shard()
    {
        // WebAssembly in a browser or under WASI: Thread.Start throws there, so the pool must never start a worker.
        Assert.Equal(0, WorkerPool.WorkerCount(processorCount: 8, canStartThreads: false));
        Assert.Equal(0, WorkerPool.WorkerCount(processorCount: 1, canStartThreads: false));
        Assert.Equal(0, WorkerPool.WorkerCount(processorCount: 1, canStartThreads: true));
        Assert.Equal(1, WorkerPool.WorkerCount(processorCount: 2, canStartThreads: true));
        Assert.Equal(63, WorkerPool.WorkerCount(processorCount: 256, canStartThreads: true));
        Assert.True(WorkerPool.CanStartThreads); // this test process is not in a browser
        Assert.Equal(WorkerPool.WorkerCount(Environment.ProcessorCount, canStartThreads: true) + 1, WorkerPool.MaxShards);
    }

    [Fact]
    public void An_exception_in_a_worker_shard_reaches_the_caller()
    {
        var failing = new FailingStep();
        var error = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(failing, Math.Min(2, WorkerPool.MaxShards), [], [], []));
        Assert.Equal("shard failed", error.Message);
        Assert.Equal(3f, WorkerPool.Run(new ConstantStep(), 1, [], [], [])); // the pool still works afterwards
    }

    private sealed class FailingStep : IShardedStep
    {
        public float RunShard(int shard, int shards, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets) =>
            shard == shards - 1 ? throw new InvalidOperationException("shard failed") : 0f;
    }

    private sealed class ConstantStep : IShardedStep
    {
        public float RunShard(int shard, int shards, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets) => 3f;
    }
}
