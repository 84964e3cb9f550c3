// Networks with global pooling for the gradient and forward checks (their references: GlobalPoolingCases.cs): both kinds
// at channels 1, 3 and 17 over images 1×1, 3×5 and 7×7, on the input itself (nothing before it learns), both reading one
// convolution and concatenated (default names global_max_pooling2d, global_average_pooling2d), and after a residual block
// with batch normalisation, as ResNet's head.
using GenNet;

namespace GenNet.Tests.Networks;

/// <summary>Conv (3 filters, tanh) over a [3, 5, 2] image → global max over its 15 positions → [3] → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(3, 5, 2)]
[Conv2D(3, 1, Activation.Tanh)]
[GlobalMaxPooling2D]
[Dense(2, Activation.Linear)]
public partial class GlobalMaxPoolConv;

/// <summary>Conv (1 filter, same padding) over [3, 5, 1] → global average → [1] → Dense(3, softmax).</summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(3, 5, 1)]
[Conv2D(1, 3, Activation.Tanh, Padding = Padding.Same)]
[GlobalAveragePooling2D]
[Dense(3, Activation.Softmax)]
public partial class GlobalAveragePoolOneChannel;

/// <summary>A valid 3×3 convolution of [3, 3, 2] leaves a 1×1 image of 17 channels; both global pools of it, concatenated.</summary>
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(3, 3, 2)]
[Conv2D(17, 3, Activation.Tanh, Name = "features")]
[GlobalMaxPooling2D]
[GlobalAveragePooling2D(From = "features")]
[Concatenate("global_max_pooling2d")]
[Dense(1, Activation.Sigmoid)]
public partial class GlobalPoolOnePixel;

/// <summary>Both global pools of a [7, 7, 17] feature map (tanh, same padding), concatenated as [average, max].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7, 7, 1)]
[Conv2D(17, 3, Activation.Tanh, Padding = Padding.Same, Name = "features")]
[GlobalMaxPooling2D(Name = "max")]
[GlobalAveragePooling2D(From = "features")]
[Concatenate("max")]
[Dense(2, Activation.Linear)]
public partial class GlobalPoolSeven;

/// <summary>Global max pooling of the raw input [3, 5, 3]: nothing before it learns, so it has no backward pass.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(3, 5, 3)]
[GlobalMaxPooling2D]
[Dense(2, Activation.Tanh)]
public partial class GlobalMaxPoolInput;

/// <summary>ResNet's head: stem conv, conv → BN → ReLU added to the stem, global average over [5, 5, 3] → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(5, 5, 2)]
[Conv2D(3, 1, Activation.Linear, Name = "stem")]
[Conv2D(3, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv")]
[BatchNormalization(Activation = Activation.ReLU, Name = "block.bn")]
[Add("stem")]
[GlobalAveragePooling2D]
[Dense(2, Activation.Linear)]
public partial class GlobalPoolResidual;
