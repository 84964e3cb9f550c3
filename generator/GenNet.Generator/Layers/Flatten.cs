using System.Collections.Generic;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[Flatten]</c>: to one dimension; a multi-channel image goes to PyTorch's channel-major order.</summary>
internal sealed record FlattenSpec(Declaration Declaration) : LayerSpec(Declaration)
{
    public override LayerUnit Unit => FlattenUnit.Instance;
}

internal sealed class FlattenUnit : LayerUnit
{
    public static readonly FlattenUnit Instance = new();

    public override string Kind => "Flatten";

    public override string VariableStem => "flatten";

    public override IEnumerable<string> MemberSuffixes => new[] { "Output" };

    public override string DefaultName(int index) => index == 0 ? "flatten" : $"flatten_{index}";

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics) => new FlattenSpec(declaration);

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        int[] shape = context.Source;
        int size = 1;
        foreach (int dimension in shape)
        {
            size *= dimension;
        }

        bool reorders = shape.Length == 3 && shape[2] > 1;
        int output = reorders ? context.Allocate(size) : context.SourceOffsets[0];
        return new FlattenPlan(context.Header(spec, new[] { size }, output), reorders);
    }
}

/// <summary>A planned Flatten: a view of its source, or (a multi-channel image) a copy in channel-major order.</summary>
internal sealed record FlattenPlan(LayerHeader Header, bool ChannelMajor) : LayerPlan(Header)
{
    public override LayerUnit Unit => FlattenUnit.Instance;

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        if (Header.InputShape.Count == 1)
        {
            w.Line($"// {Header.Name}: already flat, so no node.");
            w.Line($"graph.Alias({OnnxCode.Literal(Header.Name)}, {site.Source()});");
            return;
        }

        // One channel: either layout is the same order, so the source is taken as it is.
        string source = ChannelMajor ? $"graph.ChannelsFirst({site.Source()})"
            : Header.InputShape[Header.InputShape.Count - 1] == 1 ? $"graph.Value({site.Source()})"
            : $"graph.ChannelsLast({site.Source()})";
        w.Line(ChannelMajor
            ? $"// {Header.Name} {OnnxCode.Shapes(this)}: Flatten of the channels-first image, PyTorch's channel-major order as in Forward."
            : $"// {Header.Name} {OnnxCode.Shapes(this)}: Flatten in GenNet's order, as in Forward.");
        OnnxCode.EmitNode(w, "string " + Header.Variable, "Flatten", new[] { source }, OnnxCode.Literal(Header.Name), OnnxCode.Int("axis", 1));
        OnnxCode.EmitLayer(w, this, Header.Variable, channelsFirst: false);
    }


    public override bool IsView => !ChannelMajor;

    /// <summary>A reordering only moves values, so an element-wise activation before it is still the one the loss sees.</summary>
    public override bool LossSeesThrough => true;

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants => ChannelMajor ? new[] { (Pascal + "Output", Header.OutputOffset) } : new (string, int)[0];

    private string Pixels => Format.Int(Header.InputShape[0] * Header.InputShape[1]);

    private string Channels => Format.Int(Header.InputShape[2]);

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        if (!ChannelMajor)
        {
            w.Line($"// {Header.Name}: {Format.Shape(Header.InputShape)} → {Format.Shape(Header.OutputShape)} reads the same memory.");
            return;
        }

        w.Line($"// {Header.Name}: {Format.Shape(Header.InputShape)} → {Format.Shape(Header.OutputShape)} in PyTorch's channel-major order, so dense weights interchange.");
        w.Line($"{Format.Span} {Header.Variable} = scratch.Slice({Pascal}Output * batchSize, {Format.Int(Header.OutputSize)} * batchSize);");
        w.Line($"{Format.Kernels}.Flatten.ToChannelMajor({site.Input}, {Header.Variable}, batchSize, {Pixels}, {Channels});");
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site)
    {
        if (site.DxOf0 is { } dx)
        {
            w.Line($"{Format.Kernels}.Flatten.FromChannelMajor({site.Dy}, {dx}, batchSize, {Pixels}, {Channels}); // {Header.Name}: back to channels-last");
        }
    }
}
