using System.Collections.Generic;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary>
/// <c>[GlobalMaxPooling2D]</c> or <c>[GlobalAveragePooling2D]</c>: an image [h, w, c] to the vector [c]; the 1-D kinds
/// (<see cref="Sequence"/>) a sequence [steps, c].
/// </summary>
internal sealed record GlobalPoolSpec(Declaration Declaration, bool Max, bool Sequence = false) : LayerSpec(Declaration)
{
    public override LayerUnit Unit => GlobalPoolUnit.Of(Max, Sequence);
}

/// <summary>What the global pooling units share; each kind is one small subclass.</summary>
internal abstract class GlobalPoolUnit(bool max, string kind, string variableStem, string kerasName, bool sequence = false) : LayerUnit
{
    private bool Max => max;

    /// <summary>The unit of the given kind.</summary>
    public static LayerUnit Of(bool max, bool sequence) => sequence
        ? max ? GlobalMaxPooling1DUnit.Instance : GlobalAveragePooling1DUnit.Instance
        : max ? GlobalMaxPooling2DUnit.Instance : GlobalAveragePooling2DUnit.Instance;

    public override string Kind => kind;

    public override string VariableStem => variableStem;

    /// <summary>Keras's name: <c>global_max_pooling2d</c> for the first, then <c>global_max_pooling2d_1</c>, ….</summary>
    public override string DefaultName(int index) => index == 0 ? kerasName : $"{kerasName}_{index}";

    public override IEnumerable<string> MemberSuffixes => Max ? new[] { "Output", "Argmax", "Forward", "Backward" } : new[] { "Output", "Forward", "Backward" };

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics) => new GlobalPoolSpec(declaration, Max, sequence);

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var pool = (GlobalPoolSpec)spec;
        if (sequence ? !WindowPlan.RequireSequence(pool.Declaration, context, kind.Replace("1D", "2D")) : !WindowPlan.RequireImage(pool.Declaration, context))
        {
            return null;
        }

        // A sequence's steps are an image's positions: [steps, c] is the image [1, steps, c].
        int[] shape = context.Source;
        int channels = shape[shape.Length - 1];
        int output = context.Allocate(channels);
        int argmax = Max && context.Training ? context.Allocate(channels) : NodePlan.None; // where each channel's maximum was
        return new GlobalPoolPlan(context.Header(spec, new[] { channels }, output), Max, sequence ? shape[0] : shape[0] * shape[1], channels, argmax, sequence);
    }
}

/// <summary><c>[GlobalMaxPooling2D]</c>, named as Keras names it: global_max_pooling2d, global_max_pooling2d_1, ….</summary>
internal sealed class GlobalMaxPooling2DUnit() : GlobalPoolUnit(max: true, "GlobalMaxPooling2D", "globalMaxPool", "global_max_pooling2d")
{
    public static readonly GlobalMaxPooling2DUnit Instance = new();
}

/// <summary><c>[GlobalAveragePooling2D]</c>, named as Keras names it: global_average_pooling2d, global_average_pooling2d_1, ….</summary>
internal sealed class GlobalAveragePooling2DUnit() : GlobalPoolUnit(max: false, "GlobalAveragePooling2D", "globalAveragePool", "global_average_pooling2d")
{
    public static readonly GlobalAveragePooling2DUnit Instance = new();
}

/// <summary><c>[GlobalMaxPooling1D]</c>, named as Keras names it: global_max_pooling1d, global_max_pooling1d_1, ….</summary>
internal sealed class GlobalMaxPooling1DUnit() : GlobalPoolUnit(max: true, "GlobalMaxPooling1D", "globalMaxPool1d", "global_max_pooling1d", sequence: true)
{
    public static readonly GlobalMaxPooling1DUnit Instance = new();
}

/// <summary><c>[GlobalAveragePooling1D]</c>, named as Keras names it: global_average_pooling1d, global_average_pooling1d_1, ….</summary>
internal sealed class GlobalAveragePooling1DUnit() : GlobalPoolUnit(max: false, "GlobalAveragePooling1D", "globalAveragePool1d", "global_average_pooling1d", sequence: true)
{
    public static readonly GlobalAveragePooling1DUnit Instance = new();
}

/// <summary>A planned global pooling layer: the image's positions (a sequence's steps) and channels, and max pooling's argmax in training.</summary>
internal sealed record GlobalPoolPlan(LayerHeader Header, bool Max, int Pixels, int Channels, int ArgmaxOffset, bool Sequence = false) : LayerPlan(Header)
{
    public override LayerUnit Unit => GlobalPoolUnit.Of(Max, Sequence);

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        string op = Max ? "GlobalMaxPool" : "GlobalAveragePool";
        string v = Header.Variable;
        w.Line($"// {Header.Name} {OnnxCode.Shapes(this)}: {op} over the channels-first {(Sequence ? "steps" : "positions")}, then Flatten to [batch, {Format.Int(Channels)}].");
        OnnxCode.EmitNode(w, "string " + v, op, new[] { $"graph.ChannelsFirst({site.Source()})" }, OnnxCode.Literal(Header.Name + "/" + op));
        OnnxCode.EmitNode(w, v, "Flatten", new[] { v }, OnnxCode.Literal(Header.Name), OnnxCode.Int("axis", 1));
        OnnxCode.EmitLayer(w, this, v, channelsFirst: false);
    }


    public override IEnumerable<(string Constant, int Offset)> ScratchConstants => PoolEmit.ScratchConstants(this, ArgmaxOffset);

    public override void EmitForward(SourceWriter w, ForwardSite site) => PoolEmit.Forward(w, this, site, Max, ArgmaxOffset);

    public override void EmitBackward(SourceWriter w, BackwardSite site) => PoolEmit.Backward(w, this, site, Max);

    private string Positions => Sequence ? "steps" : "positions";

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        string sizes = $"batchSize, {Format.Int(Pixels)}, {Format.Int(Channels)}";
        string what = Max ? "maximum" : "mean";
        string remembers = Max && site.Training ? "; remembers where each maximum was" : "";
        PoolEmit.Methods(w, this, site, Max,
            $"// {Header.Name}: {Format.Shape(Header.InputShape)} → {Format.Shape(Header.OutputShape)}, the {what} of each channel over its {Format.Int(Pixels)} {Positions}{remembers}.",
            Max ? $"Pool.GlobalMaxForward(x, y, argmax, {sizes})" : $"Pool.GlobalAverageForward(x, y, {sizes})",
            Max
                ? $"each channel's gradient goes to the {(Sequence ? "step" : "position")} that held its maximum; the others get zero."
                : $"each channel's gradient is shared equally by its {Format.Int(Pixels)} {Positions}.",
            Max
                ? $"Pool.MaxBackward(dy, argmax, dx, batchSize, {Format.Int(Header.InputSize)}, {Format.Int(Channels)})"
                : $"Pool.GlobalAverageBackward(dy, dx, {sizes})");
    }
}
