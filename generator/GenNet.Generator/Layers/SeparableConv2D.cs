using System.Collections.Generic;
using System.Linq;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[SeparableConv2D(filters, kernel, activation)]</c>: a depthwise convolution without bias, then a 1×1 convolution with bias and the activation.</summary>
internal sealed record SeparableConv2DSpec(
    Declaration Declaration, int Filters, int KernelHeight, int KernelWidth, int Multiplier, ActivationKind Activation, float NegativeSlope, int Stride, PaddingKind Padding)
    : LayerSpec(Declaration)
{
    public override LayerUnit Unit => SeparableConv2DUnit.Instance;
}

internal sealed class SeparableConv2DUnit : LayerUnit
{
    public static readonly SeparableConv2DUnit Instance = new();

    public override string Kind => "SeparableConv2D";

    public override string VariableStem => "separableConv";

    public override bool Learns => true;

    public override IEnumerable<string> MemberSuffixes =>
        new[] { "DepthwiseWeight", "PointwiseWeight", "PointwiseBias", "DepthwiseOutput", "Output", "PreActivation", "Kernel", "KernelSource", "Forward", "Backward" };

    /// <summary>Keras says <c>separable_conv2d</c>; GenNet numbers it as it numbers <c>conv_N</c>: <c>separable_conv_0</c>, ….</summary>
    public override string DefaultName(int index) => $"separable_conv_{index}";

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics)
    {
        if (DepthwiseArguments.Read(attribute, declaration, diagnostics, leading: 1, "[SeparableConv2D(32, 3, Activation.ReLU)]", out int[] filters) is not { } read)
        {
            return new SeparableConv2DSpec(declaration, 0, 0, 0, 1, ActivationKind.Linear, 0.01f, 1, PaddingKind.Valid);
        }

        return new SeparableConv2DSpec(declaration, filters[0], read.KernelHeight, read.KernelWidth, read.Multiplier, read.Activation, read.NegativeSlope, read.Stride, read.Padding);
    }

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var conv = (SeparableConv2DSpec)spec;
        Declaration declaration = conv.Declaration;
        if (DepthwiseStep.Plan(declaration, context, conv.KernelHeight, conv.KernelWidth, conv.Multiplier, conv.Stride, conv.Padding) is not { } step)
        {
            return null;
        }

        if (conv.Filters <= 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, declaration.Location, declaration.Where, "filters", conv.Filters);
            return null;
        }

        long pointwise = (long)conv.Filters * step.OutChannels;
        long outSize = (long)step.Window.Pixels * conv.Filters;
        if (!context.Fits(pointwise, declaration, "pointwise weight") || !context.Fits(outSize, declaration, "output"))
        {
            return null;
        }

        int pointwiseWeight = context.AllocateParameters(pointwise);
        int pointwiseBias = context.AllocateParameters(conv.Filters);
        int depthwiseOutput = context.Allocate((long)step.Window.Pixels * step.OutChannels);
        int preActivation = conv.Activation == ActivationKind.Gelu ? context.Allocate(outSize) : NodePlan.None;
        int output = context.Allocate(outSize);
        LayerHeader header = context.Header(spec, new[] { step.Window.OutHeight, step.Window.OutWidth, conv.Filters }, output);
        return new SeparableConv2DPlan(header, new ActivationCode(conv.Activation, conv.NegativeSlope), step, pointwiseWeight, pointwiseBias, depthwiseOutput, preActivation);
    }
}

