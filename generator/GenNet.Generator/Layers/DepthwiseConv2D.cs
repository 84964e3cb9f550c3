using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[DepthwiseConv2D(kernel, activation)]</c>: each input channel convolved with its own DepthMultiplier filters, weight [C·M, 1, kh, kw].</summary>
internal sealed record DepthwiseConv2DSpec(
    Declaration Declaration, int KernelHeight, int KernelWidth, int Multiplier, ActivationKind Activation, float NegativeSlope, int Stride, PaddingKind Padding,
    ParameterOptions Options)
    : LayerSpec(Declaration)
{
    public override LayerUnit Unit => DepthwiseConv2DUnit.Instance;
}

internal sealed class DepthwiseConv2DUnit : LayerUnit
{
    public static readonly DepthwiseConv2DUnit Instance = new();

    public override string Kind => "DepthwiseConv2D";

    public override string VariableStem => "depthwiseConv";

    public override bool Learns => true;

    public override IEnumerable<string> MemberSuffixes => new[] { "Weight", "Bias", "Output", "PreActivation", "Kernel", "KernelSource", "Forward", "Backward" };

    /// <summary>Keras says <c>depthwise_conv2d</c>; GenNet numbers it as it numbers <c>conv_N</c>: <c>depthwise_conv_0</c>, ….</summary>
    public override string DefaultName(int index) => $"depthwise_conv_{index}";

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics)
    {
        if (DepthwiseArguments.Read(attribute, declaration, diagnostics, leading: 0, "[DepthwiseConv2D(3, Activation.ReLU)]", out _) is not { } read)
        {
            return new DepthwiseConv2DSpec(declaration, 0, 0, 1, ActivationKind.Linear, 0.01f, 1, PaddingKind.Valid, ParameterOptions.Default);
        }

        return new DepthwiseConv2DSpec(declaration, read.KernelHeight, read.KernelWidth, read.Multiplier, read.Activation, read.NegativeSlope, read.Stride, read.Padding,
            ParameterOptions.Read(attribute, declaration, diagnostics));
    }

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var conv = (DepthwiseConv2DSpec)spec;
        if (DepthwiseStep.Plan(conv.Declaration, context, conv.KernelHeight, conv.KernelWidth, conv.Multiplier, conv.Stride, conv.Padding) is not { } step)
        {
            return null;
        }

        int biasOffset = context.AllocateParameters(step.OutChannels);
        long outSize = (long)step.Window.Pixels * step.OutChannels;
        int preActivation = conv.Activation == ActivationKind.Gelu ? context.Allocate(outSize) : NodePlan.None;
        int output = context.Allocate(outSize);
        LayerHeader header = context.Header(spec, new[] { step.Window.OutHeight, step.Window.OutWidth, step.OutChannels }, output);
        return new DepthwiseConv2DPlan(header, new ActivationCode(conv.Activation, conv.NegativeSlope), step, biasOffset, preActivation, conv.Options);
    }
}

/// <summary>The arguments DepthwiseConv2D and SeparableConv2D share: the kernel, the activation, DepthMultiplier, Stride, Padding and NegativeSlope.</summary>
internal readonly record struct DepthwiseArguments(
    int KernelHeight, int KernelWidth, int Multiplier, ActivationKind Activation, float NegativeSlope, int Stride, PaddingKind Padding)
{
    /// <summary>
    /// Reads <c>(<paramref name="leading"/> ints, kernel size or height and width, activation)</c>, the leading ints going
    /// to <paramref name="leadingValues"/>; GN0008 (and null) when the arguments are not constants of that form.
    /// </summary>
    public static DepthwiseArguments? Read(
        AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics, int leading, string example, out int[] leadingValues)
    {
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        int[] values = arguments.Select(a => a.Value is int i ? i : int.MinValue).ToArray();
        leadingValues = values.Take(leading).ToArray();
        if (attribute.AttributeConstructor is null || arguments.Length != leading + 2 && arguments.Length != leading + 3 || values.Contains(int.MinValue))
        {
            string what = leading == 0 ? "a kernel size (or height and width)" : "filters, a kernel size (or height and width)";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"the arguments must be constant {what} and an Activation, for example {example}"));
            return null;
        }

        int activation = values[values.Length - 1];
        float slope = AttributeArguments.Named(attribute, "NegativeSlope", 0.01f);
        int multiplier = AttributeArguments.Named(attribute, "DepthMultiplier", 1);
        (int stride, PaddingKind padding) = AttributeArguments.Window(attribute, declaration, diagnostics, defaultStride: 1);
        ActivationCode.Check(activation, slope, declaration, diagnostics);
        if (activation == (int)ActivationKind.Softmax)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                "Softmax is not supported on a convolution; flatten the image and end with [Dense(classes, Activation.Softmax)]"));
        }

        return new DepthwiseArguments(values[leading], values[values.Length - 2], multiplier, (ActivationKind)activation, slope, stride, padding);
    }
}

