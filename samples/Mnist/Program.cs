// The Keras MNIST example in GenNet: Flatten → Dense(128, relu) → Dense(10, softmax), Adam,
// sparse categorical cross-entropy, 5 epochs, evaluate. Runs on Fashion-MNIST from Debian's
// dataset-fashion-mnist package, or on any directory of MNIST-format IDX files.
using GenNet;
using GenNet.Samples;
using GenNet.Samples.Mnist;

return MnistSample.Run(args, "Mnist", new MnistMlp(), MnistMlp.Summary, defaultEpochs: 5, defaultBatchSize: 32);

namespace GenNet.Samples.Mnist
{
    /// <summary>Keras's MNIST MLP.</summary>
    [Network]
    [Input(28, 28)]
    [Flatten]
    [Dense(128, Activation.ReLU)]
    [Dense(10, Activation.Softmax)]
    public partial class MnistMlp;
}