/// <summary>
/// A planned SeparableConv2D: the depthwise step into its own buffer d [batch·pixels, C·M], then the 1×1 step, which over
/// channels-last pixels is the Dense product <c>y = d · Pᵀ + b</c> with the pointwise weight [filters, C·M, 1, 1] as a
/// [filters, C·M] matrix. Its backward pass writes dL/dd over d, which nothing needs after the pointwise weight gradient.
/// </summary>
internal sealed record SeparableConv2DPlan(
    LayerHeader Header, ActivationCode Activation, DepthwiseStep Step, int PointwiseWeightOffset, int PointwiseBiasOffset, int DepthwiseOffset, int PreActivationOffset)
    : LayerPlan(Header)
{
    private const string Kernels = Format.Kernels;

    public override LayerUnit Unit => SeparableConv2DUnit.Instance;

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        string v = Header.Variable;
        w.Line($"// {Header.Name} {OnnxCode.Shapes(this)}: the depthwise Conv in {Format.Int(Step.Window.Channels)} groups without bias, {Step.Window.Describe("kernel")}, " +
               $"then the pointwise 1×1 Conv with bias{(Activation.Kind == ActivationKind.Linear ? "" : ", then " + Format.Activation(Activation.Kind))}.");
        OnnxCode.EmitNode(w, "string " + v, "Conv", new[] { $"graph.ChannelsFirst({site.Source()})", OnnxCode.Parameter(Header.Name + ".depthwise.weight") },
            OnnxCode.Literal(Header.Name + "/depthwise"), OnnxCode.Window(Step.Window).Append(OnnxCode.Int("group", Step.Window.Channels)).ToArray());
        OnnxCode.EmitNode(w, v, "Conv", new[] { v, OnnxCode.Parameter(Header.Name + ".pointwise.weight"), OnnxCode.Parameter(Header.Name + ".pointwise.bias") },
            OnnxCode.Target(this, Activation, "pointwise"), OnnxCode.Ints("kernel_shape", new[] { 1, 1 }));
        OnnxCode.EmitActivatedLayer(w, this, v, Activation, channelsFirst: true);
    }


    private int Filters => Header.OutputShape[2];

    private int Pointwise => Filters * Step.OutChannels;

    public override bool HasParameters => true;

    public override IEnumerable<TensorPlan> Parameters => new[]
    {
        new TensorPlan($"{Header.Name}.depthwise.weight", Step.WeightShape.ToEquatableArray(), Step.WeightOffset, Pascal + "DepthwiseWeight"),
        new TensorPlan($"{Header.Name}.pointwise.weight", new[] { Filters, Step.OutChannels, 1, 1 }.ToEquatableArray(), PointwiseWeightOffset, Pascal + "PointwiseWeight"),
        new TensorPlan($"{Header.Name}.pointwise.bias", new[] { Filters }.ToEquatableArray(), PointwiseBiasOffset, Pascal + "PointwiseBias"),
    };

    public override long ForwardFlops => Step.Flops + 2L * Pointwise * Step.Window.Pixels;

    public override ActivationKind OutputActivation => Activation.Kind;

    public override LayerPlan WithFusedLoss() => this with { Activation = Activation with { FusedWithLoss = true } };

    public override string SummaryActivation => Format.Activation(Activation.Kind);

    public override (string Constant, int Offset, int Length, string Comment)? ReorderedKernel => Step.Reordered(Pascal + "Kernel", Header.Name + ".depthwise");

    public override (string Constant, int Offset, string Comment)? KernelSource => Step.Source(Pascal + "Kernel", Header.Name + ".depthwise");

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants =>
        new[] { (Pascal + "DepthwiseOutput", DepthwiseOffset) }.Concat(ActivatedScratch(PreActivationOffset));

    private string DepthwiseSlice => $"scratch.Slice({Pascal}DepthwiseOutput * batchSize, {Format.Int(Step.Window.Pixels * Step.OutChannels)} * batchSize)";

    private string PointwiseWeight(string arena) => $"{arena}.Slice({Pascal}PointwiseWeight, {Format.Int(Pointwise)})";

    private string PointwiseBias(string arena) => $"{arena}.Slice({Pascal}PointwiseBias, {Format.Int(Filters)})";

    /// <summary>The pointwise product's sizes: rows (every pixel of the batch), inputs C·M, outputs filters.</summary>
    private string ProductSizes => $"batchSize * {Format.Int(Step.Window.Pixels)}, {Format.Int(Step.OutChannels)}, {Format.Int(Filters)}";

    public override void EmitInitialization(SourceWriter w)
    {
        Step.EmitInitialization(w, Pascal + "DepthwiseWeight");
        w.Line($"global::GenNet.Initializers.GlorotUniform({PointwiseWeight("parameters")}, fanIn: {Format.Int(Step.OutChannels)}, fanOut: {Format.Int(Filters)}, ref random);");
        w.Line($"{PointwiseBias("parameters")}.Clear();");
    }

    public override void EmitKernelRefresh(SourceWriter w) => Step.EmitKernelRefresh(w, Pascal + "DepthwiseWeight", Pascal + "Kernel");

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        w.Line($"{Format.Span} {Header.Variable} = scratch.Slice({Pascal}Output * batchSize, {Format.Int(Header.OutputSize)} * batchSize);");
        string z = Activation.NeedsPreActivation ? PreActivationSlice + ", " : "";
        w.Line($"{Pascal}Forward({site.Input}, {DepthwiseSlice}, {z}{Header.Variable}, batchSize);");
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site)
    {
        string saved = Activation.SavedArgument(site.Output, PreActivationSlice);
        string dx = site.DxOf0 is { } target ? target + ", " : "";
        w.Line($"{Pascal}Backward({site.Input}, {saved}{site.Dy}, {DepthwiseSlice}, {dx}kernelGradient.Slice(0, {Format.Int(Step.WeightCount)}), batchSize, gradients);");
    }

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        bool gelu = Activation.NeedsPreActivation;
        string channels = Format.Int(Step.OutChannels), filters = Format.Int(Filters), pixels = Format.Int(Step.Window.Pixels);
        w.Line($"// {Header.Name}: {Format.Shape(Header.InputShape)} → {Format.Shape(Header.OutputShape)}, {Format.Activation(Activation.Kind)}; " +
               $"depthwise {Step.Describe("kernel")} (no bias) into d [{Format.Int(Step.Window.OutHeight)}, {Format.Int(Step.Window.OutWidth)}, {channels}], then 1×1 to {filters} channels.");
        string channel = Step.Multiplier == 1 ? "c" : $"c·{Format.Int(Step.Multiplier)} + m";
        w.Line($"// d[oy, ox, {channel}] = Σ D[{channel}, 0, ky, kx] · {Step.Tap("c")} over the taps inside the image, D = depthwise.weight [{string.Join(", ", Step.WeightShape)}] " +
               $"read as its copy reordered to [{Format.Int(Step.Window.WindowHeight)}, {Format.Int(Step.Window.WindowWidth)}, {channels}];");
        w.Line($"// then the 1×1 step is a product: d [batch·{pixels}, {channels}] · Pᵀ + b with P = pointwise.weight [{filters}, {channels}, 1, 1] as [{filters}, {channels}], b = pointwise.bias [{filters}].");
        using (w.Block($"private void {Pascal}Forward({Format.ReadOnlySpan} x, {Format.Span} d, " + (gelu ? $"{Format.Span} z, " : "") + $"{Format.Span} y, int batchSize)"))
        {
            w.Line($"{Format.ReadOnlySpan} parameters = ParameterValues;");
            Step.EmitForward(w, "x", Pascal + "Kernel", "bias: default", "d");
            w.Line($"{Kernels}.Dense.Forward(d, {PointwiseWeight("parameters")}, {PointwiseBias("parameters")}, {(gelu ? "z" : "y")}, {ProductSizes});");
            Activation.EmitForward(w, Filters);
        }

        if (!site.Training || !Header.InBackward)
        {
            return;
        }

        bool needsDx = Header.NeedsInputGradient;
        w.Line();
        w.Line($"// {Header.Name} backward: {Activation.BackwardComment}; dP += dzᵀ·d, db += Σ dz; dd = dz·P, written over d; " +
               "dD' = Σ dd·x per tap (in the reordered layout) is added to dD in PyTorch's layout" +
               (needsDx ? "; dx = each dd times each tap, added back onto the input it read." : " (nothing before it learns: no dx)."));
        string backward = $"private void {Pascal}Backward({Format.ReadOnlySpan} x, {Activation.SavedParameter}{Format.Span} dy, {Format.Span} d, " +
            (needsDx ? $"{Format.Span} dx, " : "") + $"{Format.Span} kernelGradient, int batchSize, {Format.Span} gradients)";
        using (w.Block(backward))
        {
            w.Line($"{Format.ReadOnlySpan} parameters = ParameterValues;");
            Activation.EmitBackward(w, Filters);
            w.Line($"{Kernels}.Dense.BackwardWeights(dy, d, {PointwiseWeight("gradients")}, {PointwiseBias("gradients")}, {ProductSizes});");
            w.Line($"{Kernels}.Dense.BackwardInput(dy, {PointwiseWeight("parameters")}, d, {ProductSizes});");
            Step.EmitBackwardWeights(w, "x", "d", Pascal + "DepthwiseWeight", "biasGradient: default");
            if (needsDx)
            {
                Step.EmitBackwardInput(w, "d", Pascal + "Kernel", "dx");
            }
        }
    }
}
