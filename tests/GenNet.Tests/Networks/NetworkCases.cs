using System;
using System.Collections.Generic;
using System.Linq;
using GenNet.Tests.Networks;

namespace GenNet.Tests;

/// <summary>What a case trains on.</summary>
public enum Targets
{
    /// <summary>Float targets in [−1, 1].</summary>
    Regression,

    /// <summary>Integer class labels (0 or 1 for one output).</summary>
    Labels,

    /// <summary>Float rows that each sum to one.</summary>
    Distributions,

    /// <summary>Float targets in [0, 1].</summary>
    Probabilities,
}

/// <summary>A generated network paired with the reference that must agree with it.</summary>
public sealed record NetworkCase(string Name, Func<ITrainableNetwork> Create, ReferenceNetwork Reference, Targets Targets)
{
    /// <summary>
    /// Tensors whose gradient is exactly zero: a bias right before a batch normalisation, whose mean subtraction removes
    /// any shift. Float arithmetic leaves noise of order ε·|dy|·√(rows) there instead of zero, so these are checked
    /// against <see cref="NumericChecks.ZeroGradientNoise"/> (and the reference's gradient against zero) rather than
    /// the relative bound.
    /// </summary>
    public string[] ShiftInvariant { get; init; } = [];

    /// <summary>
    /// The absolute term of this case's gradient bound (<see cref="NumericChecks.GradientAbsolute"/> unless set). A case
    /// raises it only where a gradient is a sum that nearly cancels, so that float32's rounding of its terms, not of the
    /// result, sets its error (see LayerNormConv).
    /// </summary>
    public double GradientAbsolute { get; init; } = NumericChecks.GradientAbsolute;

    /// <summary>
    /// The value at each place of a sample's inputs, drawn from the random source given; null: uniform in [−1, 1]. Networks
    /// that read token ids draw whole numbers below their vocabulary there.
    /// </summary>
    public Func<Random, int, float>? Inputs { get; init; }

    public override string ToString() => Name;
}

