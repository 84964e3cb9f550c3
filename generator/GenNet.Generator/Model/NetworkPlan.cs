namespace GenNet.Generator.Model;

/// <summary>
/// Where a window slides over an image [<see cref="Height"/>, <see cref="Width"/>, <see cref="Channels"/>]: a convolution's
/// kernel or a pooling window, with the padding resolved to offsets and the output size that follows.
/// </summary>
internal sealed record WindowPlan(
    int Height,
    int Width,
    int Channels,
    int WindowHeight,
    int WindowWidth,
    int Stride,
    PaddingKind Padding,
    int PadTop,
    int PadLeft,
    int OutHeight,
    int OutWidth)
{
    /// <summary>Output positions per sample.</summary>
    public int Pixels => OutHeight * OutWidth;

    /// <summary>Inputs under one window position: a row of the im2col matrix.</summary>
    public int PatchSize => Channels * WindowHeight * WindowWidth;

    /// <summary>A 1×1 kernel at stride 1 without padding: the input already is the im2col matrix, so no copy is made.</summary>
    public bool InputIsColumns => WindowHeight == 1 && WindowWidth == 1 && Stride == 1 && PadTop == 0 && PadLeft == 0;

    /// <summary>
    /// The im2col columns in the image's (ky, kx, channel) order, copied a window row at a time, with the weight reordered to
    /// match; with one channel that order is PyTorch's (channel, ky, kx) already, and a 1×1 kernel needs no im2col.
    /// </summary>
    public bool ChannelsLastColumns => !InputIsColumns && Channels > 1 && WindowHeight * WindowWidth > 1;

    /// <summary>Floats of im2col matrix per sample (0 when the input serves).</summary>
    public int ColumnsPerSample => InputIsColumns ? 0 : Pixels * PatchSize;
}

/// <summary>
/// One layer with everything the emitters need, all sizes resolved. Offsets into the activation arena are
/// per sample: at run time a buffer at offset <c>k</c> with width <c>w</c> is <c>arena[k·batch .. (k+w)·batch)</c>.
/// A layer whose <see cref="OutputOffset"/> equals its <see cref="InputOffset"/> computes nothing: it is a view.
/// </summary>
internal sealed record LayerPlan(
    LayerKind Kind,
    int Position,
    string Name,
    string Variable,
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    int InputSize,
    int OutputSize,
    ActivationKind Activation,
    float NegativeSlope,
    int WeightOffset,
    int BiasOffset,
    int InputOffset,
    int OutputOffset,
    int PreActivationOffset,
    bool NeedsInputGradient,
    bool FusedWithLoss,
    WindowPlan? Window = null,
    int SavedOffset = LayerPlan.None,
    float Rate = 0,
    int KindIndex = 0,
    int KernelOffset = LayerPlan.None)
{
    /// <summary>Offset meaning "the network's input span", not the arena.</summary>
    public const int NetworkInput = -1;

    /// <summary>Offset meaning "not stored".</summary>
    public const int None = -2;

    public bool HasParameters => Kind is LayerKind.Dense or LayerKind.Conv2D;

    /// <summary>Outputs per position: a Dense layer's units, a convolution's filters, an image's channels.</summary>
    public int Units => Kind != LayerKind.Dense && Window is not null ? OutputShape[2] : OutputSize;

    /// <summary>The weight tensor's shape in PyTorch's layout: [out, in] or [filters, channels, kh, kw].</summary>
    public int[] WeightShape => Kind == LayerKind.Conv2D && Window is { } window
        ? new[] { Units, window.Channels, window.WindowHeight, window.WindowWidth }
        : new[] { OutputSize, InputSize };

    /// <summary>Inputs per output unit: a Dense layer's inputs, a convolution's patch.</summary>
    public int FanIn => Kind == LayerKind.Conv2D && Window is { } window ? window.PatchSize : InputSize;

    public int WeightCount => HasParameters ? Units * FanIn : 0;

    /// <summary>Weights and biases.</summary>
    public long ParameterCount => HasParameters ? (long)WeightCount + Units : 0;

    /// <summary>A Flatten of a multi-channel image, which reorders to PyTorch's channel-major order.</summary>
    public bool ChannelMajor => Kind == LayerKind.Flatten && InputShape.Count == 3 && InputShape[2] > 1;

    /// <summary>Computes nothing: its output is its input (Flatten in place, Dropout in an inference-only network).</summary>
    public bool IsView => OutputOffset == InputOffset;

    /// <summary>Multiply-adds ×2 of the forward pass per sample (pooling, dropout and reordering are not counted).</summary>
    public long ForwardFlops => Kind switch
    {
        LayerKind.Dense => 2L * WeightCount,
        LayerKind.Conv2D => 2L * WeightCount * Window!.Pixels,
        _ => 0,
    };
}

/// <summary>A network ready to emit: shapes inferred, parameters laid out, scratch sized.</summary>
internal sealed record NetworkPlan(
    NetworkSpec Spec,
    LossKind Loss,
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    int InputSize,
    int OutputSize,
    int ParameterCount,
    int OutputOffset,
    bool CopiesInputToOutput,
    int ActivationsPerSample,
    int ColumnsPerSample,
    int GradientWidth,
    EquatableArray<LayerPlan> Layers,
    int KernelsSize = 0,
    int KernelGradientSize = 0)
{
    /// <summary>Floats of scratch per sample: the activations, the im2col matrix, then two gradient buffers used in turn.</summary>
    public int ScratchPerSample => ActivationsPerSample + ColumnsPerSample + (Spec.Training ? 2 * GradientWidth : 0);

    public bool HasDropout => System.Linq.Enumerable.Any(Layers, l => l.Kind == LayerKind.Dropout && !l.IsView);
}

/// <summary>The planner's answer.</summary>
internal sealed record PlanResult(NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);
