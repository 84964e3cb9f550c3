// Convolutional networks for the gradient and forward checks (their references: ConvCases.cs). Each is small enough
// that every parameter is checked by central differences: convolutions with valid and same padding at strides 1 and 2,
// odd and even, square and non-square kernels, 1x1 kernels and kernels as large as the image, 1, 2, 3 and 17 channels,
// every activation on a convolution, max and average pooling (default stride, overlapping, clipped "same" windows,
// pooling straight after the input and pooling after pooling), dropout after the input, a dense layer and a convolution
// (rates 0.5, 0.2 and 0), Flatten of one and of several channels, a convolution as the output layer, a scaled-down Keras
// MNIST convnet, and every loss.
using GenNet;

namespace GenNet.Tests.Networks;

/// <summary>Valid padding, stride 1, ReLU: [6, 5, 2] → [4, 3, 3].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6, 5, 2)]
[Conv2D(3, 3, Activation.ReLU)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class ConvValidReLU;

/// <summary>Valid padding, stride 2, three input channels, Tanh: [8, 7, 3] → [3, 3, 4], the last input row unused.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(8, 7, 3)]
[Conv2D(4, 3, Activation.Tanh, Stride = 2)]
[Flatten]
[Dense(3, Activation.Tanh)]
public partial class ConvValidStride2Tanh;

/// <summary>Same padding with an even kernel, stride 1, Sigmoid: [5, 6, 2] → [5, 6, 3], padding 1 before and 2 after.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(5, 6, 2)]
[Conv2D(3, 4, Activation.Sigmoid, Padding = Padding.Same)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class ConvSameSigmoid;

/// <summary>Same padding, stride 2, odd input, LeakyReLU with a custom slope: [7, 5, 3] → [4, 3, 4], padding 1 / 1 and 1 / 1.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7, 5, 3)]
[Conv2D(4, 3, Activation.LeakyReLU, Stride = 2, Padding = Padding.Same, NegativeSlope = 0.2f)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class ConvSameStride2LeakyReLU;

/// <summary>Same padding, stride 2, a 2x3 kernel: [6, 7, 2] → [3, 4, 3], padding 0 / 0 rows and 1 / 1 columns.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6, 7, 2)]
[Conv2D(3, 2, 3, Activation.Tanh, Stride = 2, Padding = Padding.Same)]
[Flatten]
[Dense(2, Activation.Tanh)]
public partial class ConvSameStride2Kernel2x3;

/// <summary>A non-square 2x3 kernel, valid, GELU: [6, 7, 2] → [5, 5, 3].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6, 7, 2)]
[Conv2D(3, 2, 3, Activation.Gelu)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class ConvKernel2x3Gelu;

/// <summary>A 1x1 kernel, Linear: [4, 4, 3] → [4, 4, 5].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(4, 4, 3)]
[Conv2D(5, 1, Activation.Linear)]
[Flatten]
[Dense(2, Activation.Tanh)]
public partial class Conv1x1Linear;

/// <summary>The kernel is the whole image: [5, 4, 2] → [1, 1, 6].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(5, 4, 2)]
[Conv2D(6, 5, 4, Activation.Tanh)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class ConvKernelIsImage;

/// <summary>17 input channels: [4, 3, 17] → [3, 2, 2].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(4, 3, 17)]
[Conv2D(2, 2, Activation.ReLU)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class ConvInChannels17;

/// <summary>
/// Three convolutions of three forms: direct (2 channels), an im2col product (strided) and direct again (4 channels).
/// The last one's backward rebuilds im2col columns before the middle one's backward reads its own: [9, 9, 2] → [2, 2, 3].
/// </summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(9, 9, 2)]
[Conv2D(8, 3, Activation.ReLU)]
[Conv2D(4, 3, Activation.Tanh, Stride = 2)]
[Conv2D(3, 2, Activation.Tanh)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class ConvDirectAfterProduct;

/// <summary>One input channel into 17 filters: [5, 5, 1] → [3, 3, 17].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(5, 5, 1)]
[Conv2D(17, 3, Activation.Tanh)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class ConvFilters17;

/// <summary>A convolution as the output layer, after another (so the first gets its dx from a convolution): [5, 4, 2] → [3, 2, 4] → [3, 2, 2].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(5, 4, 2)]
[Conv2D(4, 3, Activation.Tanh)]
[Conv2D(2, 2, Activation.Linear, Padding = Padding.Same)]
public partial class ConvOutput;

/// <summary>One output channel, so Flatten keeps the memory order: [6, 5, 2] → [4, 3, 1] → [12].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6, 5, 2)]
[Conv2D(1, 3, Activation.Tanh)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class ConvFlattenOneChannel;

/// <summary>Max pooling, default stride: [6, 6, 2] → [6, 6, 3] → [3, 3, 3].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6, 6, 2)]
[Conv2D(3, 3, Activation.ReLU, Padding = Padding.Same)]
[MaxPool2D(2)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class MaxPoolDefault;

/// <summary>Overlapping max pooling (stride 1): [6, 5, 2] → [5, 4, 3] → [3, 2, 3].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6, 5, 2)]
[Conv2D(3, 2, Activation.Tanh)]
[MaxPool2D(3, Stride = 1)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class MaxPoolOverlapping;

/// <summary>Clipped "same" max pooling twice: [7, 5, 2] → [7, 5, 3] → [4, 3, 3] (last row and column clipped) → [4, 3, 3] (1 / 1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7, 5, 2)]
[Conv2D(3, 3, Activation.Linear, Padding = Padding.Same)]
[MaxPool2D(2, Padding = Padding.Same)]
[MaxPool2D(3, Stride = 1, Padding = Padding.Same)]
[Flatten]
[Dense(2, Activation.Tanh)]
public partial class MaxPoolSame;

/// <summary>Average pooling, valid, the last row and column dropped: [7, 6, 2] → [6, 5, 3] → [3, 2, 3].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7, 6, 2)]
[Conv2D(3, 2, Activation.Sigmoid)]
[AveragePool2D(2)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class AveragePoolValid;

/// <summary>Clipped "same" average pooling twice, into categorical cross-entropy: [7, 5, 2] → [5, 3, 3] → [3, 2, 3] → [3, 2, 3].</summary>
[Network(Loss = Loss.CategoricalCrossEntropy)]
[Input(7, 5, 2)]
[Conv2D(3, 3, Activation.Tanh)]
[AveragePool2D(2, Padding = Padding.Same)]
[AveragePool2D(3, Stride = 1, Padding = Padding.Same)]
[Flatten]
[Dense(4, Activation.Softmax)]
public partial class AveragePoolSame;

/// <summary>Pooling straight after the input (no dx below it), and a max pool down to one pixel: [6, 6, 3] → [3, 3, 3] → [2, 2, 4] → [1, 1, 4].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6, 6, 3)]
[AveragePool2D(2)]
[Conv2D(4, 2, Activation.Tanh)]
[MaxPool2D(2)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class PoolFirst;

/// <summary>Dropout after a dense layer.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6)]
[Dense(8, Activation.Tanh)]
[Dropout(0.5)]
[Dense(3, Activation.Linear)]
public partial class DropoutAfterDense;

/// <summary>Dropout after a convolution, on the channels-last image, before max pooling.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6, 5, 2)]
[Conv2D(3, 3, Activation.ReLU)]
[Dropout(0.2)]
[MaxPool2D(2)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class DropoutAfterConv;

/// <summary>Three dropout layers (indices 0, 1, 2 for the masks): on the image, on the flattened vector, and rate 0.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(6, 5, 2)]
[Conv2D(3, 3, Activation.Tanh)]
[Dropout(0.5)]
[Flatten]
[Dropout(0.2)]
[Dense(4, Activation.ReLU)]
[Dropout(0)]
[Dense(2, Activation.Linear)]
public partial class DropoutThreeLayers;

/// <summary>Dropout on the input itself.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(3, 4, 2)]
[Dropout(0.5)]
[Conv2D(2, 2, Activation.Linear)]
[Flatten]
[Dense(2, Activation.Tanh)]
public partial class DropoutOnInput;

/// <summary>Keras's mnist_convnet, scaled down: [14, 14, 1] → [12, 12, 4] → [6, 6, 4] → [4, 4, 6] → [2, 2, 6] → 24 → 10.</summary>
[Network]
[Input(14, 14, 1)]
[Conv2D(4, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(6, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class MnistConvSmall;

/// <summary>Binary cross-entropy on one sigmoid output, from 0/1 labels: [6, 6, 1] → [2, 2, 2] (stride 2, valid) → 1.</summary>
[Network]
[Input(6, 6, 1)]
[Conv2D(2, 3, Activation.ReLU, Stride = 2)]
[Flatten]
[Dense(1, Activation.Sigmoid)]
public partial class ConvBinaryLabels;

/// <summary>Binary cross-entropy on three sigmoid outputs, from probabilities: [5, 5, 2] → [5, 5, 2] → [3, 3, 2] → 3.</summary>
[Network]
[Input(5, 5, 2)]
[Conv2D(2, 3, Activation.Gelu, Padding = Padding.Same)]
[MaxPool2D(2, Padding = Padding.Same)]
[Flatten]
[Dense(3, Activation.Sigmoid)]
public partial class ConvBinaryProbabilities;
