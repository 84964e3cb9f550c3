using GenNet.Tests.Networks;

namespace GenNet.Tests;

/// <summary>The networks of AdaptedNormalizationNetworks.cs with their float64 references; concatenated into <see cref="NetworkCases.All"/>.</summary>
public static class AdaptedNormalizationCases
{
    private const Loss Mse = Loss.MeanSquaredError;

    public static readonly NetworkCase[] All =
    [
        new("AdaptedInput1", () => new AdaptedInput1(), new ReferenceNetwork([1], Mse,
            new ReferenceNormalization(),
            new ReferenceLayer(3, Activation.Tanh),
            new ReferenceLayer(1, Activation.Linear)), Targets.Regression),
        new("AdaptedInput3", () => new AdaptedInput3(), new ReferenceNetwork([3], Loss.BinaryCrossEntropy,
            new ReferenceNormalization(),
            new ReferenceLayer(3, Activation.ReLU),
            new ReferenceLayer(1, Activation.Sigmoid)), Targets.Labels),
        new("AdaptedInput17", () => new AdaptedInput17(), new ReferenceNetwork([17], Loss.SparseCategoricalCrossEntropy,
            new ReferenceNormalization(),
            new ReferenceLayer(5, Activation.Gelu),
            new ReferenceLayer(3, Activation.Softmax)), Targets.Labels),
        new("AdaptedMiddle17", () => new AdaptedMiddle17(), new ReferenceNetwork([5], Mse,
            new ReferenceLayer(17, Activation.Tanh),
            new ReferenceNormalization(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("AdaptedEnds", () => new AdaptedEnds(), new ReferenceNetwork([4], Mse,
            new ReferenceLayer(3, Activation.Sigmoid),
            new ReferenceNormalization { Name = "scaler" },
            new ReferenceLayer(3, Activation.Linear),
            new ReferenceNormalization()), Targets.Regression),
        new("AdaptedImage", () => new AdaptedImage(), new ReferenceNetwork([4, 3, 2], Mse,
            new ReferenceNormalization(),
            new ReferenceConv2D(3, 3, 3, Activation.Tanh, Padding: Padding.Same),
            new ReferenceNormalization(),
            new ReferenceGlobalAveragePool2D(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("AdaptedTwoInputs", () => new AdaptedTwoInputs(), new ReferenceNetwork(Mse,
            new ReferenceInput(2, 2, 3) { Name = "image" },
            new ReferenceInput(3) { Name = "features" },
            new ReferenceFlatten { From = "image", Name = "flat" },
            new ReferenceNormalization { From = "features" },
            new ReferenceLayer(4, Activation.Tanh) { Name = "side" },
            new ReferenceConcatenate("flat"),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
    ];
}
