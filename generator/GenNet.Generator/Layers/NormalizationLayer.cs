using System.Collections.Generic;
using System.Linq;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

// The unit of [Normalization], Keras's preprocessing layer (the file is not Normalization.cs, which holds the code
// BatchNormalization and LayerNormalization share).

/// <summary><c>[Normalization]</c>: standardises each feature of the last axis by an adapted mean and variance.</summary>
internal sealed record NormalizationSpec(Declaration Declaration) : LayerSpec(Declaration)
{
    public override LayerUnit Unit => NormalizationUnit.Instance;
}

internal sealed class NormalizationUnit : LayerUnit
{
    public static readonly NormalizationUnit Instance = new();

    public override string Kind => "Normalization";

    public override string VariableStem => "normalization";

    public override IEnumerable<string> MemberSuffixes => new[] { "Mean", "Variance", "Output", "Forward", "Backward" };

    /// <summary>Keras's names: <c>normalization</c>, <c>normalization_1</c>, ….</summary>
    public override string DefaultName(int index) => index == 0 ? "normalization" : $"normalization_{index}";

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics) =>
        new NormalizationSpec(declaration);

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        int[] shape = context.Source;
        long size = shape.Aggregate(1L, (a, b) => a * b);
        if (!context.Fits(size, spec.Declaration, "output"))
        {
            return null;
        }

        int features = shape[shape.Length - 1];
        int mean = context.AllocateBuffers(features);
        int variance = context.AllocateBuffers(features);
        int output = context.Allocate(size);
        return new NormalizationPlan(context.Header(spec, shape, output), mean, variance);
    }
}

/// <summary>
/// A planned Normalization over <c>features</c> = the last axis, every position of an image or a sequence sharing the
/// feature's statistics: the mean and variance are buffers, read by both the training and the inference form (which
/// are the same), set by <c>Adapt</c> or a weight file. Its backward pass divides the gradient in place.
/// </summary>
internal sealed record NormalizationPlan(LayerHeader Header, int MeanOffset, int VarianceOffset) : LayerPlan(Header)
{
    public override LayerUnit Unit => NormalizationUnit.Instance;

    private int Features => Header.OutputShape[Header.OutputShape.Count - 1];

    /// <summary>Rows of one sample: 1 for a vector, every position of an image or a sequence.</summary>
    private int Positions => Header.OutputSize / Features;

    private string Rows => Positions == 1 ? "batchSize" : $"batchSize * {Format.Int(Positions)}";

    public override IEnumerable<TensorPlan> Buffers => new[]
    {
        new TensorPlan($"{Header.Name}.mean", new[] { Features }.ToEquatableArray(), MeanOffset, Pascal + "Mean"),
        new TensorPlan($"{Header.Name}.variance", new[] { Features }.ToEquatableArray(), VarianceOffset, Pascal + "Variance"),
    };

    public override NormalizationStatistics? AdaptedStatistics => new(Header.Name, Pascal + "Mean", Pascal + "Variance", Features);

    public override bool BackwardInPlace => true;

    /// <summary>A subtraction and a division per value.</summary>
    public override long ForwardFlops => 2L * Header.OutputSize;

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants => new[] { (Pascal + "Output", Header.OutputOffset) };

    /// <summary>Mean 0 and variance 1: the identity until adapted.</summary>
    public override void EmitInitialization(SourceWriter w)
    {
        string features = Format.Int(Features);
        w.Line($"buffers.Slice({Pascal}Mean, {features}).Clear();");
        w.Line($"buffers.Slice({Pascal}Variance, {features}).Fill(1f);");
    }

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        string variable = Header.Variable;
        w.Line($"{Format.Span} {variable} = scratch.Slice({Pascal}Output * batchSize, {Format.Int(Header.OutputSize)} * batchSize);");
        w.Line($"{Pascal}Forward({site.Input}, {variable}, batchSize);");
    }

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        // Sqrt and Max in the graph (not a divisor computed at export): the file keeps the statistics under their own names,
        // so a tool that reads it finds Keras's mean and variance.
        string v = Header.Variable;
        string name = Header.Name;
        w.Line($"// {name} {OnnxCode.Shapes(this)}: (x − mean) / max(√variance, 1e-7) per feature of the last axis, channels-last.");
        OnnxCode.EmitNode(w, "string " + v + "Std", "Sqrt", new[] { OnnxCode.Buffer(name + ".variance") }, OnnxCode.Literal(name + "/Sqrt"));
        OnnxCode.EmitNode(w, v + "Std", "Max", new[] { v + "Std", "graph.Scalar(1e-7f)" }, OnnxCode.Literal(name + "/Max"));
        OnnxCode.EmitNode(w, "string " + v, "Sub", new[] { $"graph.ChannelsLast({site.Source()})", OnnxCode.Buffer(name + ".mean") }, OnnxCode.Literal(name + "/Sub"));
        OnnxCode.EmitNode(w, v, "Div", new[] { v, v + "Std" }, OnnxCode.Literal(name));
        OnnxCode.EmitLayer(w, this, v, channelsFirst: false);
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site) => w.Line($"{Pascal}Backward({site.Dy}, batchSize);");

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        string features = Format.Int(Features);
        string mean = $"Buffers.Slice({Pascal}Mean, {features})";
        string variance = $"Buffers.Slice({Pascal}Variance, {features})";
        string over = Positions == 1 ? $"{features} features" : $"{features} features at each of the {Format.Int(Positions)} positions";
        w.Line($"// {Header.Name}: {Format.Shape(Header.InputShape)}, {over} standardised by their adapted statistics: y = (x − mean) / max(√variance, 1e-7).");
        using (w.Block($"private void {Pascal}Forward({Format.ReadOnlySpan} x, {Format.Span} y, int batchSize)"))
        {
            w.Line($"{Format.Kernels}.Standardize.Forward(x, {mean}, {variance}, y, {Rows}, {features});");
        }

        if (!site.Training || !Header.InBackward)
        {
            return;
        }

        w.Line();
        w.Line($"// {Header.Name} backward, in place: dx = dy / max(√variance, 1e-7).");
        using (w.Block($"private void {Pascal}Backward({Format.Span} dy, int batchSize)"))
        {
            w.Line($"{Format.Kernels}.Standardize.Backward({variance}, dy, dy, {Rows}, {features});");
        }
    }
}

/// <summary>
/// What <c>Adapt</c> needs to know about a Normalization layer: its name, the constants naming its mean and variance in
/// the buffer arena, and its number of features.
/// </summary>
internal sealed record NormalizationStatistics(string Name, string MeanConstant, string VarianceConstant, int Features);
