// Networks for the gradient and forward checks: every activation at sizes 1, 3, 17 and 129 (trained with
// mean squared error, so the activation's own backward runs at the output and in the hidden layer), every
// cross-entropy with its output activation, the seed's MNIST MLP, and a mixed network with Flatten.
using GenNet;

namespace GenNet.Tests.Networks;

[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Dense(1, Activation.Linear)]
[Dense(1, Activation.Linear)]
public partial class LinearMse1;

[Network(Loss = Loss.MeanSquaredError)]
[Input(3)]
[Dense(3, Activation.Linear)]
[Dense(3, Activation.Linear)]
public partial class LinearMse3;

[Network(Loss = Loss.MeanSquaredError)]
[Input(17)]
[Dense(17, Activation.Linear)]
[Dense(17, Activation.Linear)]
public partial class LinearMse17;

[Network(Loss = Loss.MeanSquaredError)]
[Input(129)]
[Dense(129, Activation.Linear)]
[Dense(129, Activation.Linear)]
public partial class LinearMse129;

[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Dense(1, Activation.ReLU)]
[Dense(1, Activation.ReLU)]
public partial class ReLUMse1;

[Network(Loss = Loss.MeanSquaredError)]
[Input(3)]
[Dense(3, Activation.ReLU)]
[Dense(3, Activation.ReLU)]
public partial class ReLUMse3;

[Network(Loss = Loss.MeanSquaredError)]
[Input(17)]
[Dense(17, Activation.ReLU)]
[Dense(17, Activation.ReLU)]
public partial class ReLUMse17;

[Network(Loss = Loss.MeanSquaredError)]
[Input(129)]
[Dense(129, Activation.ReLU)]
[Dense(129, Activation.ReLU)]
public partial class ReLUMse129;

[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Dense(1, Activation.Sigmoid)]
[Dense(1, Activation.Sigmoid)]
public partial class SigmoidMse1;

[Network(Loss = Loss.MeanSquaredError)]
[Input(3)]
[Dense(3, Activation.Sigmoid)]
[Dense(3, Activation.Sigmoid)]
public partial class SigmoidMse3;

[Network(Loss = Loss.MeanSquaredError)]
[Input(17)]
[Dense(17, Activation.Sigmoid)]
[Dense(17, Activation.Sigmoid)]
public partial class SigmoidMse17;

[Network(Loss = Loss.MeanSquaredError)]
[Input(129)]
[Dense(129, Activation.Sigmoid)]
[Dense(129, Activation.Sigmoid)]
public partial class SigmoidMse129;

[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Dense(1, Activation.Tanh)]
[Dense(1, Activation.Tanh)]
public partial class TanhMse1;

[Network(Loss = Loss.MeanSquaredError)]
[Input(3)]
[Dense(3, Activation.Tanh)]
[Dense(3, Activation.Tanh)]
public partial class TanhMse3;

[Network(Loss = Loss.MeanSquaredError)]
[Input(17)]
[Dense(17, Activation.Tanh)]
[Dense(17, Activation.Tanh)]
public partial class TanhMse17;

[Network(Loss = Loss.MeanSquaredError)]
[Input(129)]
[Dense(129, Activation.Tanh)]
[Dense(129, Activation.Tanh)]
public partial class TanhMse129;

// Softmax in the hidden layer (GN0011), of one output (GN0012) and under MSE (GN0013) warn a user; here they are the point:
// softmax's own backward has to be checked at every size, inside the network and at its output.
#pragma warning disable GN0011, GN0012, GN0013
[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Dense(1, Activation.Softmax)]
[Dense(1, Activation.Softmax)]
public partial class SoftmaxMse1;

[Network(Loss = Loss.MeanSquaredError)]
[Input(3)]
[Dense(3, Activation.Softmax)]
[Dense(3, Activation.Softmax)]
public partial class SoftmaxMse3;

[Network(Loss = Loss.MeanSquaredError)]
[Input(17)]
[Dense(17, Activation.Softmax)]
[Dense(17, Activation.Softmax)]
public partial class SoftmaxMse17;

[Network(Loss = Loss.MeanSquaredError)]
[Input(129)]
[Dense(129, Activation.Softmax)]
[Dense(129, Activation.Softmax)]
public partial class SoftmaxMse129;
#pragma warning restore GN0011, GN0012, GN0013

[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Dense(1, Activation.LeakyReLU)]
[Dense(1, Activation.LeakyReLU)]
public partial class LeakyReLUMse1;

