using GenNet.Tests.Networks;

namespace GenNet.Tests;

/// <summary>The networks of NormalizationNetworks.cs with their float64 references; concatenated into <see cref="NetworkCases.All"/>.</summary>
public static class NormalizationCases
{
    private const Loss Mse = Loss.MeanSquaredError;

    public static readonly NetworkCase[] All =
    [
        new("BatchNormMlp", () => new BatchNormMlp(), new ReferenceNetwork([17], Loss.SparseCategoricalCrossEntropy,
            new ReferenceLayer(17, Activation.Linear),
            new ReferenceBatchNormalization { Activation = Activation.Gelu },
            new ReferenceLayer(3, Activation.Softmax)), Targets.Labels) { ShiftInvariant = ["dense_0.bias"] },
        new("BatchNormConv", () => new BatchNormConv(), new ReferenceNetwork([5, 4, 3], Mse,
            new ReferenceConv2D(3, 3, 3, Activation.Linear, Padding: Padding.Same),
            new ReferenceBatchNormalization(Momentum: 0.3, Epsilon: 1e-3) { Activation = Activation.Tanh },
            new ReferenceFlatten(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression) { ShiftInvariant = ["conv_0.bias"] },
        new("BatchNormEnds", () => new BatchNormEnds(), new ReferenceNetwork([3], Loss.BinaryCrossEntropy,
            new ReferenceBatchNormalization(),
            new ReferenceLayer(4, Activation.Tanh),
            new ReferenceBatchNormalization { Activation = Activation.Sigmoid }), Targets.Probabilities),
        new("BatchNormResidual", () => new BatchNormResidual(), new ReferenceNetwork([4, 4, 2], Mse,
            new ReferenceConv2D(3, 1, 1, Activation.Linear) { Name = "stem" },
            new ReferenceConv2D(3, 3, 3, Activation.Linear, Padding: Padding.Same) { Name = "block.conv1" },
            new ReferenceBatchNormalization { Activation = Activation.ReLU, Name = "block.bn1" },
            new ReferenceConv2D(3, 3, 3, Activation.Linear, Padding: Padding.Same) { Name = "block.conv2" },
            new ReferenceBatchNormalization { Name = "block.bn2" },
            new ReferenceAdd("stem") { Activation = Activation.ReLU },
            new ReferenceFlatten(),
            new ReferenceLayer(1, Activation.Linear)), Targets.Regression) { ShiftInvariant = ["block.conv1.bias", "block.conv2.bias"] },
    ];
}
