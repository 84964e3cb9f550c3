using System;
using System.ComponentModel;

namespace GenNet.Kernels;

/// <summary>How generated <c>ComputeGradients</c> splits a batch over threads.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Sharding
{
    /// <summary>
    /// Fewest samples a shard gets when the count is chosen automatically. Measured on 2 cores with the MNIST MLP
    /// (tests/GenNet.Benchmarks, TrainingBenchmarks) before its backward products became broadcast tiles: batch 128 in two
    /// shards of 64 trained an epoch 1.46× faster than one thread, batch 32 in two shards of 16 1.21× slower (the gradient
    /// reduction and the hand-off cost more than half a batch of 16 takes), so a shard needs at least 32 samples. With the
    /// faster backward pass the MLP's split no longer gains at batch 128 (README, Performance); the convnet's still does.
    /// </summary>
    public const int MinSamplesPerShard = 32;

    /// <summary>
    /// Least work (floating-point operations) per shard for the automatic choice: below it, handing work to another
    /// thread costs more than it saves.
    /// </summary>
    public const long MinFlopsPerShard = 1_000_000;

    /// <summary>
    /// The number of shards for a batch: <paramref name="threads"/> = 0 picks as many as win (each at least
    /// <see cref="MinSamplesPerShard"/> samples and <see cref="MinFlopsPerShard"/> of work), a positive value pins it
    /// (still at most one per sample and per processor).
    /// </summary>
    public static int Count(int batchSize, int threads, long flopsPerSample)
    {
        int limit = Math.Min(WorkerPool.MaxShards, batchSize);
        if (threads > 0)
        {
            return Math.Max(1, Math.Min(threads, limit));
        }

        long byWork = flopsPerSample <= 0 ? 1 : batchSize * flopsPerSample / MinFlopsPerShard;
        long shards = Math.Min(Math.Min(limit, batchSize / MinSamplesPerShard), byWork);
        return (int)Math.Max(1, shards);
    }

    /// <summary>
    /// Fewest parameters for a step split by outputs (<see cref="OutputSplit"/>): smaller networks' products are too small to
    /// split, and their steps split by rows as before.
    /// </summary>
    internal const int MinParametersForOutputSplit = 16_384;

    /// <summary>
    /// Work per parameter per step (batch × FLOPs per sample ÷ parameters) below which a step splits by outputs rather than by
    /// rows. Measured on 2 cores (TwoCoreTrainingBenchmarks): the seed MLP at batch 32 (128 FLOPs per parameter) gains from
    /// the split by outputs where the split by rows lost, because the optimizer step rewrites every weight and a split by
    /// rows then moves all of them between cores each step; mnist_convnet at batch 128 (about 54,000) keeps the split by rows.
    /// </summary>
    internal const long MaxFlopsPerParameterForOutputSplit = 1024;

    /// <summary>
    /// How many parts a step splits each large product into by outputs: 1 (not at all; <see cref="Count"/> decides the split by
    /// rows) unless the network is large and its weights outweigh the step's work. <paramref name="threads"/> as for
    /// <see cref="Count"/>: 0 picks as many as have <see cref="MinFlopsPerShard"/> of work each, a positive value pins it.
    /// </summary>
    internal static int OutputParts(int batchSize, int threads, long flopsPerSample, int parameterCount)
    {
        if (parameterCount < MinParametersForOutputSplit || flopsPerSample <= 0 ||
            batchSize * flopsPerSample >= parameterCount * MaxFlopsPerParameterForOutputSplit)
        {
            return 1;
        }

        int limit = WorkerPool.MaxShards;
        if (threads > 0)
        {
            return Math.Max(1, Math.Min(threads, limit));
        }

        return (int)Math.Max(1, Math.Min(limit, batchSize * flopsPerSample / MinFlopsPerShard));
    }

    /// <summary>The rows of shard <paramref name="shard"/>: an even split, earlier shards one smaller when it does not divide.</summary>
    public static (int Start, int Count) Range(int batchSize, int shards, int shard)
    {
        int start = (int)((long)batchSize * shard / shards);
        int end = (int)((long)batchSize * (shard + 1) / shards);
        return (start, end - start);
    }
}
