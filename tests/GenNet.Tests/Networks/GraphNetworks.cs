// Graph networks for the gradient and forward checks (their references: GraphCases.cs): named outputs read with From,
// Add / Multiply / Concatenate merges with and without an activation, merges of one name (previous output first) and of
// several, a fork read by three layers, a channel Concatenate of two convolution branches, a residual convolution block,
// two inputs (an image and a feature vector), an input merged directly, a merge as the output layer, named tensors with
// dots, and sizes 1, 3 and 17. Each is small enough that every parameter is checked by central differences.
using GenNet;

namespace GenNet.Tests.Networks;

/// <summary>A residual MLP at odd sizes: h = relu(W₀x + b₀); y = softmax(W₂(W₁h + b₁ + h) + b₂).</summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(17)]
[Dense(17, Activation.ReLU, Name = "h")]
[Dense(17, Activation.Linear)]
[Add("h")]
[Dense(3, Activation.Softmax)]
public partial class GraphResidualMlp;

/// <summary>A residual convolution block on a channels-last image, same padding, Add then ReLU: [6, 5, 3] → [6, 5, 4].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6, 5, 3)]
[Conv2D(4, 3, Activation.Tanh, Padding = Padding.Same, Name = "stem")]
[Conv2D(4, 3, Activation.ReLU, Padding = Padding.Same, Name = "block.conv1")]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv2")]
[Add("stem", Activation = Activation.ReLU)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class GraphResidualConv;

/// <summary>
/// Two inputs, a sample being [image (40) | features (3)]: an image branch flattened to [18] and a feature branch [4],
/// concatenated as [side, flat] (previous output first).
/// </summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(5, 4, 2, Name = "image")]
[Input(3, Name = "features")]
[Conv2D(3, 3, Activation.Tanh, From = "image")]
[Flatten(Name = "flat")]
[Dense(4, Activation.Sigmoid, From = "features", Name = "side")]
[Concatenate("flat")]
[Dense(2, Activation.Linear)]
public partial class GraphTwoInputs;

/// <summary>
/// Two convolution branches forking from one layer, joined along the channels ([6, 6, 5] and [6, 6, 2] → [6, 6, 7], the
/// 1x1 branch first), then max pooling, Flatten (channel-major) and Dense.
/// </summary>
[Network(Loss = Loss.CategoricalCrossEntropy)]
[Input(6, 6, 2)]
[Conv2D(3, 3, Activation.ReLU, Padding = Padding.Same, Name = "trunk")]
[Conv2D(2, 3, Activation.Tanh, Padding = Padding.Same, Name = "left")]
[Conv2D(5, 1, Activation.Sigmoid, From = "trunk")]
[Concatenate("left")]
[MaxPool2D(2)]
[Flatten]
[Dense(4, Activation.Softmax)]
public partial class GraphConcatenateBranches;

/// <summary>One output read by three layers, merged again by a three-name Add; a single output.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(5)]
[Dense(3, Activation.Tanh, Name = "fork")]
[Dense(3, Activation.Sigmoid, Name = "a")]
[Dense(3, Activation.Gelu, From = "fork", Name = "b")]
[Dense(3, Activation.LeakyReLU, From = "fork", Name = "c")]
[Add("a", "b", "c")]
[Dense(1, Activation.Linear)]
public partial class GraphForkThree;

/// <summary>A gate: sigmoid(W₀x + b₀) ⊙ tanh(W₁x + b₁), 17 inputs, 3 gated units, one sigmoid output.</summary>
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(17, Name = "x")]
[Dense(3, Activation.Sigmoid, Name = "gate")]
[Dense(3, Activation.Tanh, From = "x")]
[Multiply("gate")]
[Dense(1, Activation.Sigmoid)]
public partial class GraphMultiplyGate;

/// <summary>The input merged directly, twice: h = tanh(Wx + b) + x; y = tanh(W'h + b' + x), a merge as the output layer.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(3, Name = "x")]
[Dense(3, Activation.Tanh)]
[Add("x")]
[Dense(3, Activation.Linear)]
[Add("x", Activation = Activation.Tanh)]
public partial class GraphAddInput;
