using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary>
/// <c>[MaxPool2D(size)]</c> or <c>[AveragePool2D(size)]</c>, or over a sequence <c>[MaxPool1D(size)]</c> or
/// <c>[AveragePool1D(size)]</c>; <see cref="Stride"/> 0 means the pool size.
/// </summary>
internal sealed record PoolSpec(Declaration Declaration, bool Max, int PoolSize, int Stride, PaddingKind Padding, bool Sequence = false) : LayerSpec(Declaration)
{
    public override LayerUnit Unit => PoolUnit.Of(Max, Sequence);
}

/// <summary>What the two pooling units share; each kind is one small subclass.</summary>
internal abstract class PoolUnit : LayerUnit
{
    protected abstract bool Max { get; }

    /// <summary>Pools a sequence [steps, channels] (the 1-D kinds) rather than an image.</summary>
    protected virtual bool Sequence => false;

    /// <summary>The unit of the given kind.</summary>
    public static LayerUnit Of(bool max, bool sequence) => sequence
        ? max ? MaxPool1DUnit.Instance : AveragePool1DUnit.Instance
        : max ? MaxPool2DUnit.Instance : AveragePool2DUnit.Instance;

    public override IEnumerable<string> MemberSuffixes => Max ? new[] { "Output", "Argmax", "Forward", "Backward" } : new[] { "Output", "Forward", "Backward" };

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics)
    {
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        if (attribute.AttributeConstructor is null || arguments.Length != 1 || arguments[0].Value is not int poolSize)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"the argument must be a constant pool size, for example [{Kind}(2)]"));
            return new PoolSpec(declaration, Max, 0, 0, PaddingKind.Valid, Sequence);
        }

        (int stride, PaddingKind padding) = AttributeArguments.Window(attribute, declaration, diagnostics, defaultStride: 0);
        return new PoolSpec(declaration, Max, poolSize, stride, padding, Sequence);
    }

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var pool = (PoolSpec)spec;
        int stride = pool.Stride == 0 ? pool.PoolSize : pool.Stride;
        WindowPlan? planned = Sequence
            ? WindowPlan.SlideSequence(pool.Declaration, context, pool.PoolSize, stride, pool.Padding, kernel: false, imageKind: Max ? "MaxPool2D" : "AveragePool2D")
            : WindowPlan.Slide(pool.Declaration, context, pool.PoolSize, pool.PoolSize, stride, pool.Padding, kernel: false);
        if (planned is not { } window)
        {
            return null;
        }

        int outSize = window.Pixels * window.Channels;
        int output = context.Allocate(outSize);
        int argmax = Max && context.Training ? context.Allocate(outSize) : NodePlan.None; // where each maximum was
        return new PoolPlan(context.Header(spec, window.OutputShape(window.Channels), output), Max, window, argmax);
    }
}

internal sealed class MaxPool2DUnit : PoolUnit
{
    public static readonly MaxPool2DUnit Instance = new();

    protected override bool Max => true;

    public override string Kind => "MaxPool2D";

    public override string VariableStem => "maxPool";

    public override string DefaultName(int index) => $"max_pool_{index}";
}

internal sealed class AveragePool2DUnit : PoolUnit
{
    public static readonly AveragePool2DUnit Instance = new();

    protected override bool Max => false;

    public override string Kind => "AveragePool2D";

    public override string VariableStem => "averagePool";

    public override string DefaultName(int index) => $"average_pool_{index}";
}

/// <summary>Keras's <c>MaxPooling1D</c>: the 2-D kernels over the sequence as an image one step high, under a 1×size window.</summary>
internal sealed class MaxPool1DUnit : PoolUnit
{
    public static readonly MaxPool1DUnit Instance = new();

    protected override bool Max => true;

    protected override bool Sequence => true;

    public override string Kind => "MaxPool1D";

    public override string VariableStem => "maxPool1d";

    /// <summary>Keras's name: <c>max_pooling1d</c> for the first, then <c>max_pooling1d_1</c>, ….</summary>
    public override string DefaultName(int index) => index == 0 ? "max_pooling1d" : $"max_pooling1d_{index}";
}

/// <summary>Keras's <c>AveragePooling1D</c>: the 2-D kernels over the sequence as an image one step high, under a 1×size window.</summary>
internal sealed class AveragePool1DUnit : PoolUnit
{
    public static readonly AveragePool1DUnit Instance = new();

    protected override bool Max => false;

    protected override bool Sequence => true;

    public override string Kind => "AveragePool1D";

    public override string VariableStem => "averagePool1d";

    /// <summary>Keras's name: <c>average_pooling1d</c> for the first, then <c>average_pooling1d_1</c>, ….</summary>
    public override string DefaultName(int index) => index == 0 ? "average_pooling1d" : $"average_pooling1d_{index}";
}

