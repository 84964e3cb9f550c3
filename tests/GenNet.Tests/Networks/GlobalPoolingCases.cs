using GenNet.Tests.Networks;

namespace GenNet.Tests;

/// <summary>The networks of GlobalPoolingNetworks.cs with their float64 references; concatenated into <see cref="NetworkCases.All"/>.</summary>
public static class GlobalPoolingCases
{
    private const Loss Mse = Loss.MeanSquaredError;

    public static readonly NetworkCase[] All =
    [
        new("GlobalMaxPoolConv", () => new GlobalMaxPoolConv(), new ReferenceNetwork([3, 5, 2], Mse,
            new ReferenceConv2D(3, 1, 1, Activation.Tanh),
            new ReferenceGlobalMaxPool2D(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("GlobalAveragePoolOneChannel", () => new GlobalAveragePoolOneChannel(), new ReferenceNetwork([3, 5, 1], Loss.SparseCategoricalCrossEntropy,
            new ReferenceConv2D(1, 3, 3, Activation.Tanh, Padding: Padding.Same),
            new ReferenceGlobalAveragePool2D(),
            new ReferenceLayer(3, Activation.Softmax)), Targets.Labels),
        new("GlobalPoolOnePixel", () => new GlobalPoolOnePixel(), new ReferenceNetwork(Loss.BinaryCrossEntropy,
            new ReferenceInput(3, 3, 2),
            new ReferenceConv2D(17, 3, 3, Activation.Tanh) { Name = "features" },
            new ReferenceGlobalMaxPool2D { Name = "global_max_pooling2d" },
            new ReferenceGlobalAveragePool2D { From = "features" },
            new ReferenceConcatenate("global_max_pooling2d"),
            new ReferenceLayer(1, Activation.Sigmoid)), Targets.Probabilities),
        new("GlobalPoolSeven", () => new GlobalPoolSeven(), new ReferenceNetwork(Mse,
            new ReferenceInput(7, 7, 1),
            new ReferenceConv2D(17, 3, 3, Activation.Tanh, Padding: Padding.Same) { Name = "features" },
            new ReferenceGlobalMaxPool2D { Name = "max" },
            new ReferenceGlobalAveragePool2D { From = "features" },
            new ReferenceConcatenate("max"),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("GlobalMaxPoolInput", () => new GlobalMaxPoolInput(), new ReferenceNetwork([3, 5, 3], Mse,
            new ReferenceGlobalMaxPool2D(),
            new ReferenceLayer(2, Activation.Tanh)), Targets.Regression),
        new("GlobalPoolResidual", () => new GlobalPoolResidual(), new ReferenceNetwork([5, 5, 2], Mse,
            new ReferenceConv2D(3, 1, 1, Activation.Linear) { Name = "stem" },
            new ReferenceConv2D(3, 3, 3, Activation.Linear, Padding: Padding.Same) { Name = "block.conv" },
            new ReferenceBatchNormalization { Activation = Activation.ReLU, Name = "block.bn" },
            new ReferenceAdd("stem"),
            new ReferenceGlobalAveragePool2D(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression) { ShiftInvariant = ["block.conv.bias"] },
    ];
}
