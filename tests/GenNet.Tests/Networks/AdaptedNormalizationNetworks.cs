// Networks with Keras's Normalization layer for the gradient and forward checks (their references:
// AdaptedNormalizationCases.cs). NumericChecks.Prepare gives every mean and variance random values, so the layer is
// not the identity it starts as. On the input (the main use: nothing before it learns, so it has no backward pass)
// with 1, 3 and 17 features; between Dense layers, where the gradient passes through divided by the deviation; on a
// convolution's channels (one mean per channel, shared by every position); on the second input of a two-input graph.
namespace GenNet.Tests.Networks;

/// <summary>One raw feature standardised, then a small MLP.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Normalization]
[Dense(3, Activation.Tanh)]
[Dense(1, Activation.Linear)]
public partial class AdaptedInput1;

/// <summary>Three raw features standardised, a binary classifier.</summary>
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(3)]
[Normalization]
[Dense(3, Activation.ReLU)]
[Dense(1, Activation.Sigmoid)]
public partial class AdaptedInput3;

/// <summary>Seventeen raw features (whole vectors and a remainder at every width), softmax over three classes.</summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(17)]
[Normalization]
[Dense(5, Activation.Gelu)]
[Dense(3, Activation.Softmax)]
public partial class AdaptedInput17;

/// <summary>A Normalization between Dense layers: the gradient reaches dense_0 through dx = dy / max(√variance, 1e-7).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(5)]
[Dense(17, Activation.Tanh)]
[Normalization]
[Dense(2, Activation.Linear)]
public partial class AdaptedMiddle17;

/// <summary>Three features between Dense layers, named, and a second Normalization (normalization_1) as the output layer.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(4)]
[Dense(3, Activation.Sigmoid)]
[Normalization(Name = "scaler")]
[Dense(3, Activation.Linear)]
[Normalization]
public partial class AdaptedEnds;

/// <summary>A raw image's 2 channels standardised, and a convolution's 3 channels, each channel's statistics shared by its 4 × 3 positions.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(4, 3, 2)]
[Normalization]
[Conv2D(3, 3, Activation.Tanh, Padding = Padding.Same)]
[Normalization]
[GlobalAveragePooling2D]
[Dense(2, Activation.Linear)]
public partial class AdaptedImage;

/// <summary>Two inputs, [image (12) | features (3)], the features standardised where they lie in the sample, then joined.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2, 2, 3, Name = "image")]
[Input(3, Name = "features")]
[Flatten(From = "image", Name = "flat")]
[Normalization(From = "features")]
[Dense(4, Activation.Tanh, Name = "side")]
[Concatenate("flat")]
[Dense(2, Activation.Linear)]
public partial class AdaptedTwoInputs;
