using GenNet.Tests.Networks;

namespace GenNet.Tests;

/// <summary>The networks of SequenceNetworks.cs with their float64 references; concatenated into <see cref="NetworkCases.All"/>.</summary>
public static class SequenceCases
{
    private const Loss Mse = Loss.MeanSquaredError;

    public static readonly NetworkCase[] All =
    [
        new("SequenceStridedSame", () => new SequenceStridedSame(), new ReferenceNetwork([29, 3], Mse,
            new ReferenceConv1D(4, 5, Activation.Tanh, Stride: 2, Padding: Padding.Same),
            new ReferenceMaxPool1D(2),
            new ReferenceFlatten(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("SequenceOneChannel", () => new SequenceOneChannel(), new ReferenceNetwork([7, 1], Loss.SparseCategoricalCrossEntropy,
            new ReferenceConv1D(3, 3, Activation.Gelu),
            new ReferenceAveragePool1D(2, Stride: 1),
            new ReferenceConv1D(2, 1, Activation.Linear),
            new ReferenceFlatten(),
            new ReferenceLayer(3, Activation.Softmax)), Targets.Labels),
        new("SequenceSeventeen", () => new SequenceSeventeen(), new ReferenceNetwork([7, 17], Loss.BinaryCrossEntropy,
            new ReferenceConv1D(17, 3, Activation.Tanh, Padding: Padding.Same),
            new ReferenceMaxPool1D(3, Stride: 2, Padding: Padding.Same),
            new ReferenceAveragePool1D(3, Padding: Padding.Same),
            new ReferenceGlobalMaxPool1D(),
            new ReferenceLayer(1, Activation.Sigmoid)), Targets.Probabilities),
        new("SequenceOneStep", () => new SequenceOneStep(), new ReferenceNetwork([1, 3], Mse,
            new ReferenceConv1D(5, 3, Activation.LeakyReLU, Padding: Padding.Same, NegativeSlope: 0.2),
            new ReferenceMaxPool1D(2, Padding: Padding.Same),
            new ReferenceGlobalAveragePool1D(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("SequencePooledInput", () => new SequencePooledInput(), new ReferenceNetwork([29, 1], Mse,
            new ReferenceMaxPool1D(2, Stride: 1),
            new ReferenceConv1D(1, 5, Activation.Tanh, Stride: 2, Padding: Padding.Same),
            new ReferenceAveragePool1D(2),
            new ReferenceConv1D(3, 7, Activation.Tanh),
            new ReferenceFlatten(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("SequenceBranches", () => new SequenceBranches(), new ReferenceNetwork(Mse,
            new ReferenceInput(7, 3) { Name = "signal" },
            new ReferenceConv1D(2, 3, Activation.Tanh, Padding: Padding.Same) { Name = "wide" },
            new ReferenceConv1D(2, 1, Activation.Tanh) { From = "signal" },
            new ReferenceConcatenate("wide"),
            new ReferenceGlobalAveragePool1D(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
    ];
}