/// <summary>A planned pooling layer: constant geometry for the pooling kernels, and max pooling's argmax in training.</summary>
internal sealed record PoolPlan(LayerHeader Header, bool Max, WindowPlan Window, int ArgmaxOffset) : LayerPlan(Header)
{
    public override LayerUnit Unit => PoolUnit.Of(Max, Window.Sequence);

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        string op = Max ? "MaxPool" : "AveragePool";
        string padding = Max || Window.Padding == PaddingKind.Valid ? "" : "; padding is left out of each mean (count_include_pad = 0), as in Forward";
        w.Line($"// {Header.Name} {OnnxCode.Shapes(this)}: {op} channels-first, {Window.Describe("window")}{padding}.");
        OnnxCode.EmitNode(w, "string " + Header.Variable, op, new[] { $"graph.ChannelsFirst({site.Source()})" }, OnnxCode.Literal(Header.Name), OnnxCode.Window(Window).ToArray());
        OnnxCode.EmitLayer(w, this, Header.Variable, channelsFirst: true);
    }


    public override IEnumerable<(string Constant, int Offset)> ScratchConstants => PoolEmit.ScratchConstants(this, ArgmaxOffset);

    public override void EmitForward(SourceWriter w, ForwardSite site) => PoolEmit.Forward(w, this, site, Max, ArgmaxOffset);

    public override void EmitBackward(SourceWriter w, BackwardSite site) => PoolEmit.Backward(w, this, site, Max);

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        string geometry = Window.Geometry;
        string what = Max ? "maximum" : "mean";
        string remembers = Max && site.Training ? "; remembers where each maximum was" : "";
        PoolEmit.Methods(w, this, site, Max,
            $"// {Header.Name}: {Format.Shape(Header.InputShape)} → {Format.Shape(Header.OutputShape)}, the {what} of each {Window.Describe("window")}{remembers}.",
            Max ? $"Pool.MaxForward(x, y, argmax, {geometry})" : $"Pool.AverageForward(x, y, {geometry})",
            Max
                ? "each gradient goes to the input that held its window's maximum."
                : "each gradient is shared equally by the inputs of its window.",
            Max
                ? $"Pool.MaxBackward(dy, argmax, dx, batchSize, {Format.Int(Header.InputSize)}, {Format.Int(Header.OutputSize)})"
                : $"Pool.AverageBackward(dy, dx, {geometry})");
    }
}

/// <summary>
/// What the pooling plans (windowed and global) emit alike: the output and, for max pooling in training, the argmax in
/// scratch; the forward and backward calls; the method pair around the kernel calls each plan supplies.
/// </summary>
internal static class PoolEmit
{
    public static IEnumerable<(string Constant, int Offset)> ScratchConstants(LayerPlan plan, int argmaxOffset) =>
        argmaxOffset >= 0
            ? new[] { (plan.Pascal + "Output", plan.Header.OutputOffset), (plan.Pascal + "Argmax", argmaxOffset) }
            : new[] { (plan.Pascal + "Output", plan.Header.OutputOffset) };

    /// <summary>Max pooling's argmax: one int per output element, in the floats reserved for it.</summary>
    private static string Argmax(LayerPlan plan) =>
        $"global::System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(scratch.Slice({plan.Pascal}Argmax * batchSize, {Format.Int(plan.Header.OutputSize)} * batchSize))";

    public static void Forward(SourceWriter w, LayerPlan plan, ForwardSite site, bool max, int argmaxOffset)
    {
        w.Line($"{Format.Span} {plan.Header.Variable} = scratch.Slice({plan.Pascal}Output * batchSize, {Format.Int(plan.Header.OutputSize)} * batchSize);");
        // The argmax only for a training step's backward pass: Forward (training false) keeps the maxima alone.
        string argmax = !max ? "" : argmaxOffset >= 0 ? $"training ? {Argmax(plan)} : default, " : "argmax: default, ";
        w.Line($"{plan.Pascal}Forward({site.Input}, {plan.Header.Variable}, {argmax}batchSize);");
    }

    public static void Backward(SourceWriter w, LayerPlan plan, BackwardSite site, bool max)
    {
        if (site.DxOf0 is { } dx)
        {
            string argmax = max ? $"{Argmax(plan)}, " : "";
            w.Line($"{plan.Pascal}Backward({site.Dy}, {argmax}{dx}, batchSize);");
        }
    }

    /// <summary>
    /// The forward method (after <paramref name="comment"/>) calling <c>Kernels.</c><paramref name="forward"/>, and in a
    /// training network whose backward pass reaches this layer's input, the backward method calling
    /// <c>Kernels.</c><paramref name="backward"/>, commented with what <paramref name="backwardDoes"/>.
    /// </summary>
    public static void Methods(SourceWriter w, LayerPlan plan, MethodSite site, bool max, string comment, string forward, string backwardDoes, string backward)
    {
        string pascal = plan.Pascal;
        w.Line(comment);
        w.Line(max
            ? $"private static void {pascal}Forward({Format.ReadOnlySpan} x, {Format.Span} y, global::System.Span<int> argmax, int batchSize) =>"
            : $"private static void {pascal}Forward({Format.ReadOnlySpan} x, {Format.Span} y, int batchSize) =>");
        w.Line($"    {Format.Kernels}.{forward};");
        if (!site.Training || !plan.Header.InBackward || !plan.Header.NeedsInputGradient)
        {
            return;
        }

        w.Line();
        w.Line($"// {plan.Header.Name} backward: {backwardDoes}");
        w.Line(max
            ? $"private static void {pascal}Backward({Format.ReadOnlySpan} dy, global::System.ReadOnlySpan<int> argmax, {Format.Span} dx, int batchSize) =>"
            : $"private static void {pascal}Backward({Format.ReadOnlySpan} dy, {Format.Span} dx, int batchSize) =>");
        w.Line($"    {Format.Kernels}.{backward};");
    }
}
