using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;

namespace GenNet;

/// <summary>
/// Samples for training or evaluation: features of a fixed shape, and per sample either an integer class label
/// or a row of float targets. Features are kept as given — bytes with a scale (MNIST: 47 MB for 60,000 images
/// instead of 188 MB as floats) or floats — and converted to floats one batch at a time.
/// </summary>
/// <remarks>The arrays passed to <c>Create</c> are used, not copied: do not change them afterwards.</remarks>
public sealed class Dataset
{
    private readonly byte[]? _bytes;
    private readonly float _byteScale;
    private readonly float[]? _floats;
    private readonly int[]? _labels;
    private readonly float[]? _targets;
    private readonly int[] _sampleShape;
    private readonly string[]? _classNames;

    private Dataset(byte[]? bytes, float byteScale, float[]? floats, int[]? labels, float[]? targets, int[] sampleShape, string[]? classNames)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Length == 0 || sampleShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"The sample shape [{string.Join(", ", sampleShape)}] needs at least one dimension, all positive.", nameof(sampleShape));
        }

        long sampleSize = sampleShape.Aggregate(1L, (product, d) => product * d);
        long featureCount = bytes?.LongLength ?? floats!.LongLength;
        if (sampleSize > int.MaxValue || featureCount % sampleSize != 0)
        {
            throw new ArgumentException($"{featureCount} feature values do not divide into samples of shape [{string.Join(", ", sampleShape)}] ({sampleSize} values each).", "features");
        }

        int count = (int)(featureCount / sampleSize);
        if (labels is not null)
        {
            if (labels.Length != count)
            {
                throw new ArgumentException($"{labels.Length} labels for {count} samples.", nameof(labels));
            }

            for (int i = 0; i < labels.Length; i++)
            {
                if (labels[i] < 0)
                {
                    throw new ArgumentException($"Label {labels[i]} of sample {i} is negative; labels are class indices from 0.", nameof(labels));
                }

                if (labels[i] >= MaxClassCount)
                {
                    throw new ArgumentException($"Label {labels[i]:N0} of sample {i} is not a class index GenNet accepts: labels go from 0 to {MaxClassCount - 1:N0} (2^24 − 1).", nameof(labels));
                }
            }

            ClassCount = labels.Length == 0 ? 0 : labels.Max() + 1;
        }
        else if (count == 0 || targets!.Length % count != 0 || targets.Length == 0)
        {
            throw new ArgumentException($"{targets!.Length} target values do not divide evenly among {count} samples.", nameof(targets));
        }

        _bytes = bytes;
        _byteScale = byteScale;
        _floats = floats;
        _labels = labels;
        _targets = targets;
        _sampleShape = (int[])sampleShape.Clone();
        _classNames = classNames;
        Count = count;
        SampleSize = (int)sampleSize;
        TargetWidth = targets is null ? 0 : targets.Length / count;
    }

    /// <summary>Float features with one class label per sample.</summary>
    public static Dataset Create(float[] features, int[] labels, params int[] sampleShape) =>
        new(null, 0, features ?? throw new ArgumentNullException(nameof(features)), labels ?? throw new ArgumentNullException(nameof(labels)), null, sampleShape, null);

    /// <summary>Float features with a row of float targets per sample (the row width is targets.Length / Count).</summary>
    public static Dataset Create(float[] features, float[] targets, params int[] sampleShape) =>
        new(null, 0, features ?? throw new ArgumentNullException(nameof(features)), null, targets ?? throw new ArgumentNullException(nameof(targets)), sampleShape, null);

    /// <summary>Byte features, each read as <c>byte × scale</c> (1/255 maps pixels to [0, 1]), with one class label per sample.</summary>
    public static Dataset Create(byte[] features, float scale, int[] labels, params int[] sampleShape) =>
        new(features ?? throw new ArgumentNullException(nameof(features)), scale, null, labels ?? throw new ArgumentNullException(nameof(labels)), null, sampleShape, null);

    internal static Dataset CreateWithClassNames(float[] features, int[] labels, string[] classNames, int[] sampleShape) =>
        new(null, 0, features, labels, null, sampleShape, classNames);

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Shape of one sample's features, outermost first.</summary>
    public IReadOnlyList<int> SampleShape => _sampleShape;

    /// <summary>Floats per sample.</summary>
    public int SampleSize { get; }

    /// <summary>True when each sample has an integer class label; false when it has a row of float targets.</summary>
    public bool HasLabels => _labels is not null;

    /// <summary>The class labels (empty when the dataset has targets).</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The target rows, [Count, TargetWidth] row-major (empty when the dataset has labels).</summary>
    public ReadOnlySpan<float> Targets => _targets;

    /// <summary>Targets per sample; 0 for a labelled dataset.</summary>
    public int TargetWidth { get; }

    /// <summary>One more than the largest label (0 for a dataset with targets).</summary>
    public int ClassCount { get; }

    /// <summary>
    /// One more than the largest label a dataset accepts: 2^24 = 16,777,216 classes. A classifier has one output per class,
    /// so a larger label could only be a corrupt file or a mistake (an identifier or a price in the label column); the
    /// bound keeps <see cref="ClassCount"/> far from overflow and every label exactly representable as a float.
    /// </summary>
    public const int MaxClassCount = 1 << 24;

    /// <summary>Names of the classes, when they came from text labels (a CSV column of names); otherwise null.</summary>
    public IReadOnlyList<string>? ClassNames => _classNames;

    /// <summary>Writes sample <paramref name="index"/>'s features as floats.</summary>
    public void CopyFeatures(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The dataset has {Count} samples.");
        }

        if (destination.Length != SampleSize)
        {
            throw new ArgumentException($"A sample has {SampleSize} features; the destination has room for {destination.Length}.", nameof(destination));
        }

        if (_floats is not null)
        {
            _floats.AsSpan(index * SampleSize, SampleSize).CopyTo(destination);
        }
        else
        {
            TensorPrimitives.ConvertChecked<byte, float>(_bytes.AsSpan(index * SampleSize, SampleSize), destination);
            TensorPrimitives.Multiply(destination, _byteScale, destination);
        }
    }

    /// <summary>
    /// Asks the processor to start loading sample <paramref name="index"/>'s features into its caches (x86 only; elsewhere
    /// nothing): <see cref="BatchIterator"/> asks for the next batch's samples while a training step runs, so the copy that
    /// gathers them finds them in cache instead of waiting on memory for each one (a shuffled batch reads from all over the set).
    /// </summary>
    internal unsafe void PrefetchFeatures(int index)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported || (uint)index >= (uint)Count)
        {
            return;
        }

        int bytes = _floats is not null ? SampleSize * sizeof(float) : SampleSize;
        fixed (float* floats = _floats)
        fixed (byte* raw = _bytes)
        {
            byte* start = _floats is not null ? (byte*)(floats + (long)index * SampleSize) : raw + (long)index * SampleSize;
            for (int offset = 0; offset < bytes; offset += 64)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch1(start + offset);
            }

            System.Runtime.Intrinsics.X86.Sse.Prefetch1(start + bytes - 1);
        }
    }

    /// <summary>
    /// Splits the samples at random (by <paramref name="seed"/>) into a first part of <c>round(fraction · Count)</c>
    /// samples and a second part with the rest, for example a validation set.
    /// </summary>
    public (Dataset First, Dataset Second) Split(double fraction, int seed)
    {
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction must be strictly between 0 and 1.");
        }

        int[] order = Enumerable.Range(0, Count).ToArray();
        var random = new SeededRandom(seed);
        Shuffle(order, ref random);
        int firstCount = (int)Math.Round(fraction * Count);
        if (firstCount == 0 || firstCount == Count)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"Splitting {Count} samples at {fraction} leaves one part empty.");
        }

        return (Subset(order.AsSpan(0, firstCount)), Subset(order.AsSpan(firstCount)));
    }

    /// <summary>A new dataset with the given samples, in the given order (the data is copied).</summary>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        int[]? labels = _labels is null ? null : new int[indices.Length];
        float[]? targets = _targets is null ? null : new float[indices.Length * TargetWidth];
        byte[]? bytes = _bytes is null ? null : new byte[(long)indices.Length * SampleSize];
        float[]? floats = _floats is null ? null : new float[(long)indices.Length * SampleSize];
        for (int i = 0; i < indices.Length; i++)
        {
            int source = indices[i];
            if ((uint)source >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), source, $"The dataset has {Count} samples.");
            }

            if (bytes is not null)
            {
                _bytes.AsSpan(source * SampleSize, SampleSize).CopyTo(bytes.AsSpan(i * SampleSize));
            }
            else
            {
                _floats.AsSpan(source * SampleSize, SampleSize).CopyTo(floats.AsSpan(i * SampleSize));
            }

            if (labels is not null)
            {
                labels[i] = _labels![source];
            }
            else
            {
                _targets.AsSpan(source * TargetWidth, TargetWidth).CopyTo(targets.AsSpan(i * TargetWidth));
            }
        }

        return new Dataset(bytes, _byteScale, floats, labels, targets, _sampleShape, _classNames);
    }

    internal static void Shuffle(Span<int> values, ref SeededRandom random)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = random.NextInt32(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
