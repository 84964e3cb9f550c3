using System;

namespace GenNet;

/// <summary>
/// A 2-D convolution over an image [height, width, channels]:
/// <c>y[oy, ox, o] = activation(b[o] + Σ W[o, c, ky, kx] · x[oy·stride + ky − top, ox·stride + kx − left, c])</c>.
/// The kernel is stored in PyTorch's <c>nn.Conv2d</c> layout, <c>conv_N.weight</c> [filters, channels, kh, kw] and
/// <c>conv_N.bias</c> [filters], so weight files interchange with PyTorch. Images are stored channels-last (Keras's
/// layout): one sample is <c>height × width × channels</c> floats, the channels of a pixel adjacent.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : LayerAttribute
{
    /// <summary>Declares a convolution with <paramref name="filters"/> output channels and a square kernel.</summary>
    public Conv2DAttribute(int filters, int kernelSize, Activation activation = Activation.Linear)
        : this(filters, kernelSize, kernelSize, activation)
    {
    }

    /// <summary>Declares a convolution with <paramref name="filters"/> output channels and a kernel of the given height and width.</summary>
    public Conv2DAttribute(int filters, int kernelHeight, int kernelWidth, Activation activation = Activation.Linear)
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        Activation = activation;
    }

    /// <summary>The number of output channels.</summary>
    public int Filters { get; }

    /// <summary>The kernel's height in pixels.</summary>
    public int KernelHeight { get; }

    /// <summary>The kernel's width in pixels.</summary>
    public int KernelWidth { get; }

    /// <summary>The activation applied to the outputs.</summary>
    public Activation Activation { get; }

    /// <summary>The step between windows, in both directions; 1 by default.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Border handling; <see cref="Padding.Valid"/> by default (Keras's).</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>The slope for negative inputs when <see cref="Activation"/> is <see cref="GenNet.Activation.LeakyReLU"/>;
    /// 0.01 by default (PyTorch's). Must be in [0, 1).</summary>
    public float NegativeSlope { get; set; } = 0.01f;

    /// <summary>
    /// How <c>InitializeParameters</c> fills the weight; <see cref="Initializer.GlorotUniform"/> by default (Keras's).
    /// The fans are channels·kh·kw (in) and filters·kh·kw (out); each formula is on <see cref="Initializer"/>.
    /// </summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>How <c>InitializeParameters</c> fills the bias; <see cref="Initializer.Zeros"/> by default (Keras's).</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;

    /// <summary>
    /// λ of an L2 penalty on the weight, Keras's <c>kernel_regularizer=l2(λ)</c>: <c>λ·Σw²</c> is added to the batch's
    /// mean loss that <c>ComputeGradients</c>, <c>Fit</c> and <c>Evaluate</c> report, and <c>2λ·w</c> to the weight's
    /// gradient. 0 (the default) adds nothing. Must be finite and not negative.
    /// </summary>
    public float KernelRegularizerL2 { get; set; }

    /// <summary>λ of an L2 penalty on the bias, Keras's <c>bias_regularizer=l2(λ)</c>, as <see cref="KernelRegularizerL2"/> is on the weight.</summary>
    public float BiasRegularizerL2 { get; set; }
}