public static class NetworkCases
{
    public static readonly NetworkCase[] All =
    [
        new("LinearMse1", () => new LinearMse1(), new ReferenceNetwork(1, Loss.MeanSquaredError, new(1, Activation.Linear), new(1, Activation.Linear)), Targets.Regression),
        new("LinearMse3", () => new LinearMse3(), new ReferenceNetwork(3, Loss.MeanSquaredError, new(3, Activation.Linear), new(3, Activation.Linear)), Targets.Regression),
        new("LinearMse17", () => new LinearMse17(), new ReferenceNetwork(17, Loss.MeanSquaredError, new(17, Activation.Linear), new(17, Activation.Linear)), Targets.Regression),
        new("LinearMse129", () => new LinearMse129(), new ReferenceNetwork(129, Loss.MeanSquaredError, new(129, Activation.Linear), new(129, Activation.Linear)), Targets.Regression),
        new("ReLUMse1", () => new ReLUMse1(), new ReferenceNetwork(1, Loss.MeanSquaredError, new(1, Activation.ReLU), new(1, Activation.ReLU)), Targets.Regression),
        new("ReLUMse3", () => new ReLUMse3(), new ReferenceNetwork(3, Loss.MeanSquaredError, new(3, Activation.ReLU), new(3, Activation.ReLU)), Targets.Regression),
        new("ReLUMse17", () => new ReLUMse17(), new ReferenceNetwork(17, Loss.MeanSquaredError, new(17, Activation.ReLU), new(17, Activation.ReLU)), Targets.Regression),
        new("ReLUMse129", () => new ReLUMse129(), new ReferenceNetwork(129, Loss.MeanSquaredError, new(129, Activation.ReLU), new(129, Activation.ReLU)), Targets.Regression),
        new("SigmoidMse1", () => new SigmoidMse1(), new ReferenceNetwork(1, Loss.MeanSquaredError, new(1, Activation.Sigmoid), new(1, Activation.Sigmoid)), Targets.Regression),
        new("SigmoidMse3", () => new SigmoidMse3(), new ReferenceNetwork(3, Loss.MeanSquaredError, new(3, Activation.Sigmoid), new(3, Activation.Sigmoid)), Targets.Regression),
        new("SigmoidMse17", () => new SigmoidMse17(), new ReferenceNetwork(17, Loss.MeanSquaredError, new(17, Activation.Sigmoid), new(17, Activation.Sigmoid)), Targets.Regression),
        new("SigmoidMse129", () => new SigmoidMse129(), new ReferenceNetwork(129, Loss.MeanSquaredError, new(129, Activation.Sigmoid), new(129, Activation.Sigmoid)), Targets.Regression),
        new("TanhMse1", () => new TanhMse1(), new ReferenceNetwork(1, Loss.MeanSquaredError, new(1, Activation.Tanh), new(1, Activation.Tanh)), Targets.Regression),
        new("TanhMse3", () => new TanhMse3(), new ReferenceNetwork(3, Loss.MeanSquaredError, new(3, Activation.Tanh), new(3, Activation.Tanh)), Targets.Regression),
        new("TanhMse17", () => new TanhMse17(), new ReferenceNetwork(17, Loss.MeanSquaredError, new(17, Activation.Tanh), new(17, Activation.Tanh)), Targets.Regression),
        new("TanhMse129", () => new TanhMse129(), new ReferenceNetwork(129, Loss.MeanSquaredError, new(129, Activation.Tanh), new(129, Activation.Tanh)), Targets.Regression),
        new("SoftmaxMse1", () => new SoftmaxMse1(), new ReferenceNetwork(1, Loss.MeanSquaredError, new(1, Activation.Softmax), new(1, Activation.Softmax)), Targets.Regression),
        new("SoftmaxMse3", () => new SoftmaxMse3(), new ReferenceNetwork(3, Loss.MeanSquaredError, new(3, Activation.Softmax), new(3, Activation.Softmax)), Targets.Regression),
        new("SoftmaxMse17", () => new SoftmaxMse17(), new ReferenceNetwork(17, Loss.MeanSquaredError, new(17, Activation.Softmax), new(17, Activation.Softmax)), Targets.Regression),
        new("SoftmaxMse129", () => new SoftmaxMse129(), new ReferenceNetwork(129, Loss.MeanSquaredError, new(129, Activation.Softmax), new(129, Activation.Softmax)), Targets.Regression),
        new("LeakyReLUMse1", () => new LeakyReLUMse1(), new ReferenceNetwork(1, Loss.MeanSquaredError, new(1, Activation.LeakyReLU), new(1, Activation.LeakyReLU)), Targets.Regression),
        new("LeakyReLUMse3", () => new LeakyReLUMse3(), new ReferenceNetwork(3, Loss.MeanSquaredError, new(3, Activation.LeakyReLU), new(3, Activation.LeakyReLU)), Targets.Regression),
        new("LeakyReLUMse17", () => new LeakyReLUMse17(), new ReferenceNetwork(17, Loss.MeanSquaredError, new(17, Activation.LeakyReLU), new(17, Activation.LeakyReLU)), Targets.Regression),
        new("LeakyReLUMse129", () => new LeakyReLUMse129(), new ReferenceNetwork(129, Loss.MeanSquaredError, new(129, Activation.LeakyReLU), new(129, Activation.LeakyReLU)), Targets.Regression),
        new("GeluMse1", () => new GeluMse1(), new ReferenceNetwork(1, Loss.MeanSquaredError, new(1, Activation.Gelu), new(1, Activation.Gelu)), Targets.Regression),
        new("GeluMse3", () => new GeluMse3(), new ReferenceNetwork(3, Loss.MeanSquaredError, new(3, Activation.Gelu), new(3, Activation.Gelu)), Targets.Regression),
        new("GeluMse17", () => new GeluMse17(), new ReferenceNetwork(17, Loss.MeanSquaredError, new(17, Activation.Gelu), new(17, Activation.Gelu)), Targets.Regression),
        new("GeluMse129", () => new GeluMse129(), new ReferenceNetwork(129, Loss.MeanSquaredError, new(129, Activation.Gelu), new(129, Activation.Gelu)), Targets.Regression),
        new("SparseCrossEntropy1", () => new SparseCrossEntropy1(), new ReferenceNetwork(1, Loss.SparseCategoricalCrossEntropy, new(1, Activation.Tanh), new(1, Activation.Softmax)), Targets.Labels),
        new("CrossEntropy1", () => new CrossEntropy1(), new ReferenceNetwork(1, Loss.CategoricalCrossEntropy, new(1, Activation.ReLU), new(1, Activation.Softmax)), Targets.Distributions),
        new("BinaryCrossEntropy1", () => new BinaryCrossEntropy1(), new ReferenceNetwork(1, Loss.BinaryCrossEntropy, new(1, Activation.Gelu), new(1, Activation.Sigmoid)), Targets.Probabilities),
        new("SparseCrossEntropy3", () => new SparseCrossEntropy3(), new ReferenceNetwork(3, Loss.SparseCategoricalCrossEntropy, new(3, Activation.Tanh), new(3, Activation.Softmax)), Targets.Labels),
        new("CrossEntropy3", () => new CrossEntropy3(), new ReferenceNetwork(3, Loss.CategoricalCrossEntropy, new(3, Activation.ReLU), new(3, Activation.Softmax)), Targets.Distributions),
        new("BinaryCrossEntropy3", () => new BinaryCrossEntropy3(), new ReferenceNetwork(3, Loss.BinaryCrossEntropy, new(3, Activation.Gelu), new(3, Activation.Sigmoid)), Targets.Probabilities),
        new("SparseCrossEntropy17", () => new SparseCrossEntropy17(), new ReferenceNetwork(17, Loss.SparseCategoricalCrossEntropy, new(17, Activation.Tanh), new(17, Activation.Softmax)), Targets.Labels),
        new("CrossEntropy17", () => new CrossEntropy17(), new ReferenceNetwork(17, Loss.CategoricalCrossEntropy, new(17, Activation.ReLU), new(17, Activation.Softmax)), Targets.Distributions),
        new("BinaryCrossEntropy17", () => new BinaryCrossEntropy17(), new ReferenceNetwork(17, Loss.BinaryCrossEntropy, new(17, Activation.Gelu), new(17, Activation.Sigmoid)), Targets.Probabilities),
        new("SparseCrossEntropy129", () => new SparseCrossEntropy129(), new ReferenceNetwork(129, Loss.SparseCategoricalCrossEntropy, new(129, Activation.Tanh), new(129, Activation.Softmax)), Targets.Labels),
        new("CrossEntropy129", () => new CrossEntropy129(), new ReferenceNetwork(129, Loss.CategoricalCrossEntropy, new(129, Activation.ReLU), new(129, Activation.Softmax)), Targets.Distributions),
        new("BinaryCrossEntropy129", () => new BinaryCrossEntropy129(), new ReferenceNetwork(129, Loss.BinaryCrossEntropy, new(129, Activation.Gelu), new(129, Activation.Sigmoid)), Targets.Probabilities),
        new("MnistMlp", () => new MnistMlp(), new ReferenceNetwork(784, Loss.SparseCategoricalCrossEntropy, new(128, Activation.ReLU), new(10, Activation.Softmax)), Targets.Labels),
        new("Mixed", () => new Mixed(), new ReferenceNetwork(15, Loss.MeanSquaredError, new(7, Activation.LeakyReLU, 0.2), new(4, Activation.Gelu), new(2, Activation.Linear)), Targets.Regression),
        new("BinaryLabels", () => new BinaryLabels(), new ReferenceNetwork(5, Loss.BinaryCrossEntropy, new(3, Activation.Tanh), new(1, Activation.Sigmoid)), Targets.Labels),
        new("OneHotMse", () => new OneHotMse(), new ReferenceNetwork(4, Loss.MeanSquaredError, new(6, Activation.Sigmoid), new(3, Activation.Linear)), Targets.Labels),
        .. ConvCases.All,
        .. GraphCases.All,
        .. NormalizationCases.All,
        .. GlobalPoolingCases.All,
        .. RegularizedCases.All,
        .. SequenceCases.All,
        .. LayerNormalizationCases.All,
        .. DepthwiseCases.All,
        .. RecurrentCases.All,
        .. MaskedCases.All,
        .. AdaptedNormalizationCases.All,
    ];

    public static NetworkCase Get(string name) => All.Single(c => c.Name == name);

    /// <summary>Every case at batch sizes 1 and 7, for xunit theories.</summary>
    public static IEnumerable<object[]> WithBatchSizes() =>
        All.SelectMany(c => new[] { new object[] { c.Name, 1 }, new object[] { c.Name, 7 } });

    public static IEnumerable<object[]> Names() => All.Select(c => new object[] { c.Name });
}