/// <summary>
/// A planned depthwise convolution step (a DepthwiseConv2D layer, or the first half of a SeparableConv2D): its window, its
/// multiplier M, its weight [C·M, 1, kh, kw] in the parameters and the copy the kernels read, reordered to [kh, kw, C·M],
/// with the record of the weight that copy was made from.
/// </summary>
internal sealed record DepthwiseStep(WindowPlan Window, int Multiplier, int WeightOffset, int KernelOffset, int SourceOffset)
{
    private const string Kernels = Format.Kernels;

    public int OutChannels => Window.Channels * Multiplier;

    public int Taps => Window.WindowHeight * Window.WindowWidth;

    public int WeightCount => OutChannels * Taps;

    public long Flops => 2L * WeightCount * Window.Pixels;

    public int[] WeightShape => new[] { OutChannels, 1, Window.WindowHeight, Window.WindowWidth };

    /// <summary>The window and the weight, or a diagnostic: GN0020 without an image, GN0003 for a size ≤ 0, GN0021 for a kernel the image cannot hold.</summary>
    public static DepthwiseStep? Plan(Declaration declaration, PlanContext context, int kernelHeight, int kernelWidth, int multiplier, int stride, PaddingKind padding)
    {
        if (WindowPlan.Slide(declaration, context, kernelHeight, kernelWidth, stride, padding, kernel: true) is not { } window)
        {
            return null;
        }

        if (multiplier <= 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, declaration.Location, declaration.Where, "DepthMultiplier", multiplier);
            return null;
        }

        long outChannels = (long)window.Channels * multiplier;
        if (!context.Fits(outChannels * kernelHeight * kernelWidth, declaration, "weight") ||
            !context.Fits(outChannels * window.Pixels, declaration, "output"))
        {
            return null;
        }

