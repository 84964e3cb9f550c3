using System;

namespace GenNet;

public static partial class Metrics
{
    /// <summary>
    /// Confusion matrix, per-class and macro-averaged precision, recall and F1, accuracy and top-k accuracy of class
    /// probabilities (a softmax output) against integer labels.
    /// </summary>
    /// <param name="outputs">[n, <paramref name="classes"/>] row-major: one score per class and sample.</param>
    /// <param name="labels">n true classes, each from 0 to <paramref name="classes"/> − 1.</param>
    /// <param name="classes">Classes, at least 2 (for one sigmoid output use <see cref="Binary"/>).</param>
    /// <param name="topK">The k of <see cref="ClassificationReport.TopKAccuracy"/> (Keras's default 5); k ≥ classes gives 1.</param>
    /// <param name="classNames">Names for <see cref="ClassificationReport.ToString"/> (a dataset's <c>ClassNames</c>), or null.</param>
    /// <exception cref="ArgumentException">The lengths disagree, a label is out of range, there are no samples, or k ≤ 0.</exception>
    public static ClassificationReport Classification(
        ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes, int topK = 5, System.Collections.Generic.IReadOnlyList<string>? classNames = null)
    {
        var counts = new ClassificationCounts(classes, topK);
        counts.Add(outputs, labels);
        return counts.ToReport(classNames);
    }

    /// <summary>
    /// The fraction of samples whose label is among the <paramref name="k"/> highest outputs. Ties are broken toward the
    /// lower class index, as the arg-max is, so top-1 accuracy equals accuracy (scikit-learn favours the higher index on
    /// exact ties). Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths disagree, a label is out of range, there are no samples, or k ≤ 0.</exception>
    public static double TopKAccuracy(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes, int k)
    {
        CheckClassification(outputs, labels, classes, k);
        long hits = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            hits += InTopK(outputs.Slice(i * classes, classes), labels[i], k) ? 1 : 0;
        }

        return (double)hits / labels.Length;
    }

    /// <summary>
    /// ROC AUC, and precision, recall and F1 at <paramref name="threshold"/> (a sample is predicted positive when its score
    /// is at least the threshold), of one probability per sample (a sigmoid output) against labels 0 and 1.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths disagree, a label is not 0 or 1, a score is NaN, or there are no samples.</exception>
    public static BinaryReport Binary(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels, float threshold = 0.5f)
    {
        CheckBinary(scores, labels);
        if (float.IsNaN(threshold))
        {
            throw new ArgumentException("The threshold is NaN.", nameof(threshold));
        }

        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            bool predicted = scores[i] >= threshold;
            if (labels[i] == 1)
            {
                if (predicted) { tp++; } else { fn++; }
            }
            else if (predicted) { fp++; }
            else { tn++; }
        }

        return new BinaryReport(tp, fp, tn, fn, threshold, RocAuc(scores, labels));
    }

    /// <summary>
    /// The area under the ROC curve, exactly: the Mann–Whitney U statistic of the positives' scores against the
    /// negatives' (a tie between a positive and a negative counts one half, as average ranks do) over
    /// positives × negatives. NaN when the labels hold only one class (scikit-learn raises there). Sorts a copy of the scores.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths disagree, a label is not 0 or 1, a score is NaN, or there are no samples.</exception>
    public static double RocAuc(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        CheckBinary(scores, labels);
        float[] sorted = scores.ToArray();
        int[] sortedLabels = labels.ToArray();
        Array.Sort(sorted, sortedLabels);

        // 2U = Σ over groups of tied scores of 2·p·(negatives below the group) + p·q, for p positives and q negatives in
        // the group: an exact integer (at most 2^61 for 2^31 samples), divided once.
        long twiceU = 0, negativesBelow = 0, positives = 0;
        for (int start = 0; start < sorted.Length;)
        {
            int end = start;
            long p = 0, q = 0;
            while (end < sorted.Length && sorted[end] == sorted[start])
            {
                if (sortedLabels[end] == 1) { p++; } else { q++; }
                end++;
            }

            twiceU += 2 * p * negativesBelow + p * q;
            negativesBelow += q;
            positives += p;
            start = end;
        }

        long negatives = negativesBelow;
        return positives == 0 || negatives == 0 ? double.NaN : twiceU / (2.0 * positives * negatives);
    }

    /// <summary>
    /// Mean absolute error, mean squared error, root mean squared error and R² of outputs against targets,
    /// [n, <paramref name="width"/>] row-major each; multi-output values are scikit-learn's "uniform_average" of each
    /// output's value.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths disagree, are not a multiple of the width, or are empty; width ≤ 0.</exception>
    public static RegressionReport Regression(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int width = 1)
    {
        var sums = new RegressionSums(width);
        sums.Add(outputs, targets);
        return sums.ToReport();
    }

    internal static void CheckClassCount(int classes, int k)
    {
        if (classes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classification needs at least 2 classes; for one sigmoid output use Metrics.Binary.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
    }

    internal static void CheckClassification(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes, int k)
    {
        CheckClassCount(classes, k);
        if (labels.IsEmpty)
        {
            throw new ArgumentException("There are no samples: the metrics of none are undefined.", nameof(labels));
        }

        if ((long)labels.Length * classes != outputs.Length)
        {
            throw new ArgumentException(
                $"outputs has {outputs.Length} floats, but {labels.Length} labels × {classes} classes need {(long)labels.Length * classes}.", nameof(outputs));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentException($"Label {labels[i]} of sample {i} is out of range: there are {classes} classes, 0 to {classes - 1}.", nameof(labels));
            }
        }
    }

    private static void CheckBinary(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        if (labels.IsEmpty)
        {
            throw new ArgumentException("There are no samples: the metrics of none are undefined.", nameof(labels));
        }

        if (scores.Length != labels.Length)
        {
            throw new ArgumentException($"There are {scores.Length} scores but {labels.Length} labels; a binary classifier has one score per sample.", nameof(scores));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] is not (0 or 1))
            {
                throw new ArgumentException($"Label {labels[i]} of sample {i} is not 0 or 1.", nameof(labels));
            }

            if (float.IsNaN(scores[i]))
            {
                throw new ArgumentException($"The score of sample {i} is NaN.", nameof(scores));
            }
        }
    }

    /// <summary>Whether fewer than k classes rank above the label: a higher score, or an equal score and a lower index.</summary>
    internal static bool InTopK(ReadOnlySpan<float> row, int label, int k)
    {
        float score = row[label];
        int above = 0;
        for (int c = 0; c < row.Length; c++)
        {
            if (row[c] > score || (row[c] == score && c < label))
            {
                above++;
            }
        }

        return above < k;
    }
}

