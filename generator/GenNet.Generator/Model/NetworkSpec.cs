namespace GenNet.Generator.Model;

/// <summary>
/// Where a layer was declared: its kind, its 1-based place among the layers, its place among all declarations (inputs
/// included, which decides what "the output declared just before" is), and the <c>Name</c> and <c>From</c> it was given.
/// </summary>
internal sealed record Declaration(string Kind, int Position, int Order, LocationInfo? Location, string? Name = null, string? From = null)
{
    /// <summary>"Layer 3 (Dense)", for messages.</summary>
    public string Where => $"Layer {Position} ({Kind})";
}

/// <summary>A layer as declared, its arguments read by its <see cref="Layers.LayerUnit"/>; each kind derives its own record.</summary>
internal abstract record LayerSpec(Declaration Declaration)
{
    /// <summary>The unit that reads, plans and emits this kind of layer.</summary>
    public abstract Layers.LayerUnit Unit { get; }

    /// <summary>The names of the outputs a merge joins (empty for a layer with one input, which reads <c>From</c> or the previous output).</summary>
    public virtual EquatableArray<string> Joins => EquatableArray<string>.Empty;

    /// <summary>In an inference-only network, folds into the layer it reads when that layer <see cref="AbsorbsAffine"/> (BatchNormalization).</summary>
    public virtual bool FoldsIntoSource => false;

    /// <summary>Can take an affine map per output channel that follows it into its weight and bias (Dense, Conv2D without activation).</summary>
    public virtual bool AbsorbsAffine => false;
}

/// <summary>An <c>[Input]</c>: the shape of one sample, an optional name and its place among the declarations.</summary>
internal sealed record InputSpec(string? Name, EquatableArray<int> Shape, int Order, LocationInfo? Location);

/// <summary>A containing type of a nested network class (outermost first).</summary>
internal sealed record ContainingTypeSpec(string Keyword, string Name);

/// <summary>A weights file named by <c>[Network(Weights = …)]</c>: as written, its file name, and its resource name.</summary>
internal sealed record WeightsSpec(string Path, string FileName, string ResourceName);

/// <summary>An ONNX file named by <c>[Network(Onnx = …)]</c>: as written, and its file name (the build's files in obj/GenNet are named after it).</summary>
internal sealed record OnnxSpec(string Path, string FileName);

/// <summary>Everything the generator needs about one declared network, as plain values.</summary>
internal sealed record NetworkSpec(
    string? Namespace,
    string TypeName,
    string HintName,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    LossKind Loss,
    LocationInfo? NetworkLocation,
    EquatableArray<InputSpec> Inputs,
    EquatableArray<LayerSpec> Layers,
    bool Training = true,
    WeightsSpec? Weights = null,
    WeightPrecisionKind WeightPrecision = WeightPrecisionKind.Float32,
    OnnxSpec? Onnx = null);

/// <summary>The parser's answer: a spec when the declaration could be read, and what was wrong with it.</summary>
internal sealed record ParseResult(NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>Nothing to generate and nothing to say (the compiler already reports the problem).</summary>
    public static readonly ParseResult Nothing = new(null, EquatableArray<DiagnosticInfo>.Empty);
}
