using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace GenNet.Tests.Data;

public sealed class DatasetTests
{
    private static Dataset Numbered(int count, int features = 3) =>
        Dataset.Create(Enumerable.Range(0, count * features).Select(i => (float)i).ToArray(), Enumerable.Range(0, count).Select(i => i % 4).ToArray(), features);

    /// <summary>Sample index i has features starting at i × features, so the first feature identifies the sample.</summary>
    private static int Identify(ReadOnlySpan<float> sample, int features = 3) => (int)sample[0] / features;

    [Fact]
    public void Create_validates_shapes_and_labels()
    {
        Assert.Contains("do not divide", Assert.Throws<ArgumentException>(() => Dataset.Create(new float[7], new int[2], 3)).Message);
        Assert.Contains("3 labels for 2 samples", Assert.Throws<ArgumentException>(() => Dataset.Create(new float[6], new int[3], 3)).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => Dataset.Create(new float[6], [0, -1], 3)).Message);
        Assert.Throws<ArgumentException>(() => Dataset.Create(new float[6], new float[3], 3));
        Assert.Throws<ArgumentException>(() => Dataset.Create(new float[6], new int[2], 0));
        Assert.Equal(2, Dataset.Create(new float[6], new float[4], 3).TargetWidth);
    }

    [Fact]
    public void Split_is_a_seeded_partition()
    {
        Dataset data = Numbered(10);
        (Dataset a, Dataset b) = data.Split(0.7, seed: 1);
        (Dataset c, _) = data.Split(0.7, seed: 1);
        (Dataset d, _) = data.Split(0.7, seed: 2);
        Assert.Equal(7, a.Count);
        Assert.Equal(3, b.Count);
        int[] Ids(Dataset set) => Enumerable.Range(0, set.Count).Select(i => { var f = new float[3]; set.CopyFeatures(i, f); return Identify(f); }).ToArray();
        Assert.Equal(Enumerable.Range(0, 10), Ids(a).Concat(Ids(b)).Order());
        Assert.Equal(Ids(a), Ids(c));
        Assert.NotEqual(Ids(a), Ids(d));
        Assert.Equal(Ids(a).Select(i => i % 4), a.Labels.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(1.0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(0.01, 1));
    }
}

public sealed class BatchIteratorTests
{
    private static Dataset Numbered(int count) =>
        Dataset.Create(Enumerable.Range(0, count * 3).Select(i => (float)i).ToArray(), Enumerable.Range(0, count).ToArray(), 3);

    private static List<int[]> Epoch(BatchIterator batches, int epoch)
    {
        var result = new List<int[]>();
        batches.BeginEpoch(epoch);
        while (batches.MoveNext())
        {
            int[] ids = new int[batches.Size];
            for (int i = 0; i < batches.Size; i++)
            {
                ids[i] = (int)batches.Inputs[i * 3] / 3;
                Assert.Equal(ids[i], batches.Labels[i]); // features and labels travel together
            }

            Assert.Equal(ids, batches.SampleIndices.ToArray());
            result.Add(ids);
        }

        return result;
    }

    [Fact]
    public void Every_sample_exactly_once_per_epoch_with_a_partial_last_batch()
    {
        var batches = new BatchIterator(Numbered(70), batchSize: 32, seed: 5);
        List<int[]> epoch = Epoch(batches, 0);
        Assert.Equal([32, 32, 6], epoch.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 70), epoch.SelectMany(b => b).Order());
        Assert.Equal(3, batches.BatchCount);
    }

    [Fact]
    public void Order_differs_between_epochs_and_repeats_for_the_same_seed()
    {
        int[] Order(int seed, int epoch) => Epoch(new BatchIterator(Numbered(50), 8, seed: seed), epoch).SelectMany(b => b).ToArray();
        Assert.Equal(Order(3, 0), Order(3, 0));
        Assert.Equal(Order(3, 4), Order(3, 4));
        Assert.NotEqual(Order(3, 0), Order(3, 1));
        Assert.NotEqual(Order(3, 0), Order(4, 0));
        Assert.Equal(Enumerable.Range(0, 50), Epoch(new BatchIterator(Numbered(50), 8, shuffle: false), 3).SelectMany(b => b));
    }

    [Fact]
    public void An_epoch_allocates_nothing()
    {
        var batches = new BatchIterator(Numbered(100), 16, seed: 1);
        batches.BeginEpoch(0);
        while (batches.MoveNext())
        {
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int epoch = 1; epoch < 4; epoch++)
        {
            batches.BeginEpoch(epoch);
            while (batches.MoveNext())
            {
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Byte_features_are_scaled_into_the_batch()
    {
        var data = Dataset.Create(new byte[] { 0, 51, 255, 102 }, 1f / 255f, [1, 0], 2);
        var batches = new BatchIterator(data, 2, shuffle: false);
        Assert.True(batches.MoveNext());
        Assert.Equal([0f, 0.2f, 1f, 0.4f], batches.Inputs.ToArray(), (a, b) => Math.Abs(a - b) < 1e-7f);
        Assert.False(batches.MoveNext());
    }
}
