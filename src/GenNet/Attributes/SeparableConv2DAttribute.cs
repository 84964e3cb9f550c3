using System;

namespace GenNet;

/// <summary>
/// A depthwise separable 2-D convolution over an image [height, width, channels], as Keras's <c>SeparableConv2D</c>: a
/// depthwise convolution without bias or activation (each input channel c convolved with its own
/// <see cref="DepthMultiplier"/> filters M, output channel <c>c·M + m</c>), then a 1×1 convolution across those C·M
/// channels with a bias and the activation:
/// <c>d[oy, ox, c·M + m] = Σ D[c·M + m, 0, ky, kx] · x[oy·stride + ky − top, ox·stride + kx − left, c]</c>,
/// <c>y[oy, ox, f] = activation(b[f] + Σ_k P[f, k, 0, 0] · d[oy, ox, k])</c>.
/// </summary>
/// <remarks>
/// <para>
/// The parameters are stored as the state_dict of a PyTorch module with two submodules,
/// <c>depthwise = nn.Conv2d(C, C·M, (kh, kw), groups=C, bias=False)</c> and <c>pointwise = nn.Conv2d(C·M, filters, 1)</c>:
/// <c>separable_conv_N.depthwise.weight</c> [C·M, 1, kh, kw], <c>separable_conv_N.pointwise.weight</c> [filters, C·M, 1, 1]
/// and <c>separable_conv_N.pointwise.bias</c> [filters], in that order. <see cref="Padding"/> and <see cref="Stride"/> apply
/// to the depthwise step and work exactly as a <see cref="Conv2DAttribute"/>'s. Images are channels-last; the output is
/// [outHeight, outWidth, filters].
/// </para>
/// <para>
/// <c>InitializeParameters</c> draws both weights Glorot-uniform with Keras's fans: the depthwise kernel [kh, kw, C, M]
/// has fan-in <c>kh·kw·C</c> and fan-out <c>kh·kw·M</c>, the pointwise kernel [1, 1, C·M, filters] fan-in <c>C·M</c> and
/// fan-out <c>filters</c>; the bias starts at zero.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SeparableConv2DAttribute : LayerAttribute
{
    /// <summary>Declares a separable convolution with <paramref name="filters"/> output channels and a square kernel.</summary>
    public SeparableConv2DAttribute(int filters, int kernelSize, Activation activation = Activation.Linear)
        : this(filters, kernelSize, kernelSize, activation)
    {
    }

    /// <summary>Declares a separable convolution with <paramref name="filters"/> output channels and a kernel of the given height and width.</summary>
    public SeparableConv2DAttribute(int filters, int kernelHeight, int kernelWidth, Activation activation = Activation.Linear)
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        Activation = activation;
    }

    /// <summary>The number of output channels (of the pointwise step).</summary>
    public int Filters { get; }

    /// <summary>The depthwise kernel's height in pixels.</summary>
    public int KernelHeight { get; }

    /// <summary>The depthwise kernel's width in pixels.</summary>
    public int KernelWidth { get; }

    /// <summary>The activation applied to the outputs (after the pointwise step).</summary>
    public Activation Activation { get; }

    /// <summary>The depthwise filters per input channel, M; 1 by default (Keras's).</summary>
    public int DepthMultiplier { get; set; } = 1;

    /// <summary>The step between the depthwise windows, in both directions; 1 by default.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Border handling of the depthwise step; <see cref="Padding.Valid"/> by default (Keras's).</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>The slope for negative inputs when <see cref="Activation"/> is <see cref="GenNet.Activation.LeakyReLU"/>;
    /// 0.01 by default (PyTorch's). Must be in [0, 1).</summary>
    public float NegativeSlope { get; set; } = 0.01f;
}
