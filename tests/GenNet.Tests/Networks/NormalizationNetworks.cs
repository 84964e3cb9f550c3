// Networks with batch normalisation for the gradient and forward checks (their references: NormalizationCases.cs): after
// a Dense layer, after a convolution (statistics over every position), on the input itself (nothing before it learns),
// as the output layer (its sigmoid fused with the loss), and inside a residual block.
namespace GenNet.Tests.Networks;

/// <summary>Dense → BatchNormalization + GELU (which keeps its pre-activation) → softmax, 17 features.</summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(17)]
[Dense(17, Activation.Linear)]
[BatchNormalization(Activation = Activation.Gelu)]
[Dense(3, Activation.Softmax)]
public partial class BatchNormMlp;

/// <summary>A convolution normalised per channel over the batch and its 5 × 4 positions, with PyTorch's momentum and ε overridden.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(5, 4, 3)]
[Conv2D(3, 3, Activation.Linear, Padding = Padding.Same)]
[BatchNormalization(Momentum = 0.3f, Epsilon = 1e-3f, Activation = Activation.Tanh)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class BatchNormConv;

/// <summary>Normalises the raw input (no gradient before it) and ends with a normalised, sigmoid output under binary cross-entropy.</summary>
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(3)]
[BatchNormalization]
[Dense(4, Activation.Tanh)]
[BatchNormalization(Activation = Activation.Sigmoid)]
public partial class BatchNormEnds;

/// <summary>A residual block as in ResNet: conv → BN → ReLU → conv → BN, added to the block's input, then ReLU.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(4, 4, 2)]
[Conv2D(3, 1, Activation.Linear, Name = "stem")]
[Conv2D(3, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv1")]
[BatchNormalization(Activation = Activation.ReLU, Name = "block.bn1")]
[Conv2D(3, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv2")]
[BatchNormalization(Name = "block.bn2")]
[Add("stem", Activation = Activation.ReLU)]
[Flatten]
[Dense(1, Activation.Linear)]
public partial class BatchNormResidual;
