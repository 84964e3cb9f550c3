namespace GenNet;

/// <summary>The loss a network is trained with. Every loss is averaged over the batch.</summary>
/// <remarks>The numeric values are part of the generator's contract; append new members at the end.</remarks>
public enum Loss
{
    /// <summary>Follows the last activation: Softmax → <see cref="SparseCategoricalCrossEntropy"/>,
    /// Sigmoid → <see cref="BinaryCrossEntropy"/>, anything else → <see cref="MeanSquaredError"/>.</summary>
    Auto = 0,

    /// <summary>Mean of <c>(output − target)²</c> over every output of every sample.</summary>
    MeanSquaredError = 1,

    /// <summary>Binary cross-entropy on a Sigmoid output, averaged over every output of every sample.</summary>
    BinaryCrossEntropy = 2,

    /// <summary>Cross-entropy between a Softmax output and a target distribution (one-hot or soft) per sample.</summary>
    CategoricalCrossEntropy = 3,

    /// <summary>Cross-entropy between a Softmax output and an integer class label per sample.</summary>
    SparseCategoricalCrossEntropy = 4,
}
