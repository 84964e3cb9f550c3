using System;

namespace GenNet;

/// <summary>
/// A 1-D convolution over a sequence [steps, channels], as Keras's <c>Conv1D</c>:
/// <c>y[t, o] = activation(b[o] + Σ W[o, c, k] · x[t·stride + k − before, c])</c>, zero outside the sequence, with
/// <c>before</c> the padding ahead of the first step (0 for <see cref="Padding.Valid"/>; for <see cref="Padding.Same"/> half
/// the padding needed, the odd step after the end). The output is the sequence [outSteps, filters]. The kernel is stored in
/// PyTorch's <c>nn.Conv1d</c> layout, <c>conv1d.weight</c> [filters, channels, k] and <c>conv1d.bias</c> [filters], so
/// weight files interchange with PyTorch. Sequences are stored channels-last (Keras's layout): one sample is
/// <c>steps × channels</c> floats, the channels of a step adjacent — PyTorch's <c>nn.Conv1d</c> reads the same sample
/// transposed, [channels, steps]. The default names are Keras's: <c>conv1d</c>, <c>conv1d_1</c>, ….
/// </summary>
/// <remarks>
/// It reads a rank-2 input, <c>[Input(steps, channels)]</c>, or another 1-D layer's output. <see cref="FlattenAttribute"/>
/// after it keeps the channels-last order (step-major, Keras's): a Dense weight taken from PyTorch's
/// <c>nn.Flatten</c> after <c>nn.Conv1d</c> (channel-major) needs its columns permuted.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv1DAttribute : LayerAttribute
{
    /// <summary>Declares a 1-D convolution with <paramref name="filters"/> output channels and a kernel of <paramref name="kernelSize"/> steps.</summary>
    public Conv1DAttribute(int filters, int kernelSize, Activation activation = Activation.Linear)
    {
        Filters = filters;
        KernelSize = kernelSize;
        Activation = activation;
    }

    /// <summary>The number of output channels.</summary>
    public int Filters { get; }

    /// <summary>The kernel's length in steps.</summary>
    public int KernelSize { get; }

    /// <summary>The activation applied to the outputs.</summary>
    public Activation Activation { get; }

    /// <summary>The step between windows; 1 by default.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Border handling; <see cref="Padding.Valid"/> by default (Keras's).</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>The slope for negative inputs when <see cref="Activation"/> is <see cref="GenNet.Activation.LeakyReLU"/>;
    /// 0.01 by default (PyTorch's). Must be in [0, 1).</summary>
    public float NegativeSlope { get; set; } = 0.01f;

    /// <summary>
    /// How <c>InitializeParameters</c> fills the weight; <see cref="Initializer.GlorotUniform"/> by default (Keras's).
    /// The fans are channels·k (in) and filters·k (out); each formula is on <see cref="Initializer"/>.
    /// </summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>How <c>InitializeParameters</c> fills the bias; <see cref="Initializer.Zeros"/> by default (Keras's).</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;

    /// <summary>
    /// λ of an L2 penalty on the weight, Keras's <c>kernel_regularizer=l2(λ)</c>: <c>λ·Σw²</c> is added to the batch's
    /// mean loss and <c>2λ·w</c> to the weight's gradient, as on <see cref="Conv2DAttribute.KernelRegularizerL2"/>.
    /// 0 (the default) adds nothing. Must be finite and not negative.
    /// </summary>
    public float KernelRegularizerL2 { get; set; }

    /// <summary>λ of an L2 penalty on the bias, Keras's <c>bias_regularizer=l2(λ)</c>, as <see cref="KernelRegularizerL2"/> is on the weight.</summary>
    public float BiasRegularizerL2 { get; set; }
}
