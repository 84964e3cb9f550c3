using System;

namespace GenNet;

/// <summary>
/// A depthwise 2-D convolution over an image [height, width, channels]: each input channel c is convolved with its own
/// <see cref="DepthMultiplier"/> filters M, and output channel <c>c·M + m</c> is
/// <c>y[oy, ox, c·M + m] = activation(b[c·M + m] + Σ W[c·M + m, 0, ky, kx] · x[oy·stride + ky − top, ox·stride + kx − left, c])</c>,
/// zero outside the image. That is PyTorch's <c>nn.Conv2d(C, C·M, (kh, kw), groups=C)</c>, and its parameters are stored
/// in that module's layout: <c>depthwise_conv_N.weight</c> [C·M, 1, kh, kw] and <c>depthwise_conv_N.bias</c> [C·M], so weight
/// files interchange with PyTorch (Keras's <c>DepthwiseConv2D</c> keeps the same numbers as [kh, kw, C, M]). Images are
/// channels-last, as for <see cref="Conv2DAttribute"/>; the output is [outHeight, outWidth, C·M].
/// </summary>
/// <remarks>
/// <see cref="Padding"/> and <see cref="Stride"/> work exactly as a <see cref="Conv2DAttribute"/>'s ("same": output
/// ⌈in / stride⌉, the odd padding row or column at the bottom or right). <c>InitializeParameters</c> draws the weight
/// Glorot-uniform with Keras's fans for a depthwise kernel of shape [kh, kw, C, M]: fan-in <c>kh·kw·C</c>, fan-out
/// <c>kh·kw·M</c> (not PyTorch's fan-in <c>kh·kw</c> of the grouped weight); the bias starts at zero. Unnamed layers are
/// called <c>depthwise_conv_0</c>, <c>depthwise_conv_1</c>, … as convolutions are <c>conv_N</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DepthwiseConv2DAttribute : LayerAttribute
{
    /// <summary>Declares a depthwise convolution with a square kernel.</summary>
    public DepthwiseConv2DAttribute(int kernelSize, Activation activation = Activation.Linear)
        : this(kernelSize, kernelSize, activation)
    {
    }

    /// <summary>Declares a depthwise convolution with a kernel of the given height and width.</summary>
    public DepthwiseConv2DAttribute(int kernelHeight, int kernelWidth, Activation activation = Activation.Linear)
    {
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        Activation = activation;
    }

    /// <summary>The kernel's height in pixels.</summary>
    public int KernelHeight { get; }

    /// <summary>The kernel's width in pixels.</summary>
    public int KernelWidth { get; }

    /// <summary>The activation applied to the outputs.</summary>
    public Activation Activation { get; }

    /// <summary>The filters per input channel, M: the output has channels × M channels; 1 by default (Keras's).</summary>
    public int DepthMultiplier { get; set; } = 1;

    /// <summary>The step between windows, in both directions; 1 by default.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Border handling; <see cref="Padding.Valid"/> by default (Keras's).</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>The slope for negative inputs when <see cref="Activation"/> is <see cref="GenNet.Activation.LeakyReLU"/>;
    /// 0.01 by default (PyTorch's). Must be in [0, 1).</summary>
    public float NegativeSlope { get; set; } = 0.01f;

    /// <summary>
    /// How <c>InitializeParameters</c> fills the weight; <see cref="Initializer.GlorotUniform"/> by default (Keras's
    /// <c>depthwise_initializer</c>). The fans are Keras's for its [kh, kw, channels, multiplier] kernel: kh·kw·channels in,
    /// kh·kw·multiplier out; each formula is on <see cref="Initializer"/>.
    /// </summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>How <c>InitializeParameters</c> fills the bias; <see cref="Initializer.Zeros"/> by default (Keras's).</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;

    /// <summary>
    /// λ of an L2 penalty on the weight, Keras's <c>depthwise_regularizer=l2(λ)</c>: <c>λ·Σw²</c> is added to the batch's
    /// mean loss and <c>2λ·w</c> to the weight's gradient, as on <see cref="Conv2DAttribute.KernelRegularizerL2"/>.
    /// 0 (the default) adds nothing. Must be finite and not negative.
    /// </summary>
    public float KernelRegularizerL2 { get; set; }

    /// <summary>λ of an L2 penalty on the bias, Keras's <c>bias_regularizer=l2(λ)</c>, as <see cref="KernelRegularizerL2"/> is on the weight.</summary>
    public float BiasRegularizerL2 { get; set; }
}