[Network(Loss = Loss.MeanSquaredError)]
[Input(3)]
[Dense(3, Activation.LeakyReLU)]
[Dense(3, Activation.LeakyReLU)]
public partial class LeakyReLUMse3;

[Network(Loss = Loss.MeanSquaredError)]
[Input(17)]
[Dense(17, Activation.LeakyReLU)]
[Dense(17, Activation.LeakyReLU)]
public partial class LeakyReLUMse17;

[Network(Loss = Loss.MeanSquaredError)]
[Input(129)]
[Dense(129, Activation.LeakyReLU)]
[Dense(129, Activation.LeakyReLU)]
public partial class LeakyReLUMse129;

[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Dense(1, Activation.Gelu)]
[Dense(1, Activation.Gelu)]
public partial class GeluMse1;

[Network(Loss = Loss.MeanSquaredError)]
[Input(3)]
[Dense(3, Activation.Gelu)]
[Dense(3, Activation.Gelu)]
public partial class GeluMse3;

[Network(Loss = Loss.MeanSquaredError)]
[Input(17)]
[Dense(17, Activation.Gelu)]
[Dense(17, Activation.Gelu)]
public partial class GeluMse17;

[Network(Loss = Loss.MeanSquaredError)]
[Input(129)]
[Dense(129, Activation.Gelu)]
[Dense(129, Activation.Gelu)]
public partial class GeluMse129;

// One class (GN0012): the fused cross-entropy backward must still give zero gradients.
#pragma warning disable GN0012
[Network]
[Input(1)]
[Dense(1, Activation.Tanh)]
[Dense(1, Activation.Softmax)]
public partial class SparseCrossEntropy1;

[Network(Loss = Loss.CategoricalCrossEntropy)]
[Input(1)]
[Dense(1, Activation.ReLU)]
[Dense(1, Activation.Softmax)]
public partial class CrossEntropy1;
#pragma warning restore GN0012

[Network]
[Input(1)]
[Dense(1, Activation.Gelu)]
[Dense(1, Activation.Sigmoid)]
public partial class BinaryCrossEntropy1;

[Network]
[Input(3)]
[Dense(3, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class SparseCrossEntropy3;

[Network(Loss = Loss.CategoricalCrossEntropy)]
[Input(3)]
[Dense(3, Activation.ReLU)]
[Dense(3, Activation.Softmax)]
public partial class CrossEntropy3;

[Network]
[Input(3)]
[Dense(3, Activation.Gelu)]
[Dense(3, Activation.Sigmoid)]
public partial class BinaryCrossEntropy3;

[Network]
[Input(17)]
[Dense(17, Activation.Tanh)]
[Dense(17, Activation.Softmax)]
public partial class SparseCrossEntropy17;

[Network(Loss = Loss.CategoricalCrossEntropy)]
[Input(17)]
[Dense(17, Activation.ReLU)]
[Dense(17, Activation.Softmax)]
public partial class CrossEntropy17;

[Network]
[Input(17)]
[Dense(17, Activation.Gelu)]
[Dense(17, Activation.Sigmoid)]
public partial class BinaryCrossEntropy17;

[Network]
[Input(129)]
[Dense(129, Activation.Tanh)]
[Dense(129, Activation.Softmax)]
public partial class SparseCrossEntropy129;

[Network(Loss = Loss.CategoricalCrossEntropy)]
[Input(129)]
[Dense(129, Activation.ReLU)]
[Dense(129, Activation.Softmax)]
public partial class CrossEntropy129;

[Network]
[Input(129)]
[Dense(129, Activation.Gelu)]
[Dense(129, Activation.Sigmoid)]
public partial class BinaryCrossEntropy129;

/// <summary>The seed's network: Keras's MNIST MLP.</summary>
[Network]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class MnistMlp;

/// <summary>Rank-2 input, Flatten, a custom leaky slope, GELU, and three layers so a middle layer passes dx on.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(3, 5)]
[Flatten]
[Dense(7, Activation.LeakyReLU, NegativeSlope = 0.2f)]
[Dense(4, Activation.Gelu)]
[Dense(2)]
public partial class Mixed;

/// <summary>Sparse labels into binary cross-entropy with one output (labels 0 and 1).</summary>
[Network]
[Input(5)]
[Dense(3, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class BinaryLabels;

/// <summary>Integer labels into mean squared error: one-hot targets.</summary>
[Network]
[Input(4)]
[Dense(6, Activation.Sigmoid)]
[Dense(3)]
public partial class OneHotMse;