/// <summary>Confusion counts and top-k hits over batches, allocated once; <see cref="ToReport"/> derives the rest.</summary>
internal sealed class ClassificationCounts
{
    private readonly int[] _confusion;
    private long _topKHits;
    private int _count;

    public ClassificationCounts(int classes, int topK)
    {
        Metrics.CheckClassCount(classes, topK);
        Classes = classes;
        TopK = topK;
        _confusion = new int[classes * classes];
    }

    public int Classes { get; }

    public int TopK { get; }

    public void Add(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels)
    {
        Metrics.CheckClassification(outputs, labels, Classes, TopK);
        for (int i = 0; i < labels.Length; i++)
        {
            ReadOnlySpan<float> row = outputs.Slice(i * Classes, Classes);
            _confusion[labels[i] * Classes + System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row)]++;
            _topKHits += Metrics.InTopK(row, labels[i], TopK) ? 1 : 0;
        }

        _count += labels.Length;
    }

    public ClassificationReport ToReport(System.Collections.Generic.IReadOnlyList<string>? classNames) =>
        new(Classes, _confusion, TopK, (double)_topKHits / _count, classNames);
}

/// <summary>Per-output sums for regression metrics over batches: absolute and squared errors, and the targets' running mean and spread (Welford).</summary>
internal sealed class RegressionSums
{
    private readonly double[] _absolute, _squared, _mean, _spread;
    private long _count;

    public RegressionSums(int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        Width = width;
        _absolute = new double[width];
        _squared = new double[width];
        _mean = new double[width];
        _spread = new double[width];
    }

    public int Width { get; }

    /// <summary>Starts again from no samples (Fit's per-epoch metrics reuse one instance).</summary>
    public void Reset()
    {
        Array.Clear(_absolute);
        Array.Clear(_squared);
        Array.Clear(_mean);
        Array.Clear(_spread);
        _count = 0;
    }

    public void Add(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets)
    {
        if (outputs.Length != targets.Length)
        {
            throw new ArgumentException($"There are {outputs.Length} outputs but {targets.Length} targets.", nameof(outputs));
        }

        if (targets.IsEmpty)
        {
            throw new ArgumentException("There are no samples: the metrics of none are undefined.", nameof(targets));
        }

        if (targets.Length % Width != 0)
        {
            throw new ArgumentException($"{targets.Length} targets are not whole samples of {Width} output{(Width == 1 ? "" : "s")} each.", nameof(targets));
        }

        for (int start = 0; start < targets.Length; start += Width)
        {
            _count++;
            for (int j = 0; j < Width; j++)
            {
                double target = targets[start + j], error = outputs[start + j] - target;
                _absolute[j] += Math.Abs(error);
                _squared[j] += error * error;
                double delta = target - _mean[j];
                _mean[j] += delta / _count;
                _spread[j] += delta * (target - _mean[j]);
            }
        }
    }

    public RegressionReport ToReport()
    {
        var mae = new double[Width];
        var mse = new double[Width];
        var r2 = new double[Width];
        for (int j = 0; j < Width; j++)
        {
            mae[j] = _absolute[j] / _count;
            mse[j] = _squared[j] / _count;

            // scikit-learn's force_finite: a constant target gives 1 when predicted perfectly, 0 otherwise.
            r2[j] = _spread[j] == 0 ? (_squared[j] == 0 ? 1 : 0) : 1 - _squared[j] / _spread[j];
        }

        return new RegressionReport(checked((int)_count), mae, mse, r2);
    }
}
