using System.Collections.Generic;
using System.Collections.Immutable;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[Masking(value)]</c>: a sequence's steps whose features all equal the value become padding for the recurrent layer after it.</summary>
internal sealed record MaskingSpec(Declaration Declaration, float Value) : LayerSpec(Declaration)
{
    public override LayerUnit Unit => MaskingUnit.Instance;
}

internal sealed class MaskingUnit : LayerUnit
{
    public static readonly MaskingUnit Instance = new();

    public override string Kind => "Masking";

    public override string VariableStem => "masking";

    public override IEnumerable<string> MemberSuffixes => new[] { "Mask", "Output", "Forward", "Backward" };

    /// <summary>Keras's names: <c>masking</c> for the first, then <c>masking_1</c>, ….</summary>
    public override string DefaultName(int index) => index == 0 ? "masking" : $"masking_{index}";

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics)
    {
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        if (attribute.AttributeConstructor is null || arguments.Length > 1 || arguments.Length == 1 && arguments[0].Value is not float)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                "the argument must be a constant padding value, for example [Masking] (0) or [Masking(-1f)]"));
            return new MaskingSpec(declaration, 0f);
        }

        float value = arguments.Length == 1 ? (float)arguments[0].Value! : 0f;
        if (float.IsNaN(value) || float.IsInfinity(value))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"the padding value {value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} must be a finite number: no step could equal NaN"));
        }

        return new MaskingSpec(declaration, value);
    }

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        int[] shape = context.Source;
        if (shape.Length != 2)
        {
            context.Report(DiagnosticDescriptors.NeedsSequenceInput, spec.Declaration.Location, spec.Declaration.Where, string.Join(", ", shape),
                "it masks whole steps of a sequence [steps, features] for the recurrent layer after it");
            return null;
        }

        if (!context.Fits((long)shape[0] * shape[1], spec.Declaration, "output"))
        {
            return null;
        }

        int mask = context.Allocate(shape[0]);
        int output = context.Allocate((long)shape[0] * shape[1]);
        return new MaskingPlan(context.Header(spec, shape, output), ((MaskingSpec)spec).Value, mask);
    }
}

/// <summary>A planned Masking: its step mask (<c>Mask</c>, [steps, batch]) and its output, the input zeroed at padded steps.</summary>
internal sealed record MaskingPlan(LayerHeader Header, float Value, int MaskOffset) : LayerPlan(Header)
{
    private const string Kernels = Format.Kernels;

    public override LayerUnit Unit => MaskingUnit.Instance;

    private int Steps => Header.OutputShape[0];

    private int Features => Header.OutputShape[1];

    /// <summary>The padding value as a comment shows it: <c>-1</c>.</summary>
    private string Shown => Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private string Rule => $"every feature {Shown}";

    public override StepMask? OutputMask => new(Pascal + "Mask", Header.Name, Header.Variable, Rule);

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants => new[] { (Pascal + "Mask", MaskOffset), (Pascal + "Output", Header.OutputOffset) };

    private string MaskSlice => $"scratch.Slice({Pascal}Mask * batchSize, {Format.Int(Steps)} * batchSize)";

    private string Sizes => $"batchSize, steps: {Format.Int(Steps)}, features: {Format.Int(Features)}";

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        w.Line($"// {Header.Name} {Format.Shape(Header.InputShape)}: a step whose features are all {Shown} is padding; the mask [{Format.Int(Steps)}, batch] for the recurrent layer after it, the output zero there.");
        w.Line($"{Format.Span} {Header.Variable} = scratch.Slice({Pascal}Output * batchSize, {Format.Int(Header.OutputSize)} * batchSize);");
        w.Line($"{Kernels}.Masking.Forward({site.Input}, {Header.Variable}, {MaskSlice}, {Format.Float(Value)}, {Sizes});");
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site)
    {
        if (site.DxOf0 is { } dx)
        {
            w.Line($"{Kernels}.Masking.Backward({site.Dy}, {dx}, {MaskSlice}, {Sizes}); // {Header.Name}: dx = dy at real steps, 0 at padding");
        }
    }

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        string v = Header.Variable, name = Header.Name, mask = v + "Mask";
        w.Line($"// {name} {OnnxCode.Shapes(this)}: the step mask m [batch, {Format.Int(Steps)}] = any feature ≠ {Shown}, then y = x·m.");
        w.Line($"string {v} = graph.ChannelsLast({site.Source()});");
        OnnxCode.EmitNode(w, "string " + mask, "Equal", new[] { v, $"graph.Scalar({Format.Float(Value)})" }, OnnxCode.Literal(name + "/padding_value"));
        OnnxCode.EmitNode(w, mask, "Not", new[] { mask }, OnnxCode.Literal(name + "/other_value"));
        OnnxCode.EmitNode(w, mask, "Cast", new[] { mask }, OnnxCode.Literal(name + "/other_value_float"), OnnxCode.Int("to", 1));
        OnnxCode.EmitNode(w, mask, "ReduceMax", new[] { mask }, OnnxCode.Literal(name + "/mask"), OnnxCode.Ints("axes", new[] { 2 }), OnnxCode.Int("keepdims", 0));
        OnnxCode.EmitNode(w, v, "Mul", new[] { v, $"graph.Node(\"Unsqueeze\", [{mask}, graph.Int64Constant({OnnxCode.Literal(name + ".feature_axis")}, [2], [1])], {OnnxCode.Literal(name + "/mask_column")})" },
            OnnxCode.Literal(name));
        OnnxCode.EmitLayer(w, this, v, channelsFirst: false);
    }
}
