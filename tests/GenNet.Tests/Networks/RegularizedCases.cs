using GenNet.Tests.Networks;

namespace GenNet.Tests;

/// <summary>The penalised networks of RegularizedNetworks.cs with their float64 references; concatenated into <see cref="NetworkCases.All"/>.</summary>
public static class RegularizedCases
{
    private const Loss Mse = Loss.MeanSquaredError;

    public static readonly NetworkCase[] All =
    [
        Dense("PenalizedDense1", () => new PenalizedDense1(), 1),
        Dense("PenalizedDense3", () => new PenalizedDense3(), 3),
        Dense("PenalizedDense17", () => new PenalizedDense17(), 17),
        new("PenalizedConv", () => new PenalizedConv(), new ReferenceNetwork([5, 6, 2], Loss.SparseCategoricalCrossEntropy,
            new ReferenceConv2D(3, 3, 3, Activation.ReLU) { KernelL2 = 0.03f, BiasL2 = 0.01f },
            new ReferenceFlatten(),
            new ReferenceLayer(3, Activation.Softmax) { KernelL2 = 0.01f }), Targets.Labels),
        new("PenalizedDepthwise", () => new PenalizedDepthwise(), new ReferenceNetwork([5, 6, 3], Loss.SparseCategoricalCrossEntropy,
            new ReferenceDepthwiseConv2D(3, 3, Activation.Tanh, Multiplier: 2) { KernelL2 = 0.04f, BiasL2 = 0.02f },
            new ReferenceFlatten(),
            new ReferenceLayer(3, Activation.Softmax) { KernelL2 = 0.01f }), Targets.Labels),
    ];

    private static NetworkCase Dense(string name, System.Func<ITrainableNetwork> create, int size) =>
        new(name, create, new ReferenceNetwork(size, Mse,
            new ReferenceLayer(size, Activation.Tanh) { KernelL2 = 0.05f },
            new ReferenceLayer(size, Activation.Linear) { KernelL2 = 0.02f, BiasL2 = 0.1f }), Targets.Regression);
}
