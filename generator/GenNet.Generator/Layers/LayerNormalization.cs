using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[LayerNormalization]</c>: normalises each sample's last axis (each pixel's channels) over itself.</summary>
internal sealed record LayerNormalizationSpec(Declaration Declaration, float Epsilon, ActivationKind Activation, float NegativeSlope)
    : LayerSpec(Declaration)
{
    public override LayerUnit Unit => LayerNormalizationUnit.Instance;
}

internal sealed class LayerNormalizationUnit : LayerUnit
{
    public static readonly LayerNormalizationUnit Instance = new();

    public override string Kind => "LayerNormalization";

    public override string VariableStem => "layerNorm";

    public override bool Learns => true;

    public override IEnumerable<string> MemberSuffixes =>
        new[] { "Weight", "Bias", "Statistics", "Output", "PreActivation", "Forward", "Backward" };

    /// <summary><c>ln_0</c>, <c>ln_1</c>, …, as <c>dense_0</c> and <c>bn_0</c> (Keras's <c>layer_normalization</c> is not used; see the attribute).</summary>
    public override string DefaultName(int index) => $"ln_{index}";

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics)
    {
        (float epsilon, ActivationKind activation, float slope) =
            NormalizationCode.Read(attribute, declaration, diagnostics, "it keeps a constant row's 1/σ finite");
        return new LayerNormalizationSpec(declaration, epsilon, activation, slope);
    }

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var ln = (LayerNormalizationSpec)spec;
        int[] shape = context.Source;
        int channels = shape[shape.Length - 1];
        long size = shape.Aggregate(1L, (a, b) => a * b);
        if (!context.Fits(size, spec.Declaration, "output"))
        {
            return null;
        }

        int weight = context.AllocateParameters(channels);
        int bias = context.AllocateParameters(channels);
        var activation = new ActivationCode(ln.Activation, ln.NegativeSlope);
        int preActivation = activation.NeedsPreActivation ? context.Allocate(size) : NodePlan.None;
        int output = context.Allocate(size);
        int statistics = context.Training ? context.Allocate(3 * (size / channels)) : NodePlan.None; // each row's mean (μ + δ) and 1/σ, for backward
        return new LayerNormalizationPlan(context.Header(spec, shape, output), activation, ln.Epsilon, weight, bias, preActivation, statistics);
    }
}

