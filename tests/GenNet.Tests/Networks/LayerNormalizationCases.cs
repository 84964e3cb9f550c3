using GenNet.Tests.Networks;

namespace GenNet.Tests;

/// <summary>The networks of LayerNormalizationNetworks.cs with their float64 references; concatenated into <see cref="NetworkCases.All"/>.</summary>
public static class LayerNormalizationCases
{
    private const Loss Mse = Loss.MeanSquaredError;

    public static readonly NetworkCase[] All =
    [
        new("LayerNormOne", () => new LayerNormOne(), new ReferenceNetwork([3], Mse,
            new ReferenceLayer(1, Activation.Tanh),
            new ReferenceLayerNormalization(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("LayerNormEnds", () => new LayerNormEnds(), new ReferenceNetwork([3], Loss.BinaryCrossEntropy,
            new ReferenceLayerNormalization { Activation = Activation.ReLU },
            new ReferenceLayer(3, Activation.Tanh),
            new ReferenceLayerNormalization(Epsilon: 1e-3) { Activation = Activation.Sigmoid }), Targets.Probabilities),
        new("LayerNormMlp", () => new LayerNormMlp(), new ReferenceNetwork([5], Loss.SparseCategoricalCrossEntropy,
            new ReferenceLayer(17, Activation.Linear),
            new ReferenceLayerNormalization { Activation = Activation.Gelu },
            new ReferenceLayer(3, Activation.Softmax)), Targets.Labels),
        new("LayerNormWide", () => new LayerNormWide(), new ReferenceNetwork([6], Mse,
            new ReferenceLayer(129, Activation.Linear),
            new ReferenceLayerNormalization { Activation = Activation.LeakyReLU, NegativeSlope = 0.2 },
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("LayerNormConv", () => new LayerNormConv(), new ReferenceNetwork([4, 5, 3], Mse,
            new ReferenceConv2D(17, 3, 3, Activation.Linear, Padding: Padding.Same),
            new ReferenceLayerNormalization { Activation = Activation.Tanh },
            new ReferenceFlatten(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression)
        {
            // conv_0.weight[119]'s gradient, 8.5e-5 at batch 1, sums 20 positions' terms: its float32 error (about 1.3e-7,
            // which moves by ±50% with any change in the order of operations) is that of the terms it sums, not its own.
            GradientAbsolute = 3e-7,
        },
        new("LayerNormPreNorm", () => new LayerNormPreNorm(), new ReferenceNetwork(Loss.SparseCategoricalCrossEntropy,
            new ReferenceInput(17),
            new ReferenceLayer(17, Activation.Linear) { Name = "h" },
            new ReferenceLayerNormalization(),
            new ReferenceLayer(17, Activation.Gelu),
            new ReferenceAdd("h"),
            new ReferenceLayerNormalization { Name = "final" },
            new ReferenceLayer(3, Activation.Softmax)), Targets.Labels),
        new("LayerNormResidual", () => new LayerNormResidual(), new ReferenceNetwork([3, 3, 2], Mse,
            new ReferenceConv2D(3, 1, 1, Activation.Linear) { Name = "stem" },
            new ReferenceConv2D(3, 3, 3, Activation.Linear, Padding: Padding.Same) { Name = "block.conv" },
            new ReferenceLayerNormalization { Activation = Activation.ReLU, Name = "block.ln" },
            new ReferenceAdd("stem"),
            new ReferenceLayerNormalization(),
            new ReferenceGlobalAveragePool2D(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
    ];
}
