// Networks with L2 penalties on weights and biases, for the gradient and
// forward checks (RegularizedCases) and RegularizationTests; sizes 1, 3 and 17, and a convolution whose weight the
// generated code keeps reordered (channels-last columns), so the penalty's gradient meets that path too; and a network
// with every initializer for InitializerTests.
using GenNet;

namespace GenNet.Tests.Networks;

[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Dense(1, Activation.Tanh, KernelRegularizerL2 = 0.05f)]
[Dense(1, Activation.Linear, KernelRegularizerL2 = 0.02f, BiasRegularizerL2 = 0.1f)]
public partial class PenalizedDense1;

[Network(Loss = Loss.MeanSquaredError)]
[Input(3)]
[Dense(3, Activation.Tanh, KernelRegularizerL2 = 0.05f)]
[Dense(3, Activation.Linear, KernelRegularizerL2 = 0.02f, BiasRegularizerL2 = 0.1f)]
public partial class PenalizedDense3;

[Network(Loss = Loss.MeanSquaredError)]
[Input(17)]
[Dense(17, Activation.Tanh, KernelRegularizerL2 = 0.05f)]
[Dense(17, Activation.Linear, KernelRegularizerL2 = 0.02f, BiasRegularizerL2 = 0.1f)]
public partial class PenalizedDense17;

/// <summary><see cref="PenalizedDense17"/> without its penalties: the same loss, less λ·Σw².</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(17)]
[Dense(17, Activation.Tanh)]
[Dense(17, Activation.Linear)]
public partial class UnpenalizedDense17;

[Network]
[Input(5, 6, 2)]
[Conv2D(3, 3, Activation.ReLU, KernelRegularizerL2 = 0.03f, BiasRegularizerL2 = 0.01f)]
[Flatten]
[Dense(3, Activation.Softmax, KernelRegularizerL2 = 0.01f)]
public partial class PenalizedConv;

/// <summary>A depthwise convolution with both penalties, three channels doubled.</summary>
[Network]
[Input(5, 6, 3)]
[DepthwiseConv2D(3, Activation.Tanh, DepthMultiplier = 2, KernelRegularizerL2 = 0.04f, BiasRegularizerL2 = 0.02f)]
[Flatten]
[Dense(3, Activation.Softmax, KernelRegularizerL2 = 0.01f)]
public partial class PenalizedDepthwise;

/// <summary><see cref="PenalizedConv"/> without its penalties.</summary>
[Network]
[Input(5, 6, 2)]
[Conv2D(3, 3, Activation.ReLU)]
[Flatten]
[Dense(3, Activation.Softmax)]
public partial class UnpenalizedConv;

/// <summary><see cref="PenalizedDense17"/> for inference only: Evaluate reports the same penalised loss.</summary>
[Network(Training = false, Loss = Loss.MeanSquaredError)]
[Input(17)]
[Dense(17, Activation.Tanh, KernelRegularizerL2 = 0.05f)]
[Dense(17, Activation.Linear, KernelRegularizerL2 = 0.02f, BiasRegularizerL2 = 0.1f)]
public partial class PenalizedDense17Inference;

/// <summary>Every initializer on a layer large enough to measure its distribution, with Keras's fans.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(12, 12, 8)]
[Conv2D(16, 3, Activation.ReLU, KernelInitializer = Initializer.HeNormal, BiasInitializer = Initializer.Ones)]
[Flatten]
[Dense(64, Activation.ReLU, KernelInitializer = Initializer.GlorotNormal, BiasInitializer = Initializer.HeUniform)]
[Dense(48, Activation.Tanh, KernelInitializer = Initializer.LeCunNormal, BiasInitializer = Initializer.GlorotNormal)]
[Dense(40, Activation.ReLU, KernelInitializer = Initializer.HeUniform)]
[Dense(32, Activation.Linear, KernelInitializer = Initializer.Zeros, BiasInitializer = Initializer.Ones)]
[Dense(8, Activation.Linear, KernelInitializer = Initializer.Ones, BiasInitializer = Initializer.Zeros)]
public partial class EveryInitializer;
