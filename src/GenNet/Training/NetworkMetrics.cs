using System;
using System.Numerics.Tensors;

namespace GenNet;

/// <summary>
/// <see cref="Metrics"/> of a network on a dataset: runs <c>Forward</c> in batches into one buffer and accumulates as it
/// goes, so only <see cref="EvaluateBinary"/> keeps a float per sample (ROC AUC sorts every score).
/// </summary>
public static class NetworkMetrics
{
    /// <summary>
    /// The <see cref="ClassificationReport"/> of a classifier on labelled data (or one-hot targets, read by their arg-max).
    /// A network with one sigmoid output counts as two classes, scored 1 − p and p.
    /// </summary>
    public static ClassificationReport EvaluateClassification(this INetwork network, Dataset dataset, int topK = 5, int batchSize = 256)
    {
        Check(network, dataset, batchSize);
        int width = network.OutputSize, classes = Math.Max(width, 2);
        var counts = new ClassificationCounts(classes, topK);
        var batches = new BatchIterator(dataset, batchSize, shuffle: false);
        var outputs = new float[batches.BatchSize * width];
        var scores = width == 1 ? new float[batches.BatchSize * 2] : outputs;
        var labels = dataset.HasLabels ? null : new int[batches.BatchSize];
        while (batches.MoveNext())
        {
            int size = batches.Size;
            network.Forward(batches.Inputs, outputs.AsSpan(0, size * width), size);
            if (width == 1)
            {
                for (int i = 0; i < size; i++)
                {
                    scores[2 * i] = 1 - outputs[i];
                    scores[2 * i + 1] = outputs[i];
                }
            }

            ReadOnlySpan<int> batchLabels = batches.Labels;
            if (labels is not null)
            {
                for (int i = 0; i < size; i++)
                {
                    labels[i] = width == 1 ? (batches.Targets[i] >= 0.5f ? 1 : 0) : TensorPrimitives.IndexOfMax(batches.Targets.Slice(i * width, width));
                }

                batchLabels = labels.AsSpan(0, size);
            }

            counts.Add(scores.AsSpan(0, size * classes), batchLabels);
        }

        return counts.ToReport(dataset.ClassNames);
    }

    /// <summary>
    /// The <see cref="BinaryReport"/> of a network with one sigmoid output on data labelled 0 and 1 (labels, or targets
    /// of exactly 0 and 1).
    /// </summary>
    public static BinaryReport EvaluateBinary(this INetwork network, Dataset dataset, float threshold = 0.5f, int batchSize = 256)
    {
        Check(network, dataset, batchSize);
        if (network.OutputSize != 1)
        {
            throw new ArgumentException(
                $"{network.GetType().Name} has {network.OutputSize} outputs; a binary report needs one probability per sample (use EvaluateClassification).", nameof(network));
        }

        float[] scores = network.Predict(dataset, batchSize);
        int[] labels;
        if (dataset.HasLabels)
        {
            labels = dataset.Labels.ToArray();
        }
        else
        {
            labels = new int[dataset.Count];
            for (int i = 0; i < labels.Length; i++)
            {
                float target = dataset.Targets[i];
                labels[i] = target == 1 ? 1 : target == 0 ? 0 : throw new ArgumentException($"Target {target} of sample {i} is not 0 or 1.", nameof(dataset));
            }
        }

        return Metrics.Binary(scores, labels, threshold);
    }

    /// <summary>The <see cref="RegressionReport"/> of a network on data with one float target per output.</summary>
    public static RegressionReport EvaluateRegression(this INetwork network, Dataset dataset, int batchSize = 256)
    {
        Check(network, dataset, batchSize);
        if (dataset.HasLabels)
        {
            throw new ArgumentException("The dataset has class labels; a regression report needs float targets (Dataset.Create(features, float[] targets, ...)).", nameof(dataset));
        }

        int width = network.OutputSize;
        var sums = new RegressionSums(width);
        var batches = new BatchIterator(dataset, batchSize, shuffle: false);
        var outputs = new float[batches.BatchSize * width];
        while (batches.MoveNext())
        {
            int size = batches.Size;
            network.Forward(batches.Inputs, outputs.AsSpan(0, size * width), size);
            sums.Add(outputs.AsSpan(0, size * width), batches.Targets);
        }

        return sums.ToReport();
    }

    private static void Check(INetwork network, Dataset dataset, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        NetworkTraining.CheckFeatures(network, dataset, nameof(dataset));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);

        if (!dataset.HasLabels && dataset.TargetWidth != network.OutputSize)
        {
            throw new ArgumentException($"The samples have {dataset.TargetWidth} targets each, but {network.GetType().Name} has {network.OutputSize} outputs.", nameof(dataset));
        }
    }
}
