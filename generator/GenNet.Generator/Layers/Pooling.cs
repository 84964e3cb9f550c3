using System.Collections.Generic;
using System.Collections.Immutable;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[MaxPool2D(size)]</c> or <c>[AveragePool2D(size)]</c>; <see cref="Stride"/> 0 means the pool size.</summary>
internal sealed record PoolSpec(Declaration Declaration, bool Max, int PoolSize, int Stride, PaddingKind Padding) : LayerSpec(Declaration)
{
    public override LayerUnit Unit => Max ? MaxPool2DUnit.Instance : AveragePool2DUnit.Instance;
}

/// <summary>What the two pooling units share; each kind is one small subclass.</summary>
internal abstract class PoolUnit : LayerUnit
{
    protected abstract bool Max { get; }

    public override IEnumerable<string> MemberSuffixes => Max ? new[] { "Output", "Argmax", "Forward", "Backward" } : new[] { "Output", "Forward", "Backward" };

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics)
    {
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        if (attribute.AttributeConstructor is null || arguments.Length != 1 || arguments[0].Value is not int poolSize)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"the argument must be a constant pool size, for example [{Kind}(2)]"));
            return new PoolSpec(declaration, Max, 0, 0, PaddingKind.Valid);
        }

        (int stride, PaddingKind padding) = AttributeArguments.Window(attribute, declaration, diagnostics, defaultStride: 0);
        return new PoolSpec(declaration, Max, poolSize, stride, padding);
    }

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var pool = (PoolSpec)spec;
        int stride = pool.Stride == 0 ? pool.PoolSize : pool.Stride;
        if (WindowPlan.Slide(pool.Declaration, context, pool.PoolSize, pool.PoolSize, stride, pool.Padding, kernel: false) is not { } window)
        {
            return null;
        }

        int outSize = window.Pixels * window.Channels;
        int output = context.Allocate(outSize);
        int argmax = Max && context.Training ? context.Allocate(outSize) : NodePlan.None; // where each maximum was
        return new PoolPlan(context.Header(spec, new[] { window.OutHeight, window.OutWidth, window.Channels }, output), Max, window, argmax);
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

/// <summary>A planned pooling layer: constant geometry for the pooling kernels, and max pooling's argmax in training.</summary>
internal sealed record PoolPlan(LayerHeader Header, bool Max, WindowPlan Window, int ArgmaxOffset) : LayerPlan(Header)
{
    private const string Kernels = Format.Kernels;

    public override LayerUnit Unit => Max ? MaxPool2DUnit.Instance : AveragePool2DUnit.Instance;

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants =>
        ArgmaxOffset >= 0 ? new[] { (Pascal + "Output", Header.OutputOffset), (Pascal + "Argmax", ArgmaxOffset) } : new[] { (Pascal + "Output", Header.OutputOffset) };

    private string Argmax =>
        $"global::System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(scratch.Slice({Pascal}Argmax * batchSize, {Format.Int(Header.OutputSize)} * batchSize))";

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        w.Line($"{Format.Span} {Header.Variable} = scratch.Slice({Pascal}Output * batchSize, {Format.Int(Header.OutputSize)} * batchSize);");
        string argmax = !Max ? "" : ArgmaxOffset >= 0 ? $"{Argmax}, " : "argmax: default, ";
        w.Line($"{Pascal}Forward({site.Input}, {Header.Variable}, {argmax}batchSize);");
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site)
    {
        if (site.DxOf0 is not { } dx)
        {
            return;
        }

        string argmax = Max ? $"{Argmax}, " : "";
        w.Line($"{Pascal}Backward({site.Dy}, {argmax}{dx}, batchSize);");
    }

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        string geometry = Window.Geometry;
        string what = Max ? "maximum" : "mean";
        string remembers = Max && site.Training ? "; remembers where each maximum was" : "";
        w.Line($"// {Header.Name}: {Format.Shape(Header.InputShape)} → {Format.Shape(Header.OutputShape)}, the {what} of each {Window.Describe("window")}{remembers}.");
        if (Max)
        {
            w.Line($"private static void {Pascal}Forward({Format.ReadOnlySpan} x, {Format.Span} y, global::System.Span<int> argmax, int batchSize) =>");
            w.Line($"    {Kernels}.Pool.MaxForward(x, y, argmax, {geometry});");
        }
        else
        {
            w.Line($"private static void {Pascal}Forward({Format.ReadOnlySpan} x, {Format.Span} y, int batchSize) =>");
            w.Line($"    {Kernels}.Pool.AverageForward(x, y, {geometry});");
        }

        if (!site.Training || !Header.InBackward || !Header.NeedsInputGradient)
        {
            return;
        }

        w.Line();
        if (Max)
        {
            w.Line($"// {Header.Name} backward: each gradient goes to the input that held its window's maximum.");
            w.Line($"private static void {Pascal}Backward({Format.ReadOnlySpan} dy, global::System.ReadOnlySpan<int> argmax, {Format.Span} dx, int batchSize) =>");
            w.Line($"    {Kernels}.Pool.MaxBackward(dy, argmax, dx, batchSize, {Format.Int(Header.InputSize)}, {Format.Int(Header.OutputSize)});");
        }
        else
        {
            w.Line($"// {Header.Name} backward: each gradient is shared equally by the inputs of its window.");
            w.Line($"private static void {Pascal}Backward({Format.ReadOnlySpan} dy, {Format.Span} dx, int batchSize) =>");
            w.Line($"    {Kernels}.Pool.AverageBackward(dy, dx, {geometry});");
        }
    }
}
