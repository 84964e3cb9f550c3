using System;
using System.Numerics.Tensors;

namespace GenNet;

/// <summary>
/// Evaluation metrics over outputs and their labels or targets: <see cref="Classification"/>, <see cref="Binary"/> and
/// <see cref="Regression"/> (scikit-learn's definitions), and the accuracy counting that <c>Fit</c> and <c>Evaluate</c> use.
/// </summary>
public static partial class Metrics
{
    /// <summary>Correct predictions for labels: the arg-max output (one output: p ≥ 0.5) equals the label. Counts samples.</summary>
    internal static int Correct(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int width)
    {
        int correct = 0;
        for (int b = 0; b < labels.Length; b++)
        {
            if (PredictedClass(outputs.Slice(b * width, width)) == labels[b])
            {
                correct++;
            }
        }

        return correct;
    }

    /// <summary>
    /// Correct predictions for targets, or −1 where accuracy does not apply (mean squared error): cross-entropies
    /// compare arg-maxes per sample; binary cross-entropy compares each output with 0.5 (Keras's binary accuracy).
    /// </summary>
    internal static int Correct(Loss loss, ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int width)
    {
        int correct = 0;
        switch (loss)
        {
            case GenNet.Loss.SparseCategoricalCrossEntropy or GenNet.Loss.CategoricalCrossEntropy:
                for (int start = 0; start < outputs.Length; start += width)
                {
                    if (TensorPrimitives.IndexOfMax(outputs.Slice(start, width)) == TensorPrimitives.IndexOfMax(targets.Slice(start, width)))
                    {
                        correct++;
                    }
                }

                return correct;
            case GenNet.Loss.BinaryCrossEntropy:
                for (int i = 0; i < outputs.Length; i++)
                {
                    if (outputs[i] >= 0.5f == targets[i] >= 0.5f)
                    {
                        correct++;
                    }
                }

                return correct;
            default:
                return -1;
        }
    }

    /// <summary>How many units <see cref="Correct(GenNet.Loss, ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/> counts per sample.</summary>
    internal static int AccuracyUnitsPerSample(Loss loss, int width, bool labels) =>
        !labels && loss == GenNet.Loss.BinaryCrossEntropy ? width : 1;

    /// <summary>Arg-max, or for a single output whether it is at least 0.5.</summary>
    internal static int PredictedClass(ReadOnlySpan<float> output) =>
        output.Length == 1 ? (output[0] >= 0.5f ? 1 : 0) : TensorPrimitives.IndexOfMax(output);
}
