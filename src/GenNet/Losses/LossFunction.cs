using System;
using System.ComponentModel;

namespace GenNet.Losses;

/// <summary>
/// Which loss function computes a network's declared <see cref="Loss"/> for labels or for targets — the one place that
/// decides it, used by generated <c>ComputeGradients</c> and by <c>Evaluate</c>, so the two always agree.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LossFunction
{
    /// <summary>Mean loss against integer labels; writes its gradient into <paramref name="gradient"/> unless it is empty.</summary>
    public static float Compute(Loss loss, ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, Span<float> gradient, int width) => loss switch
    {
        Loss.SparseCategoricalCrossEntropy or Loss.CategoricalCrossEntropy => SparseCategoricalCrossEntropy.Compute(outputs, labels, gradient, width),
        Loss.BinaryCrossEntropy => BinaryCrossEntropy.Compute(outputs, labels, gradient, width),
        _ => MeanSquaredError.Compute(outputs, labels, gradient, width),
    };

    /// <summary>Mean loss against float targets; writes its gradient into <paramref name="gradient"/> unless it is empty.</summary>
    public static float Compute(Loss loss, ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> gradient, int width) => loss switch
    {
        Loss.SparseCategoricalCrossEntropy or Loss.CategoricalCrossEntropy => CategoricalCrossEntropy.Compute(outputs, targets, gradient, width),
        Loss.BinaryCrossEntropy => BinaryCrossEntropy.Compute(outputs, targets, gradient),
        _ => MeanSquaredError.Compute(outputs, targets, gradient),
    };

    /// <summary>How many label values a network takes: 0 and 1 for a single output trained by BCE or MSE, else one per output.</summary>
    public static int LabelClasses(Loss loss, int outputs) =>
        outputs == 1 && loss is Loss.BinaryCrossEntropy or Loss.MeanSquaredError ? 2 : outputs;
}