/// <summary>
/// A planned LayerNormalization over <c>channels</c> = the last axis: each row (the sample, or one pixel of it) is
/// normalised by its own mean and variance. A trainable network keeps each row's mean and 1/σ in the activation arena
/// (<c>StatisticsOffset</c>) for the backward pass; an inference-only one keeps nothing.
/// </summary>
internal sealed record LayerNormalizationPlan(
    LayerHeader Header, ActivationCode Activation, float Epsilon, int WeightOffset, int BiasOffset, int PreActivationOffset, int StatisticsOffset)
    : LayerPlan(Header)
{
    private const string Kernels = Format.Kernels;

    public override LayerUnit Unit => LayerNormalizationUnit.Instance;

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        string v = Header.Variable;
        w.Line($"// {Header.Name} {OnnxCode.Shapes(this)}: ONNX's LayerNormalization (opset 17) over the last axis, channels-last{(Activation.Kind == ActivationKind.Linear ? "" : ", then " + Format.Activation(Activation.Kind))}.");
        OnnxCode.EmitNode(w, "string " + v, "LayerNormalization", new[] { $"graph.ChannelsLast({site.Source()})", OnnxCode.Parameter(Header.Name + ".weight"), OnnxCode.Parameter(Header.Name + ".bias") },
            OnnxCode.Target(this, Activation, "LayerNormalization"), OnnxCode.Int("axis", -1), OnnxCode.Float("epsilon", Epsilon));
        OnnxCode.EmitActivatedLayer(w, this, v, Activation, channelsFirst: false);
    }


    private int Channels => Header.OutputShape[Header.OutputShape.Count - 1];

    /// <summary>Rows of one sample: 1 for a vector, every pixel of an image.</summary>
    private int Positions => Header.OutputSize / Channels;

    private bool KeepsStatistics => StatisticsOffset != NodePlan.None;

    public override bool HasParameters => true;

    public override IEnumerable<TensorPlan> Parameters => NormalizationCode.Parameters(this, Channels, WeightOffset, BiasOffset);

    /// <summary>Per value: (x − μ)², (x − μ)·(1/σ) and x̂·γ + β.</summary>
    public override long ForwardFlops => 6L * Header.OutputSize;

    public override ActivationKind OutputActivation => Activation.Kind;

    public override LayerPlan WithFusedLoss() => this with { Activation = Activation with { FusedWithLoss = true } };

    public override string SummaryActivation => Activation.Kind == ActivationKind.Linear ? "" : Format.Activation(Activation.Kind);

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants =>
        KeepsStatistics
            ? ActivatedScratch(PreActivationOffset).Append((Pascal + "Statistics", StatisticsOffset))
            : ActivatedScratch(PreActivationOffset);

    private string Rows => Positions == 1 ? "batchSize" : $"batchSize * {Format.Int(Positions)}";

    /// <summary>The batch's statistics as generated code names them: <c>scratch.Slice(LayerNorm0Statistics * batchSize, 3 * batchSize)</c>.</summary>
    private string StatisticsSlice => $"scratch.Slice({Pascal}Statistics * batchSize, {Format.Int(3 * Positions)} * batchSize)";

    public override void EmitInitialization(SourceWriter w) => NormalizationCode.EmitInitialization(w, this, Channels);

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        string variable = Header.Variable;
        w.Line($"{Format.Span} {variable} = scratch.Slice({Pascal}Output * batchSize, {Format.Int(Header.OutputSize)} * batchSize);");
        string z = Activation.NeedsPreActivation ? PreActivationSlice + ", " : "";
        string statistics = KeepsStatistics ? StatisticsSlice + ", " : "";
        w.Line($"{Pascal}Forward({site.Input}, {z}{variable}, {statistics}batchSize);");
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site)
    {
        string saved = Activation.SavedArgument(site.Output, PreActivationSlice);
        string dx = site.DxOf0 is { } target ? target + ", " : "";
        w.Line($"{Pascal}Backward({site.Input}, {StatisticsSlice}, {saved}{site.Dy}, {dx}batchSize, gradients);");
    }

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        string channels = Format.Int(Channels);
        string weight = $"parameters.Slice({Pascal}Weight, {channels})";
        string bias = $"parameters.Slice({Pascal}Bias, {channels})";
        string shownEpsilon = Epsilon.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant();
        string rows = Positions == 1 ? $"each sample's {channels} values" : $"the {channels} channels of each of the {Format.Int(Positions)} positions";
        string activated = Activation.Kind == ActivationKind.Linear ? "" : $", then {Format.Activation(Activation.Kind)}";
        string kept = KeepsStatistics ? "; keeps each row's mean and 1/σ in statistics for the backward pass" : "";

        w.Line($"// {Header.Name}: {Format.Shape(Header.InputShape)}, {rows} normalised over themselves: γ · (x − μ) / √(σ² + ε) + β{activated}; " +
               $"ε {shownEpsilon}, weight (γ) and bias (β) [{channels}]{kept}.");
        string z = Activation.NeedsPreActivation ? $"{Format.Span} z, " : "";
        string statistics = KeepsStatistics ? $"{Format.Span} statistics, " : "";
        using (w.Block($"private void {Pascal}Forward({Format.ReadOnlySpan} x, {z}{Format.Span} y, {statistics}int batchSize)"))
        {
            w.Line($"{Format.ReadOnlySpan} parameters = ParameterValues;");
            string target = Activation.NeedsPreActivation ? "z" : "y";
            w.Line($"{Kernels}.LayerNorm.Forward(x, {weight}, {bias}, {target}, {(KeepsStatistics ? "statistics" : "default")}, {Rows}, {channels}, {Format.Float(Epsilon)});");
            Activation.EmitForward(w, Header.OutputSize);
        }

        if (!site.Training || !Header.InBackward)
        {
            return;
        }

        NormalizationCode.EmitBackward(w, this, Activation, $"{Format.ReadOnlySpan} statistics, ",
            ", and per row, with g = γ·dz, dx = (g − mean(g) − x̂ · mean(g·x̂)) / σ.",
            dx => $"{Kernels}.LayerNorm.Backward(x, ParameterValues.Slice({Pascal}Weight, {channels}), statistics, dy, {dx}, " +
                  $"gradients.Slice({Pascal}Weight, {channels}), gradients.Slice({Pascal}Bias, {channels}), {Rows}, {channels});");
    }
}
