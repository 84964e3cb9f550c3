using System;
using System.Linq;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// What a test of threaded training must prove: that the step it ran really was split. <c>Threads = 2</c> is a request,
/// capped by <see cref="WorkerPool.MaxShards"/> (the processor count) and ignored by networks whose training form reads
/// the whole batch (batch normalisation), so a test that only sets it can pass on one thread.
/// </summary>
public static class Shards
{
    /// <summary>How many shards <paramref name="network"/>'s last training step ran in.</summary>
    public static int Of(ITrainableNetwork network) => ((TrainableNetworkBase)network).LastStepShards;

    /// <summary>
    /// The shards a step of <paramref name="c"/> must run in when asked for <paramref name="threads"/> at a batch of at
    /// least that many samples: one for a network with batch normalisation, whose statistics span the batch, else
    /// <paramref name="threads"/>.
    /// </summary>
    public static int Expected(NetworkCase c, int threads) =>
        c.Reference.Layers.Any(layer => layer is ReferenceBatchNormalization) ? 1 : threads;

    /// <summary>
    /// Asserts that a step ran in <paramref name="expected"/> shards (<paramref name="actual"/>, from <see cref="Of"/>); on
    /// a machine with fewer processors than that, fails saying that the machine cannot run the test.
    /// </summary>
    public static void AssertRan(int expected, int actual, string what)
    {
        Assert.True(
            expected <= WorkerPool.MaxShards,
            $"{what}: this test needs {expected} processors to split a step over {expected} threads, but this machine has " +
            $"{Environment.ProcessorCount} (WorkerPool.MaxShards = {WorkerPool.MaxShards}); it cannot run here.");
        Assert.True(actual == expected, $"{what}: the training step ran in {actual} shard(s), not {expected}.");
    }
}
