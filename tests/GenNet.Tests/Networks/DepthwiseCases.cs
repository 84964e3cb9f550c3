using GenNet.Tests.Networks;

namespace GenNet.Tests;

/// <summary>The networks of DepthwiseNetworks.cs with their float64 references; concatenated into <see cref="NetworkCases.All"/>.</summary>
public static class DepthwiseCases
{
    private const Loss Mse = Loss.MeanSquaredError;

    public static readonly NetworkCase[] All =
    [
        new("DepthwiseValid", () => new DepthwiseValid(), new ReferenceNetwork([5, 5, 3], Mse,
            new ReferenceDepthwiseConv2D(3, 3, Activation.Tanh),
            new ReferenceFlatten(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("DepthwiseSameStrideTwo", () => new DepthwiseSameStrideTwo(), new ReferenceNetwork([6, 5, 2], Mse,
            new ReferenceConv2D(3, 1, 1, Activation.Linear),
            new ReferenceDepthwiseConv2D(3, 3, Activation.Tanh, Multiplier: 2, Stride: 2, Padding: Padding.Same),
            new ReferenceGlobalAveragePool2D(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("DepthwiseSeventeen", () => new DepthwiseSeventeen(), new ReferenceNetwork([5, 4, 2], Mse,
            new ReferenceConv2D(17, 1, 1, Activation.Tanh),
            new ReferenceDepthwiseConv2D(3, 2, Activation.Gelu, Multiplier: 2, Stride: 2),
            new ReferenceFlatten(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("DepthwiseOneChannel", () => new DepthwiseOneChannel(), new ReferenceNetwork([3, 4, 1], Loss.SparseCategoricalCrossEntropy,
            new ReferenceDepthwiseConv2D(1, 3, Activation.LeakyReLU, Multiplier: 2, Padding: Padding.Same, NegativeSlope: 0.2) { Name = "spatial" },
            new ReferenceFlatten(),
            new ReferenceLayer(3, Activation.Softmax)), Targets.Labels),
        new("SeparableValid", () => new SeparableValid(), new ReferenceNetwork([5, 5, 2], Mse,
            new ReferenceConv2D(3, 1, 1, Activation.Tanh),
            new ReferenceSeparableConv2D(4, 3, 3, Activation.Tanh),
            new ReferenceFlatten(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("SeparableSameStrideTwo", () => new SeparableSameStrideTwo(), new ReferenceNetwork([6, 7, 1], Mse,
            new ReferenceSeparableConv2D(3, 3, 2, Activation.Gelu, Multiplier: 2, Stride: 2, Padding: Padding.Same),
            new ReferenceGlobalAveragePool2D(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("SeparableSeventeen", () => new SeparableSeventeen(), new ReferenceNetwork([3, 4, 2], Loss.BinaryCrossEntropy,
            new ReferenceConv2D(17, 1, 1, Activation.Tanh),
            new ReferenceSeparableConv2D(17, 3, 3, Activation.LeakyReLU, Padding: Padding.Same) { Name = "block" },
            new ReferenceFlatten(),
            new ReferenceLayer(1, Activation.Sigmoid)), Targets.Probabilities),
    ];
}
