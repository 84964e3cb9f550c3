using System;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace GenNet.Losses;

// Each function returns the batch's mean loss and, when the gradient span is not empty, writes the gradient
// of that mean. Cross-entropies read probabilities (the Softmax or Sigmoid output) and write the fused
// gradient with respect to the logits, p − y, which never divides by a small probability. Logs are
// clamped at Epsilon, as Keras clips probabilities, so a confident mistake costs −log(1e-7) ≈ 16.1, not ∞.

/// <summary>Mean squared error, averaged over every output of every sample (Keras's and PyTorch's "mean").</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MeanSquaredError
{
    /// <summary>Loss against float targets; <paramref name="outputGradient"/> receives <c>2 (y − t) / N</c>.</summary>
    public static float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> outputGradient)
    {
        LossChecks.SameLength(outputs, targets.Length, outputGradient);
        double sum = 0;
        float scale = 2f / outputs.Length;
        for (int i = 0; i < outputs.Length; i++)
        {
            float difference = outputs[i] - targets[i];
            sum += (double)difference * difference;
            if (!outputGradient.IsEmpty)
            {
                outputGradient[i] = scale * difference;
            }
        }

        return (float)(sum / outputs.Length);
    }

    /// <summary>Loss against integer labels taken as one-hot targets (for one output: the label itself, 0 or 1).</summary>
    public static float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, Span<float> outputGradient, int width)
    {
        LossChecks.SameLength(outputs, labels.Length * width, outputGradient);
        double sum = 0;
        float scale = 2f / outputs.Length;
        for (int i = 0; i < outputs.Length; i++)
        {
            float difference = outputs[i] - LossChecks.OneHot(labels, i, width);
            sum += (double)difference * difference;
            if (!outputGradient.IsEmpty)
            {
                outputGradient[i] = scale * difference;
            }
        }

        return (float)(sum / outputs.Length);
    }
}

/// <summary>Binary cross-entropy on Sigmoid outputs, averaged over every output of every sample.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BinaryCrossEntropy
{
    /// <summary>Loss against targets in [0, 1]; <paramref name="logitGradient"/> receives <c>(p − t) / N</c>.</summary>
    public static float Compute(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets, Span<float> logitGradient)
    {
        LossChecks.SameLength(probabilities, targets.Length, logitGradient);
        double sum = 0;
        float scale = 1f / probabilities.Length;
        for (int i = 0; i < probabilities.Length; i++)
        {
            sum += Term(probabilities[i], targets[i]);
            if (!logitGradient.IsEmpty)
            {
                logitGradient[i] = scale * (probabilities[i] - targets[i]);
            }
        }

        return (float)(sum / probabilities.Length);
    }

    /// <summary>Loss against integer labels: for one output the label (0 or 1), otherwise one-hot.</summary>
    public static float Compute(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, Span<float> logitGradient, int width)
    {
        LossChecks.SameLength(probabilities, labels.Length * width, logitGradient);
        double sum = 0;
        float scale = 1f / probabilities.Length;
        for (int i = 0; i < probabilities.Length; i++)
        {
            float target = LossChecks.OneHot(labels, i, width);
            sum += Term(probabilities[i], target);
            if (!logitGradient.IsEmpty)
            {
                logitGradient[i] = scale * (probabilities[i] - target);
            }
        }

        return (float)(sum / probabilities.Length);
    }

    private static double Term(float p, float t) =>
        -(t * Math.Log(Math.Max(p, LossChecks.Epsilon)) + (1 - t) * Math.Log(Math.Max(1 - p, LossChecks.Epsilon)));
}

/// <summary>Cross-entropy between Softmax outputs and target distributions, averaged over samples.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CategoricalCrossEntropy
{
    /// <summary>
    /// Loss <c>−Σ t log p</c> per sample; <paramref name="logitGradient"/> receives <c>(p Σt − t) / batch</c>,
    /// which is <c>(p − t) / batch</c> for targets that sum to one.
    /// </summary>
    public static float Compute(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets, Span<float> logitGradient, int classes)
    {
        LossChecks.SameLength(probabilities, targets.Length, logitGradient);
        int batchSize = probabilities.Length / classes;
        float scale = 1f / batchSize;
        double sum = 0;
        for (int start = 0; start < probabilities.Length; start += classes)
        {
            ReadOnlySpan<float> p = probabilities.Slice(start, classes);
            ReadOnlySpan<float> t = targets.Slice(start, classes);
            for (int k = 0; k < classes; k++)
            {
                if (t[k] != 0f)
                {
                    sum -= t[k] * Math.Log(Math.Max(p[k], LossChecks.Epsilon));
                }
            }

            if (!logitGradient.IsEmpty)
            {
                Span<float> g = logitGradient.Slice(start, classes);
                TensorPrimitives.Multiply(p, TensorPrimitives.Sum(t), g);
                TensorPrimitives.Subtract(g, t, g);
                TensorPrimitives.Multiply(g, scale, g);
            }
        }

        return (float)(sum / batchSize);
    }
}

/// <summary>Cross-entropy between Softmax outputs and integer class labels, averaged over samples.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SparseCategoricalCrossEntropy
{
    /// <summary>Loss <c>−log p[label]</c> per sample; <paramref name="logitGradient"/> receives <c>(p − onehot(label)) / batch</c>.</summary>
    public static float Compute(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, Span<float> logitGradient, int classes)
    {
        LossChecks.SameLength(probabilities, labels.Length * classes, logitGradient);
        float scale = 1f / labels.Length;
        double sum = 0;
        for (int b = 0; b < labels.Length; b++)
        {
            int start = b * classes;
            int label = labels[b];
            sum -= Math.Log(Math.Max(probabilities[start + label], LossChecks.Epsilon));
            if (!logitGradient.IsEmpty)
            {
                Span<float> g = logitGradient.Slice(start, classes);
                TensorPrimitives.Multiply(probabilities.Slice(start, classes), scale, g);
                g[label] -= scale;
            }
        }

        return (float)(sum / labels.Length);
    }
}

internal static class LossChecks
{
    /// <summary>The smallest probability a log sees (Keras's epsilon).</summary>
    public const float Epsilon = 1e-7f;

    public static void SameLength(ReadOnlySpan<float> outputs, int targetLength, Span<float> gradient)
    {
        if (outputs.Length != targetLength || (!gradient.IsEmpty && gradient.Length != outputs.Length) || outputs.IsEmpty)
        {
            throw new ArgumentException(
                $"Loss spans disagree: {outputs.Length} outputs, {targetLength} target values, {gradient.Length} gradient values.");
        }
    }

    /// <summary>Element <paramref name="index"/> of the one-hot rows for <paramref name="labels"/> (for width 1, the label itself).</summary>
    public static float OneHot(ReadOnlySpan<int> labels, int index, int width) =>
        width == 1 ? labels[index] : (labels[index / width] == index % width ? 1f : 0f);
}