        int weights = (int)(outChannels * kernelHeight * kernelWidth);
        return new DepthwiseStep(window, multiplier, context.AllocateParameters(weights), context.AllocateKernel(weights), context.AllocateKernelSource(weights));
    }

    /// <summary>"3×3 kernel, stride 1, valid padding, 2 filters per channel".</summary>
    public string Describe(string what) =>
        Window.Describe(what) + (Multiplier == 1 ? ", one filter per channel" : $", {Format.Int(Multiplier)} filters per channel");

    /// <summary>The kernels' size arguments: the multiplier, then the window's geometry.</summary>
    private string Geometry => $"multiplier: {Format.Int(Multiplier)}, {Window.Geometry}";

    /// <summary>The input pixel a tap reads, as the comments write it: <c>x[oy·2 + ky − 1, ox·2 + kx − 1, c]</c>.</summary>
    public string Tap(string channel)
    {
        static string Axis(string output, string tap, int stride, int pad) =>
            (stride == 1 ? output : $"{output}·{Format.Int(stride)}") + $" + {tap}" + (pad == 0 ? "" : $" − {Format.Int(pad)}");

        return $"x[{Axis("oy", "ky", Window.Stride, Window.PadTop)}, {Axis("ox", "kx", Window.Stride, Window.PadLeft)}, {channel}]";
    }

    public string Weight(string arena, string constant) => $"{arena}.Slice({constant}, {Format.Int(WeightCount)})";

    private string Kernel(string constant) => $"global::System.MemoryExtensions.AsSpan(_kernels, {constant}, {Format.Int(WeightCount)})";

    public (string Constant, int Offset, int Length, string Comment) Reordered(string constant, string name) =>
        (constant, KernelOffset, WeightCount, $"{name}: [{Format.Int(Window.WindowHeight)}, {Format.Int(Window.WindowWidth)}, {Format.Int(OutChannels)}]");

    /// <summary>The record of the weight the reordered copy was made from: <c>DepthwiseConv0KernelSource</c>, its offset, and its comment.</summary>
    public (string Constant, int Offset, string Comment) Source(string kernelConstant, string name) =>
        (SourceConstant(kernelConstant), SourceOffset, $"{name}.weight, for {kernelConstant}");

    private static string SourceConstant(string kernelConstant) => kernelConstant + "Source";

    /// <summary>Keras's fans for a depthwise kernel [kh, kw, C, M]: kh·kw·C in, kh·kw·M out.</summary>
    public (int In, int Out) Fans => (Taps * Window.Channels, Taps * Multiplier);

    /// <summary>The comment over the weight's initialisation, naming Keras's kernel shape its fans come from.</summary>
    public string FansComment => $"// Keras's fans for a [{Format.Int(Window.WindowHeight)}, {Format.Int(Window.WindowWidth)}, {Format.Int(Window.Channels)}, {Format.Int(Multiplier)}] depthwise kernel";

    /// <summary>Glorot-uniform with Keras's fans (SeparableConv2D's depthwise half, which takes no initializer options).</summary>
    public void EmitInitialization(SourceWriter w, string weightConstant)
    {
        w.Line(FansComment + ":");
        w.Line($"global::GenNet.Initializers.GlorotUniform({Weight("parameters", weightConstant)}, fanIn: {Format.Int(Fans.In)}, fanOut: {Format.Int(Fans.Out)}, ref random);");
    }

    /// <summary>The reordered copy, as one filter of C·M channels: [1, C·M, kh, kw] → [1, kh, kw, C·M].</summary>
    public void EmitKernelRefresh(SourceWriter w, string weightConstant, string kernelConstant)
    {
        string size = Format.Int(WeightCount);
        w.Line($"{Kernels}.Conv.RefreshChannelsLastKernel({Weight("parameters", weightConstant)}, " +
               $"global::System.MemoryExtensions.AsSpan(_kernelSources, {SourceConstant(kernelConstant)}, {size}), {Kernel(kernelConstant)}, " +
               $"1, {Format.Int(OutChannels)}, {Format.Int(Window.WindowHeight)}, {Format.Int(Window.WindowWidth)});");
    }

    public void EmitForward(SourceWriter w, string x, string kernelConstant, string bias, string y) =>
        w.Line($"{Kernels}.Depthwise.Forward({x}, {Kernel(kernelConstant)}, {bias}, {y}, {Geometry});");

    /// <summary>dW (PyTorch's layout) += the kernel-order gradient, db += Σ dy unless <paramref name="biasGradient"/> is "default".</summary>
    public void EmitBackwardWeights(SourceWriter w, string x, string dy, string weightConstant, string biasGradient)
    {
        w.Line($"{Kernels}.Depthwise.BackwardKernel({x}, {dy}, kernelGradient, {biasGradient}, {Geometry});");
        w.Line($"{Kernels}.Conv.AddFromChannelsLastKernel(kernelGradient, {Weight("gradients", weightConstant)}, 1, {Format.Int(OutChannels)}, " +
               $"{Format.Int(Window.WindowHeight)}, {Format.Int(Window.WindowWidth)});");
    }

    public void EmitBackwardInput(SourceWriter w, string dy, string kernelConstant, string dx) =>
        w.Line($"{Kernels}.Depthwise.BackwardInput({dy}, {Kernel(kernelConstant)}, {dx}, {Geometry});");
}

