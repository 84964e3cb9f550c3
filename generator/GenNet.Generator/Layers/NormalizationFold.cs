using System.Linq;
using GenNet.Generator.Emit;

namespace GenNet.Generator.Layers;

/// <summary>
/// A BatchNormalization folded into the Dense or Conv2D layer it reads, in an inference-only network: the layer computes
/// its activation of W'·x + b' from a derived copy of its weight and bias (<c>_dense0Folded</c>), refreshed from the
/// parameters and running statistics when they change, and the normalisation computes nothing. What the layer needs of the
/// normalisation, and the code Dense and Conv2D share for it.
/// </summary>
/// <param name="Name">The normalisation's name (<c>bn_0</c>).</param>
/// <param name="Pascal">The stem of its constants (<c>Bn0</c>: <c>Bn0Weight</c>, <c>Bn0RunningVar</c>, …).</param>
/// <param name="Activation">Its activation, which the layer now applies.</param>
/// <param name="PreActivationOffset">Its GELU's saved input, which the layer now writes (or <see cref="Model.NodePlan.None"/>).</param>
/// <param name="Epsilon">Its ε.</param>
internal sealed record NormalizationFold(string Name, string Pascal, ActivationCode Activation, int PreActivationOffset, float Epsilon)
{
    /// <summary>The layer's folded copy: W' (in the order its kernel reads), then b'.</summary>
    public static string Copy(LayerPlan layer) => $"_{layer.Header.Variable}Folded";

    /// <summary>The values the copy was computed from, as they were: W, b, γ, β, running mean and variance.</summary>
    public static string Record(LayerPlan layer) => $"_{layer.Header.Variable}FoldedFrom";

    /// <summary>The folded weight as the layer's forward method reads it.</summary>
    public static string Weight(LayerPlan layer, string weights) => $"global::System.MemoryExtensions.AsSpan({Copy(layer)}, 0, {weights})";

    /// <summary>The folded bias as the layer's forward method reads it.</summary>
    public static string Bias(LayerPlan layer, string weights, int outputs) =>
        $"global::System.MemoryExtensions.AsSpan({Copy(layer)}, {weights}, {Format.Int(outputs)})";

    /// <summary>
    /// Its part of the layer's ONNX description, after the layer's node in <paramref name="variable"/>: ONNX keeps it what it
    /// is, an inference BatchNormalization over the running statistics (the runtime folds it again), then its activation.
    /// </summary>
    public void EmitOnnx(SourceWriter w, string variable)
    {
        w.Line($"// {Name}, which Forward folds into this layer's weights, stays ONNX's inference BatchNormalization here.");
        string target = Activation.Kind == Model.ActivationKind.Linear ? Name : Name + "/BatchNormalization";
        OnnxCode.EmitNode(w, variable, "BatchNormalization", new[] { variable }.Concat(NormalizationCode.OnnxStatistics(Name)), OnnxCode.Literal(target), OnnxCode.Float("epsilon", Epsilon));
        OnnxCode.EmitActivation(w, variable, Activation, Name);
    }

    /// <summary>The comment at the layer's call in <c>Propagate</c>.</summary>
    public void EmitCallComment(SourceWriter w, LayerPlan layer) =>
        w.Line($"// {layer.Header.Name} with {Name} folded in (inference only): {Name} has no pass of its own.");

    /// <summary>The derived copy and its record, declared before the layer's forward method.</summary>
    /// <param name="weightShape">The folded weight's shape as the kernel reads it (<c>[32, 3, 3, 16]</c>).</param>
    /// <param name="weights">Its size as written in code (<c>32 * 144</c>).</param>
    public void EmitFields(SourceWriter w, LayerPlan layer, string weightShape, string weights, int outputs)
    {
        string n = Format.Int(outputs);
        string epsilon = Epsilon.ToString("R", System.Globalization.CultureInfo.InvariantCulture).ToLowerInvariant();
        w.Line($"// {layer.Header.Name}'s weight {weightShape} and bias [{n}] with {Name} folded in: per output o, W'[o] = W[o] · s[o] and");
        w.Line($"// b'[o] = (b[o] − μ[o]) · s[o] + β[o], where s = γ / √(σ² + {epsilon}) from {Name}'s γ, β, running mean μ and variance σ².");
        w.Line($"// RefreshKernels recomputes them when any of those values changes; {Record(layer)} keeps W, b, γ, β, μ, σ² as they were.");
        w.Line($"private readonly float[] {Copy(layer)} = new float[{weights} + {n}];");
        w.Line($"private readonly float[] {Record(layer)} = new float[{weights} + 5 * {n}];");
        w.Line();
    }

    /// <summary>The refresh call in <c>RefreshKernels</c>: the layer's kernel (<c>RefreshFoldedConv</c>) and its sizes as named arguments.</summary>
    public void EmitRefresh(SourceWriter w, LayerPlan layer, string kernel, string weights, int outputs, string sizes)
    {
        string n = Format.Int(outputs);
        w.Line($"{Format.Kernels}.BatchNorm.{kernel}(");
        w.Line($"    parameters.Slice({layer.Pascal}Weight, {weights}), parameters.Slice({layer.Pascal}Bias, {n}), parameters.Slice({Pascal}Weight, {n}), parameters.Slice({Pascal}Bias, {n}),");
        w.Line($"    buffers.Slice({Pascal}RunningMean, {n}), buffers.Slice({Pascal}RunningVar, {n}), {Record(layer)}, {Copy(layer)}, {sizes}, epsilon: {Format.Float(Epsilon)});");
    }
}
