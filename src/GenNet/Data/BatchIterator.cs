using System;

namespace GenNet;

/// <summary>
/// Walks a dataset in batches, shuffled per epoch by a seed, into buffers allocated once: no allocation per batch.
/// The last batch of an epoch holds the remainder (it is not dropped).
/// </summary>
/// <example>
/// <code>
/// var batches = new BatchIterator(train, batchSize: 32, shuffle: true, seed: 42);
/// batches.BeginEpoch(0);
/// while (batches.MoveNext())
///     network.ComputeGradients(batches.Inputs, batches.Labels, batches.Size);
/// </code>
/// </example>
public sealed class BatchIterator
{
    private readonly Dataset _dataset;
    private readonly int[] _order;
    private readonly float[] _inputs;
    private readonly int[] _labels;
    private readonly float[] _targets;
    private readonly bool _shuffle;
    private readonly int _seed;
    private int _next;
    private Gather? _gather;

    /// <summary>Prepares batches of up to <paramref name="batchSize"/> samples of <paramref name="dataset"/>.</summary>
    public BatchIterator(Dataset dataset, int batchSize, bool shuffle = true, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (dataset.Count == 0)
        {
            throw new ArgumentException("The dataset is empty.", nameof(dataset));
        }

        _dataset = dataset;
        _shuffle = shuffle;
        _seed = seed;
        BatchSize = Math.Min(batchSize, dataset.Count);
        _order = new int[dataset.Count];
        _inputs = new float[BatchSize * dataset.SampleSize];
        _labels = dataset.HasLabels ? new int[BatchSize] : [];
        _targets = dataset.HasLabels ? [] : new float[BatchSize * dataset.TargetWidth];
        BeginEpoch(0);
    }

    /// <summary>The largest batch (the requested size, or the dataset's size if smaller).</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch's order is shuffled.</summary>
    public bool Shuffles => _shuffle;

    /// <summary>Batches per epoch, counting the last partial one.</summary>
    public int BatchCount => (_dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>Samples in the current batch.</summary>
    public int Size { get; private set; }

    /// <summary>Index of the current batch within the epoch, from 0.</summary>
    public int BatchIndex { get; private set; } = -1;

    /// <summary>The current batch's features, [Size, SampleSize] row-major.</summary>
    public ReadOnlySpan<float> Inputs => _inputs.AsSpan(0, Size * _dataset.SampleSize);

    /// <summary>The current batch's labels (empty for a dataset with targets).</summary>
    public ReadOnlySpan<int> Labels => _labels.AsSpan(0, _dataset.HasLabels ? Size : 0);

    /// <summary>The current batch's targets (empty for a labelled dataset).</summary>
    public ReadOnlySpan<float> Targets => _targets.AsSpan(0, _dataset.HasLabels ? 0 : Size * _dataset.TargetWidth);

    /// <summary>The dataset indices of the current batch's samples.</summary>
    public ReadOnlySpan<int> SampleIndices => _order.AsSpan(_next - Size, Size);

    /// <summary>Starts an epoch: the order is a permutation determined by the seed and the epoch number alone.</summary>
    public void BeginEpoch(int epoch)
    {
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }

        if (_shuffle)
        {
            var random = new SeededRandom(_seed * 0x1_0000_0001L + epoch);
            Dataset.Shuffle(_order, ref random);
        }

        _next = 0;
        Size = 0;
        BatchIndex = -1;
    }

    /// <summary>Fills the buffers with the next batch; false when the epoch is over.</summary>
    public bool MoveNext() => MoveNext(parts: 1);

    /// <summary>How many parts of the last <see cref="MoveNext(int)"/>'s copy ran (for tests).</summary>
    internal int LastCopyParts { get; private set; } = 1;

    /// <summary>
    /// <see cref="MoveNext()"/> with the copying split over <paramref name="parts"/> threads of <see cref="Kernels.WorkerPool"/>
    /// (part k copies the k-th share of the batch's samples on the thread that runs part k of a split training step, and
    /// asks the processor for its share of the next batch's): <c>Fit</c> passes the parts its last step was split into by
    /// outputs, where the copy of a shuffled batch would otherwise be serial work on the calling thread. The same batch either way.
    /// </summary>
    internal bool MoveNext(int parts)
    {
        if (_next >= _order.Length)
        {
            Size = 0;
            return false;
        }

        Size = Math.Min(BatchSize, _order.Length - _next);
        if (parts > 1 && Size >= parts)
        {
            Gather gather = _gather ??= new Gather(this);
            gather.PartsRun = 0;
            Kernels.WorkerPool.Fork(gather, parts);
            LastCopyParts = gather.PartsRun;
        }
        else
        {
            Copy(0, Size);
            LastCopyParts = 1;
        }

        _next += Size;
        BatchIndex++;
        return true;
    }

    // Copies samples [first, first + count) of the batch, then asks the processor for the same rows of the next batch, which
    // start loading now and arrive while this batch trains (a shuffled batch reads from all over the set).
    private void Copy(int first, int count)
    {
        int sampleSize = _dataset.SampleSize;
        int width = _dataset.TargetWidth;
        for (int i = first; i < first + count; i++)
        {
            int index = _order[_next + i];
            _dataset.CopyFeatures(index, _inputs.AsSpan(i * sampleSize, sampleSize));
            if (_dataset.HasLabels)
            {
                _labels[i] = _dataset.Labels[index];
            }
            else
            {
                _dataset.Targets.Slice(index * width, width).CopyTo(_targets.AsSpan(i * width, width));
            }
        }

        int following = _next + Size;
        for (int i = following + first; i < Math.Min(following + first + count, _order.Length); i++)
        {
            _dataset.PrefetchFeatures(_order[i]);
        }
    }

    // The batch's copy as parallel work: part k copies the k-th even share of its samples.
    private sealed class Gather(BatchIterator batches) : Kernels.IParallelWork
    {
        public int PartsRun;

        public float RunPart(int part, int parts)
        {
            (int first, int count) = Kernels.Sharding.Range(batches.Size, parts, part);
            batches.Copy(first, count);
            System.Threading.Interlocked.Increment(ref PartsRun);
            return 0f;
        }
    }
}