/// <summary>
/// A planned DepthwiseConv2D: the direct depthwise kernels over channels-last pixels (vectorised across channels), reading
/// the weight reordered to [kh, kw, C·M]; then the activation.
/// </summary>
internal sealed record DepthwiseConv2DPlan(
    LayerHeader Header, ActivationCode Activation, DepthwiseStep Step, int BiasOffset, int PreActivationOffset, ParameterOptions Options)
    : LayerPlan(Header)
{
    public override LayerUnit Unit => DepthwiseConv2DUnit.Instance;

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        string v = Header.Variable;
        w.Line($"// {Header.Name} {OnnxCode.Shapes(this)}: Conv in {Format.Int(Step.Window.Channels)} groups, one per input channel, weight {Format.Shape(Step.WeightShape)} as stored, " +
               $"{Step.Window.Describe("kernel")}{(Activation.Kind == ActivationKind.Linear ? "" : ", then " + Format.Activation(Activation.Kind))}.");
        OnnxCode.EmitNode(w, "string " + v, "Conv", new[] { $"graph.ChannelsFirst({site.Source()})", OnnxCode.Parameter(Header.Name + ".weight"), OnnxCode.Parameter(Header.Name + ".bias") },
            OnnxCode.Target(this, Activation, "Conv"), OnnxCode.Window(Step.Window).Append(OnnxCode.Int("group", Step.Window.Channels)).ToArray());
        OnnxCode.EmitActivatedLayer(w, this, v, Activation, channelsFirst: true);
    }


    public override bool HasParameters => true;

    public override IEnumerable<TensorPlan> Parameters => new[]
    {
        new TensorPlan($"{Header.Name}.weight", Step.WeightShape.ToEquatableArray(), Step.WeightOffset, Pascal + "Weight"),
        new TensorPlan($"{Header.Name}.bias", new[] { Step.OutChannels }.ToEquatableArray(), BiasOffset, Pascal + "Bias"),
    };

    public override ParameterOptions WeightOptions => Options;

    public override long ForwardFlops => Step.Flops;

    public override ActivationKind OutputActivation => Activation.Kind;

    public override LayerPlan WithFusedLoss() => this with { Activation = Activation with { FusedWithLoss = true } };

    public override string SummaryActivation => Format.Activation(Activation.Kind);

    public override (string Constant, int Offset, int Length, string Comment)? ReorderedKernel => Step.Reordered(Pascal + "Kernel", Header.Name);

    public override (string Constant, int Offset, string Comment)? KernelSource => Step.Source(Pascal + "Kernel", Header.Name);

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants => ActivatedScratch(PreActivationOffset);

    private string Bias(string arena) => $"{arena}.Slice({Pascal}Bias, {Format.Int(Step.OutChannels)})";

    public override void EmitInitialization(SourceWriter w)
    {
        w.Line(Step.FansComment + ":");
        Options.EmitInitialization(w, Step.Weight("parameters", Pascal + "Weight"), Step.Fans.In, Step.Fans.Out, Bias("parameters"), Step.OutChannels);
    }

    public override void EmitKernelRefresh(SourceWriter w) => Step.EmitKernelRefresh(w, Pascal + "Weight", Pascal + "Kernel");

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        w.Line($"{Format.Span} {Header.Variable} = scratch.Slice({Pascal}Output * batchSize, {Format.Int(Header.OutputSize)} * batchSize);");
        string z = Activation.NeedsPreActivation ? PreActivationSlice + ", " : "";
        w.Line($"{Pascal}Forward({site.Input}, {z}{Header.Variable}, batchSize);");
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site)
    {
        string saved = Activation.SavedArgument(site.Output, PreActivationSlice);
        string dx = site.DxOf0 is { } target ? target + ", " : "";
        w.Line($"{Pascal}Backward({site.Input}, {saved}{site.Dy}, {dx}kernelGradient.Slice(0, {Format.Int(Step.WeightCount)}), batchSize, gradients);");
    }

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        bool gelu = Activation.NeedsPreActivation;
        int m = Step.Multiplier;
        string channel = m == 1 ? "c" : $"c·{Format.Int(m)} + m";
        w.Line($"// {Header.Name}: {Format.Shape(Header.InputShape)} → {Format.Shape(Header.OutputShape)}, {Format.Activation(Activation.Kind)}; " +
               $"{Step.Describe("kernel")}. weight [{string.Join(", ", Step.WeightShape)}], bias [{Format.Int(Step.OutChannels)}].");
        w.Line($"// Output channel {channel} convolves input channel c alone: z[oy, ox, {channel}] = b + Σ W[{channel}, 0, ky, kx] · {Step.Tap("c")} over the taps " +
               $"inside the image; W is read as its copy reordered to [{Format.Int(Step.Window.WindowHeight)}, {Format.Int(Step.Window.WindowWidth)}, {Format.Int(Step.OutChannels)}].");
        using (w.Block($"private void {Pascal}Forward({Format.ReadOnlySpan} x, " + (gelu ? $"{Format.Span} z, " : "") + $"{Format.Span} y, int batchSize)"))
        {
            w.Line($"{Format.ReadOnlySpan} parameters = ParameterValues;");
            Step.EmitForward(w, "x", Pascal + "Kernel", Bias("parameters"), gelu ? "z" : "y");
            Activation.EmitForward(w, Step.OutChannels);
        }

        if (!site.Training || !Header.InBackward)
        {
            return;
        }

        bool needsDx = Header.NeedsInputGradient;
        w.Line();
        w.Line($"// {Header.Name} backward: {Activation.BackwardComment}; dW' = Σ dz·x per tap (in the reordered layout) is added to dW in PyTorch's layout, db += Σ dz" +
               (needsDx ? "; dx = each dz times each tap, added back onto the input it read." : " (nothing before it learns: no dx)."));
        string backward = $"private void {Pascal}Backward({Format.ReadOnlySpan} x, {Activation.SavedParameter}{Format.Span} dy, " +
            (needsDx ? $"{Format.Span} dx, " : "") + $"{Format.Span} kernelGradient, int batchSize, {Format.Span} gradients)";
        using (w.Block(backward))
        {
            Activation.EmitBackward(w, Step.OutChannels);
            Step.EmitBackwardWeights(w, "x", "dy", Pascal + "Weight", Bias("gradients"));
            if (needsDx)
            {
                Step.EmitBackwardInput(w, "dy", Pascal + "Kernel", "dx");
            }
        }
    }
}
