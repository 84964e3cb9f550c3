// Networks with layer normalisation for the gradient and forward checks (their references: LayerNormalizationCases.cs):
// over a last axis of 1 (the output is β and no gradient passes), 3, 17 and 129; after Dense layers and after a
// convolution (each pixel's channels); on the input itself (nothing before it learns); as the output layer (its sigmoid
// fused with the loss); and in residual graphs, pre-norm as in a transformer's block and after a convolution's sum.
namespace GenNet.Tests.Networks;

/// <summary>One feature normalised over itself is 0, so the output is β: Dense(1) before it gets an exact zero gradient.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(3)]
[Dense(1, Activation.Tanh)]
[LayerNormalization]
[Dense(2, Activation.Linear)]
public partial class LayerNormOne;

/// <summary>Normalises the raw input (no gradient before it) and ends with 3 normalised features under a sigmoid and binary cross-entropy.</summary>
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(3)]
[LayerNormalization(Activation = Activation.ReLU)]
[Dense(3, Activation.Tanh)]
[LayerNormalization(Epsilon = 1e-3f, Activation = Activation.Sigmoid)]
public partial class LayerNormEnds;

/// <summary>Dense(17) → LayerNormalization + GELU (which keeps its pre-activation) → softmax.</summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(5)]
[Dense(17, Activation.Linear)]
[LayerNormalization(Activation = Activation.Gelu)]
[Dense(3, Activation.Softmax)]
public partial class LayerNormMlp;

/// <summary>129 features: whole vectors of every width and a one-element remainder.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6)]
[Dense(129, Activation.Linear)]
[LayerNormalization(Activation = Activation.LeakyReLU, NegativeSlope = 0.2f)]
[Dense(2, Activation.Linear)]
public partial class LayerNormWide;

/// <summary>A convolution's 17 channels normalised at each of its 4 × 5 positions separately.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(4, 5, 3)]
[Conv2D(17, 3, Activation.Linear, Padding = Padding.Same)]
[LayerNormalization(Activation = Activation.Tanh)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class LayerNormConv;

/// <summary>A pre-norm residual block as in a transformer: h + Dense(GELU)(LN(h)), then a final normalisation.</summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(17)]
[Dense(17, Activation.Linear, Name = "h")]
[LayerNormalization]
[Dense(17, Activation.Gelu)]
[Add("h")]
[LayerNormalization(Name = "final")]
[Dense(3, Activation.Softmax)]
public partial class LayerNormPreNorm;

/// <summary>conv → LN + ReLU added to the stem, then normalised again (default name ln_1) and pooled.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(3, 3, 2)]
[Conv2D(3, 1, Activation.Linear, Name = "stem")]
[Conv2D(3, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv")]
[LayerNormalization(Activation = Activation.ReLU, Name = "block.ln")]
[Add("stem")]
[LayerNormalization]
[GlobalAveragePooling2D]
[Dense(2, Activation.Linear)]
public partial class LayerNormResidual;
