// Keras's mnist_convnet example in GenNet: two 3×3 convolutions with ReLU, each followed by 2×2 max pooling, then
// Flatten → Dropout(0.5) → Dense(10, softmax); Adam, sparse categorical cross-entropy, batch 128, 15 epochs. Runs on Fashion-MNIST
// from Debian's dataset-fashion-mnist package, or on any directory of MNIST-format IDX files.
using GenNet;
using GenNet.Samples;
using GenNet.Samples.MnistConv;

return MnistSample.Run(args, "MnistConv", new MnistConvNet(), MnistConvNet.Summary, defaultEpochs: 15, defaultBatchSize: 128);

namespace GenNet.Samples.MnistConv
{
    /// <summary>
    /// Keras's mnist_convnet. Images are channels-last, [28, 28, 1]: the same 784 floats per image as the MLP reads.
    /// </summary>
    [Network]
    [Input(28, 28, 1)]
    [Conv2D(32, 3, Activation.ReLU)]
    [MaxPool2D(2)]
    [Conv2D(64, 3, Activation.ReLU)]
    [MaxPool2D(2)]
    [Flatten]
    [Dropout(0.5)]
    [Dense(10, Activation.Softmax)]
    public partial class MnistConvNet;
}
