namespace GenNet.Generator.Model;

/// <summary>
/// One layer with everything the emitters need, all sizes resolved. Offsets into the activation arena are
/// per sample: at run time a buffer at offset <c>k</c> with width <c>w</c> is <c>arena[k·batch .. (k+w)·batch)</c>.
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
    bool FusedWithLoss)
{
    /// <summary>Offset meaning "the network's input span", not the arena.</summary>
    public const int NetworkInput = -1;

    /// <summary>Offset meaning "not stored".</summary>
    public const int None = -2;

    public int WeightCount => InputSize * OutputSize;
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
    int GradientWidth,
    EquatableArray<LayerPlan> Layers)
{
    /// <summary>Floats of scratch per sample: the activations, then two gradient buffers used in turn.</summary>
    public int ScratchPerSample => ActivationsPerSample + 2 * GradientWidth;
}

/// <summary>The planner's answer.</summary>
internal sealed record PlanResult(NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);
