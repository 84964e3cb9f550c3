// The two networks the page runs, inference only, their trained weights compiled into the app. Also compiled into
// tests/GenNet.BrowserTests, which checks the page's predictions against these classes run by .NET outside the browser.
namespace GenNet.Samples.BrowserClassifier;

/// <summary>samples/Mnist's network (the Keras MNIST MLP), trained by it for 5 epochs.</summary>
[Network(Training = false, Weights = "fashion-mlp.safetensors")]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionMlp;

/// <summary>samples/MnistConv's network (Keras's mnist_convnet), trained by it for 4 epochs (seed 1).</summary>
[Network(Training = false, Weights = "fashion-convnet.safetensors")]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class FashionConvNet;

/// <summary>
/// A trainable network for the page's training check: XOR (samples/Xor's network), to show that a training step runs in
/// the browser, where no thread can be started, on the caller.
/// </summary>
[Network]
[Input(2)]
[Dense(8, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class BrowserXor;
