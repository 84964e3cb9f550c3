using System.Collections.Generic;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[GlobalMaxPooling2D]</c> or <c>[GlobalAveragePooling2D]</c>: an image [h, w, c] to the vector [c].</summary>
internal sealed record GlobalPoolSpec(Declaration Declaration, bool Max) : LayerSpec(Declaration)
{
    public override LayerUnit Unit => Max ? GlobalMaxPooling2DUnit.Instance : GlobalAveragePooling2DUnit.Instance;
}

/// <summary>What the two global pooling units share; each kind is one small subclass.</summary>
internal abstract class GlobalPoolUnit(bool max, string kind, string variableStem, string kerasName) : LayerUnit
{
    private bool Max => max;

    public override string Kind => kind;

    public override string VariableStem => variableStem;

    /// <summary>Keras's name: <c>global_max_pooling2d</c> for the first, then <c>global_max_pooling2d_1</c>, ….</summary>
    public override string DefaultName(int index) => index == 0 ? kerasName : $"{kerasName}_{index}";

    public override IEnumerable<string> MemberSuffixes => Max ? new[] { "Output", "Argmax", "Forward", "Backward" } : new[] { "Output", "Forward", "Backward" };

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics) => new GlobalPoolSpec(declaration, Max);

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var pool = (GlobalPoolSpec)spec;
        if (!WindowPlan.RequireImage(pool.Declaration, context))
        {
            return null;
        }

        int[] shape = context.Source;
        int channels = shape[2];
        int output = context.Allocate(channels);
        int argmax = Max && context.Training ? context.Allocate(channels) : NodePlan.None; // where each channel's maximum was
        return new GlobalPoolPlan(context.Header(spec, new[] { channels }, output), Max, shape[0] * shape[1], channels, argmax);
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

/// <summary>A planned global pooling layer: the image's positions and channels, and max pooling's argmax in training.</summary>
internal sealed record GlobalPoolPlan(LayerHeader Header, bool Max, int Pixels, int Channels, int ArgmaxOffset) : LayerPlan(Header)
{
    public override LayerUnit Unit => Max ? GlobalMaxPooling2DUnit.Instance : GlobalAveragePooling2DUnit.Instance;

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants => PoolEmit.ScratchConstants(this, ArgmaxOffset);

    public override void EmitForward(SourceWriter w, ForwardSite site) => PoolEmit.Forward(w, this, site, Max, ArgmaxOffset);

    public override void EmitBackward(SourceWriter w, BackwardSite site) => PoolEmit.Backward(w, this, site, Max);

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        string sizes = $"batchSize, {Format.Int(Pixels)}, {Format.Int(Channels)}";
        string what = Max ? "maximum" : "mean";
        string remembers = Max && site.Training ? "; remembers where each maximum was" : "";
        PoolEmit.Methods(w, this, site, Max,
            $"// {Header.Name}: {Format.Shape(Header.InputShape)} → {Format.Shape(Header.OutputShape)}, the {what} of each channel over its {Format.Int(Pixels)} positions{remembers}.",
            Max ? $"Pool.GlobalMaxForward(x, y, argmax, {sizes})" : $"Pool.GlobalAverageForward(x, y, {sizes})",
            Max
                ? "each channel's gradient goes to the position that held its maximum; the others get zero."
                : $"each channel's gradient is shared equally by its {Format.Int(Pixels)} positions.",
            Max
                ? $"Pool.MaxBackward(dy, argmax, dx, batchSize, {Format.Int(Header.InputSize)}, {Format.Int(Channels)})"
                : $"Pool.GlobalAverageBackward(dy, dx, {sizes})");
    }
}
