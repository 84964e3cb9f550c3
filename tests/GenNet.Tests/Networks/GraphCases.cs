using GenNet.Tests.Networks;

namespace GenNet.Tests;

/// <summary>The graph networks of GraphNetworks.cs with their float64 references; concatenated into <see cref="NetworkCases.All"/>.</summary>
public static class GraphCases
{
    private const Loss Mse = Loss.MeanSquaredError;

    public static readonly NetworkCase[] All =
    [
        new("GraphResidualMlp", () => new GraphResidualMlp(), new ReferenceNetwork(Loss.SparseCategoricalCrossEntropy,
            new ReferenceInput(17),
            new ReferenceLayer(17, Activation.ReLU) { Name = "h" },
            new ReferenceLayer(17, Activation.Linear),
            new ReferenceAdd("h"),
            new ReferenceLayer(3, Activation.Softmax)), Targets.Labels),
        new("GraphResidualConv", () => new GraphResidualConv(), new ReferenceNetwork(Mse,
            new ReferenceInput(6, 5, 3),
            new ReferenceConv2D(4, 3, 3, Activation.Tanh, Padding: Padding.Same) { Name = "stem" },
            new ReferenceConv2D(4, 3, 3, Activation.ReLU, Padding: Padding.Same) { Name = "block.conv1" },
            new ReferenceConv2D(4, 3, 3, Activation.Linear, Padding: Padding.Same) { Name = "block.conv2" },
            new ReferenceAdd("stem") { Activation = Activation.ReLU },
            new ReferenceFlatten(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("GraphTwoInputs", () => new GraphTwoInputs(), new ReferenceNetwork(Mse,
            new ReferenceInput(5, 4, 2) { Name = "image" },
            new ReferenceInput(3) { Name = "features" },
            new ReferenceConv2D(3, 3, 3, Activation.Tanh) { From = "image" },
            new ReferenceFlatten { Name = "flat" },
            new ReferenceLayer(4, Activation.Sigmoid) { From = "features", Name = "side" },
            new ReferenceConcatenate("flat"),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("GraphConcatenateBranches", () => new GraphConcatenateBranches(), new ReferenceNetwork(Loss.CategoricalCrossEntropy,
            new ReferenceInput(6, 6, 2),
            new ReferenceConv2D(3, 3, 3, Activation.ReLU, Padding: Padding.Same) { Name = "trunk" },
            new ReferenceConv2D(2, 3, 3, Activation.Tanh, Padding: Padding.Same) { Name = "left" },
            new ReferenceConv2D(5, 1, 1, Activation.Sigmoid) { From = "trunk" },
            new ReferenceConcatenate("left"),
            new ReferenceMaxPool2D(2),
            new ReferenceFlatten(),
            new ReferenceLayer(4, Activation.Softmax)), Targets.Distributions),
        new("GraphForkThree", () => new GraphForkThree(), new ReferenceNetwork(Mse,
            new ReferenceInput(5),
            new ReferenceLayer(3, Activation.Tanh) { Name = "fork" },
            new ReferenceLayer(3, Activation.Sigmoid) { Name = "a" },
            new ReferenceLayer(3, Activation.Gelu) { From = "fork", Name = "b" },
            new ReferenceLayer(3, Activation.LeakyReLU) { From = "fork", Name = "c" },
            new ReferenceAdd("a", "b", "c"),
            new ReferenceLayer(1, Activation.Linear)), Targets.Regression),
        new("GraphMultiplyGate", () => new GraphMultiplyGate(), new ReferenceNetwork(Loss.BinaryCrossEntropy,
            new ReferenceInput(17) { Name = "x" },
            new ReferenceLayer(3, Activation.Sigmoid) { Name = "gate" },
            new ReferenceLayer(3, Activation.Tanh) { From = "x" },
            new ReferenceMultiply("gate"),
            new ReferenceLayer(1, Activation.Sigmoid)), Targets.Probabilities),
        new("GraphAddInput", () => new GraphAddInput(), new ReferenceNetwork(Mse,
            new ReferenceInput(3) { Name = "x" },
            new ReferenceLayer(3, Activation.Tanh),
            new ReferenceAdd("x"),
            new ReferenceLayer(3, Activation.Linear),
            new ReferenceAdd("x") { Activation = Activation.Tanh }), Targets.Regression),
    ];
}
