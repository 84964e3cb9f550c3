using System.Collections.Generic;
using System.Collections.Immutable;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[Dropout(rate)]</c>: inverted dropout in training steps, the identity otherwise.</summary>
internal sealed record DropoutSpec(Declaration Declaration, double Rate) : LayerSpec(Declaration)
{
    public override LayerUnit Unit => DropoutUnit.Instance;
}

internal sealed class DropoutUnit : LayerUnit
{
    public static readonly DropoutUnit Instance = new();

    public override string Kind => "Dropout";

    public override string VariableStem => "dropout";

    public override IEnumerable<string> MemberSuffixes => new[] { "Output", "Mask", "Forward" };

    public override string DefaultName(int index) => $"dropout_{index}";

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics)
    {
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        if (attribute.AttributeConstructor is null || arguments.Length != 1 || arguments[0].Value is not double rate)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where, "the argument must be a constant rate, for example [Dropout(0.5)]"));
            return new DropoutSpec(declaration, 0);
        }

        if (!(rate >= 0 && (float)rate < 1f)) // used as a float: 0.99999999 rounds to 1
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"the rate {rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} must be in [0, 1): the fraction of values zeroed while training"));
        }

        return new DropoutSpec(declaration, rate);
    }

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var dropout = (DropoutSpec)spec;
        if (context.FeedsOutput)
        {
            context.Invalid(spec.Declaration,
                "dropout must come before a layer with weights (Dense, a convolution or a normalisation): after the last one it would zero the outputs the loss compares; put it before the last such layer");
            return null;
        }

        int size = 1;
        foreach (int dimension in context.Source)
        {
            size *= dimension;
        }

        // Dropout only acts in training steps; an inference-only network has no use for it.
        int output = context.Training ? context.Allocate(size) : context.SourceOffsets[0];
        int mask = context.Training ? context.Allocate(size) : NodePlan.None;
        return new DropoutPlan(context.Header(spec, context.Source, output), (float)dropout.Rate, mask, context.KindIndex);
    }
}

/// <summary>
/// A planned Dropout of a trainable network: a training step draws a mask per sample from the network's seed, the step
/// count, the layer and the sample's place in the batch; Forward passes values through.
/// </summary>
internal sealed record DropoutPlan(LayerHeader Header, float Rate, int MaskOffset, int Index) : LayerPlan(Header)
{
    public override LayerUnit Unit => DropoutUnit.Instance;

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        w.Line($"// {Header.Name}: the identity in inference, so no node.");
        w.Line($"graph.Alias({OnnxCode.Literal(Header.Name)}, {site.Source()});");
    }


    public override bool IsView => MaskOffset < 0;

    public override bool BackwardInPlace => true;

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants =>
        IsView ? new (string, int)[0] : new[] { (Pascal + "Output", Header.OutputOffset), (Pascal + "Mask", MaskOffset) };

    private string Size => Format.Int(Header.InputSize);

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        if (IsView)
        {
            w.Line($"// {Header.Name}: acts only in training, which this network does not do.");
            return;
        }

        w.Line($"{Format.ReadOnlySpan} {Header.Variable} = {site.Input};");
        using (w.Block("if (training)"))
        {
            w.Line($"{Format.Span} dropped = scratch.Slice({Pascal}Output * batchSize, {Size} * batchSize);");
            w.Line($"{Pascal}Forward({site.Input}, scratch.Slice({Pascal}Mask * batchSize, {Size} * batchSize), dropped, batchSize, firstSample);");
            w.Line($"{Header.Variable} = dropped;");
        }
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site) =>
        w.Line($"{Format.Kernels}.Dropout.Backward(scratch.Slice({Pascal}Mask * batchSize, {Size} * batchSize), {site.Dy}); // {Header.Name}: dx = dy · mask");

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        if (IsView)
        {
            return;
        }

        string shown = Rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        string scale = (1.0 / (1.0 - Rate)).ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
        w.Line($"// {Header.Name}: {Format.Shape(Header.InputShape)}, rate {shown}: in training steps each value is zeroed with probability {shown} and the rest scaled by {scale}; Forward skips it.");
        w.Line($"private void {Pascal}Forward({Format.ReadOnlySpan} x, {Format.Span} mask, {Format.Span} y, int batchSize, int firstSample) =>");
        w.Line($"    {Format.Kernels}.Dropout.Forward(x, mask, y, batchSize, {Size}, _dropoutSeed, TrainingStep, layer: {Format.Int(Index)}, firstSample, {Format.Float(Rate)});");
    }
}
