// Networks with depthwise and separable convolutions for the gradient and forward checks (their references:
// DepthwiseCases.cs): channels 1, 3 and 17, multipliers 1 and 2, square and asymmetric kernels, valid and same padding,
// strides 1 and 2, on the input itself (nothing before it learns) and after a convolution (the input gradient runs).
using GenNet;

namespace GenNet.Tests.Networks;

/// <summary>A valid 3×3 depthwise convolution of the input [5, 5, 3] → [3, 3, 3], tanh → Dense(2); no input gradient.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(5, 5, 3)]
[DepthwiseConv2D(3, Activation.Tanh)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class DepthwiseValid;

/// <summary>Conv 1×1 → depthwise 3×3, two filters per channel, stride 2, same padding: [6, 5, 3] → [3, 3, 6] → global average → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6, 5, 2)]
[Conv2D(3, 1, Activation.Linear)]
[DepthwiseConv2D(3, Activation.Tanh, DepthMultiplier = 2, Stride = 2, Padding = Padding.Same)]
[GlobalAveragePooling2D]
[Dense(2, Activation.Linear)]
public partial class DepthwiseSameStrideTwo;

/// <summary>Conv 1×1 to 17 channels → depthwise 3×2, two filters per channel, stride 2, valid: [5, 4, 17] → [2, 2, 34] (GELU) → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(5, 4, 2)]
[Conv2D(17, 1, Activation.Tanh)]
[DepthwiseConv2D(3, 2, Activation.Gelu, DepthMultiplier = 2, Stride = 2)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class DepthwiseSeventeen;

/// <summary>One channel, a 1×3 kernel with same padding and two filters: [3, 4, 1] → [3, 4, 2], leaky ReLU → Dense(3, softmax).</summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(3, 4, 1)]
[DepthwiseConv2D(1, 3, Activation.LeakyReLU, DepthMultiplier = 2, Padding = Padding.Same, NegativeSlope = 0.2f, Name = "spatial")]
[Flatten]
[Dense(3, Activation.Softmax)]
public partial class DepthwiseOneChannel;

/// <summary>Conv 1×1 → separable 3×3 to 4 filters, valid: [5, 5, 3] → [3, 3, 4], tanh → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(5, 5, 2)]
[Conv2D(3, 1, Activation.Tanh)]
[SeparableConv2D(4, 3, Activation.Tanh)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class SeparableValid;

/// <summary>Separable 3×2 on the input [6, 7, 1], two filters per channel, stride 2, same padding, GELU → [3, 4, 3] → global average → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6, 7, 1)]
[SeparableConv2D(3, 3, 2, Activation.Gelu, DepthMultiplier = 2, Stride = 2, Padding = Padding.Same)]
[GlobalAveragePooling2D]
[Dense(2, Activation.Linear)]
public partial class SeparableSameStrideTwo;

/// <summary>Conv 1×1 to 17 channels → separable 3×3 to 17 filters, same padding, leaky ReLU: [3, 4, 17] → Dense(1, sigmoid).</summary>
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(3, 4, 2)]
[Conv2D(17, 1, Activation.Tanh)]
[SeparableConv2D(17, 3, Activation.LeakyReLU, Padding = Padding.Same, Name = "block")]
[Flatten]
[Dense(1, Activation.Sigmoid)]
public partial class SeparableSeventeen;
