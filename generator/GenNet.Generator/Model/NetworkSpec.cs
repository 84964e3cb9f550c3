namespace GenNet.Generator.Model;

/// <summary>
/// A layer as declared: its kind and arguments, where it was written, and its 1-based position. <see cref="Units"/> is a
/// Dense layer's outputs or a convolution's filters; the window is a convolution's kernel or a pooling window.
/// </summary>
internal sealed record LayerSpec(
    LayerKind Kind,
    int Position,
    LocationInfo? Location,
    int Units = 0,
    ActivationKind Activation = ActivationKind.Linear,
    float NegativeSlope = 0.01f,
    int WindowHeight = 0,
    int WindowWidth = 0,
    int Stride = 1,
    PaddingKind Padding = PaddingKind.Valid,
    double Rate = 0);

/// <summary>A containing type of a nested network class (outermost first).</summary>
internal sealed record ContainingTypeSpec(string Keyword, string Name);

/// <summary>A weights file named by <c>[Network(Weights = …)]</c>: as written, its file name, and its resource name.</summary>
internal sealed record WeightsSpec(string Path, string FileName, string ResourceName);

/// <summary>Everything the generator needs about one declared network, as plain values.</summary>
internal sealed record NetworkSpec(
    string? Namespace,
    string TypeName,
    string HintName,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    LossKind Loss,
    LocationInfo? NetworkLocation,
    EquatableArray<int> InputShape,
    LocationInfo? InputLocation,
    EquatableArray<LayerSpec> Layers,
    bool Training = true,
    WeightsSpec? Weights = null);

/// <summary>The parser's answer: a spec when the declaration could be read, and what was wrong with it.</summary>
internal sealed record ParseResult(NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>Nothing to generate and nothing to say (the compiler already reports the problem).</summary>
    public static readonly ParseResult Nothing = new(null, EquatableArray<DiagnosticInfo>.Empty);
}
