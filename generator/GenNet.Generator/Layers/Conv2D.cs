using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[Conv2D(filters, kernel, activation)]</c> over a channels-last image, weight [filters, channels, kh, kw] as PyTorch's.</summary>
internal sealed record Conv2DSpec(
    Declaration Declaration, int Filters, int KernelHeight, int KernelWidth, ActivationKind Activation, float NegativeSlope, int Stride, PaddingKind Padding,
    ParameterOptions Options)
    : LayerSpec(Declaration)
{
    public override LayerUnit Unit => Conv2DUnit.Instance;

    public override bool AbsorbsAffine => Activation == ActivationKind.Linear;
}

internal sealed class Conv2DUnit : LayerUnit
{
    public static readonly Conv2DUnit Instance = new();

    public override string Kind => "Conv2D";

    public override string VariableStem => "conv";

    public override bool Learns => true;

    public override IEnumerable<string> MemberSuffixes => new[] { "Weight", "Bias", "Output", "PreActivation", "Kernel", "Winograd", "Taps", "KernelSource", "WinogradSource", "TapsSource", "Forward", "Backward" };

    public override IEnumerable<string> FieldSuffixes => new[] { "Folded", "FoldedFrom" };

    public override string DefaultName(int index) => $"conv_{index}";

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics) =>
        ReadConvolution(attribute, declaration, diagnostics, new[] { 3, 4 }, "a kernel size (or height and width)", "[Conv2D(32, 3, Activation.ReLU)]", "image") is { } c
            ? new Conv2DSpec(declaration, c.Values[0], c.Values[1], c.Values[c.Values.Length - 2], c.Activation, c.Slope, c.Stride, c.Padding, c.Options)
            : new Conv2DSpec(declaration, 0, 0, 0, ActivationKind.Linear, 0.01f, 1, PaddingKind.Valid, ParameterOptions.Default);

    /// <summary>
    /// A convolution attribute's constant arguments (filters, kernel sizes, then the activation last), NegativeSlope, Stride
    /// Padding and the initializers and L2 penalties; null after GN0008 when the arguments are not <paramref name="counts"/> constants. <paramref name="input"/>
    /// names what the convolution reads ("image"), for the Softmax message.
    /// </summary>
    internal static (int[] Values, ActivationKind Activation, float Slope, int Stride, PaddingKind Padding, ParameterOptions Options)? ReadConvolution(
        AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics, int[] counts, string kernel, string example, string input)
    {
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        int[] values = arguments.Select(a => a.Value is int i ? i : int.MinValue).ToArray();
        if (attribute.AttributeConstructor is null || !counts.Contains(arguments.Length) || values.Contains(int.MinValue))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"the arguments must be constant filters, {kernel} and an Activation, for example {example}"));
            return null;
        }

        int activation = values[values.Length - 1];
        float slope = AttributeArguments.Named(attribute, "NegativeSlope", 0.01f);
        (int stride, PaddingKind padding) = AttributeArguments.Window(attribute, declaration, diagnostics, defaultStride: 1);
        ActivationCode.Check(activation, slope, declaration, diagnostics);
        if (activation == (int)ActivationKind.Softmax)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"Softmax is not supported on a convolution; flatten the {input} and end with [Dense(classes, Activation.Softmax)]"));
        }

        ParameterOptions options = ParameterOptions.Read(attribute, declaration, diagnostics);
        return (values, (ActivationKind)activation, slope, stride, padding, options);
    }

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var conv = (Conv2DSpec)spec;
        Declaration declaration = conv.Declaration;
        return WindowPlan.Slide(declaration, context, conv.KernelHeight, conv.KernelWidth, conv.Stride, conv.Padding, kernel: true) is { } window
            ? PlanConvolution(spec, context, window, conv.Filters, new ActivationCode(conv.Activation, conv.NegativeSlope), conv.Options)
            : null;
    }

    /// <summary>The arenas and plan of a convolution of <paramref name="filters"/> over <paramref name="window"/> (Conv2D's, or Conv1D's one step high).</summary>
    internal static LayerPlan? PlanConvolution(
        LayerSpec spec, PlanContext context, WindowPlan window, int filters, ActivationCode activation, ParameterOptions options)
    {
        Declaration declaration = spec.Declaration;
        if (filters <= 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, declaration.Location, declaration.Where, "filters", filters);
            return null;
        }

        long weights = (long)filters * window.PatchSize;
        long outSize = (long)window.Pixels * filters;
        if (!context.Fits(weights, declaration, "weight") ||
            !context.Fits(outSize, declaration, "output") ||
            !context.Fits((long)window.Pixels * window.PatchSize, declaration, "im2col matrix per sample"))
        {
            return null;
        }

        int weightOffset = context.AllocateParameters(weights);
        int biasOffset = context.AllocateParameters(filters);
        int preActivation = activation.Kind == ActivationKind.Gelu ? context.Allocate(outSize) : NodePlan.None;
        int output = context.Allocate(outSize);
        // One forward kernel per layer, whether training or not: a training step's outputs are Forward's, and a trainable
        // network's Forward is its inference-only build's, bit for bit.
        ConvForm form = context.TakesFold || context.Spec.WeightPrecision != WeightPrecisionKind.Float32 ? ConvForm.Product : Conv2DPlan.FormOf(window, filters);
        if (form != ConvForm.Direct || context.Training)
        {
            context.NeedColumns(window.ColumnsPerSample); // a direct forward needs none; its backward rebuilds them
        }

        int kernelOffset = window.ChannelsLastColumns && !context.TakesFold && (form == ConvForm.Product || context.Training) // folded: reordered in its folded copy
            ? context.AllocateKernel((int)weights)
            : NodePlan.None;
        int transformedOffset = form switch
        {
            ConvForm.Winograd => context.AllocateTransformedKernel(16 * window.Channels * filters),
            ConvForm.Winograd4x4 => context.AllocateTransformedKernel(36 * window.Channels * filters),
            ConvForm.Direct => context.AllocateTransformedKernel((int)weights),
            _ => NodePlan.None,
        };
        int sourceOffset = kernelOffset >= 0 || transformedOffset >= 0 ? context.AllocateKernelSource((int)weights) : NodePlan.None; // one compare makes both copies
        LayerHeader header = context.Header(spec, window.OutputShape(filters), output);
        return new Conv2DPlan(header, activation, window, weightOffset, biasOffset, preActivation, kernelOffset, options)
        {
            Form = form, TransformedOffset = transformedOffset, SourceOffset = sourceOffset,
        };
    }
}

/// <summary>
/// A planned convolution, computed as im2col feeding the Dense GEMM tiles: each output position's window becomes a row of
/// a [batch·positions, patch] matrix, so <c>y = columns · Wᵀ + b</c> is a Dense layer over the positions, and its backward
/// is the Dense backward followed by col2im. A 1×1 kernel at stride 1 without padding needs no im2col; over several
/// channels the columns are in the image's (ky, kx, channel) order against a reordered copy of the weight. A Conv1D is
/// this plan over its sequence as an image one step high (<see cref="WindowPlan.Sequence"/>), commented in its 1-D shapes.
/// </summary>
internal sealed record Conv2DPlan(
    LayerHeader Header, ActivationCode Activation, WindowPlan Window, int WeightOffset, int BiasOffset, int PreActivationOffset, int KernelOffset,
    ParameterOptions Options)
    : LayerPlan(Header)
{
    private const string Kernels = Format.Kernels;

    public override LayerUnit Unit => Window.Sequence ? Conv1DUnit.Instance : Conv2DUnit.Instance;

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        string v = Header.Variable;
        string after = FoldedIn is { } folded ? $", then {folded.Name}" : (Activation.Kind == ActivationKind.Linear ? "" : ", then " + Format.Activation(Activation.Kind));
        string weightShape = Format.Shape(new[] { Filters }.Concat(Window.KernelShape));
        w.Line($"// {Header.Name} {OnnxCode.Shapes(this)}: Conv over the {(Window.Sequence ? "sequence" : "image")} channels-first, weight {weightShape} as stored, {Window.Describe("kernel")}{after}.");
        string target = FoldedIn is null ? OnnxCode.Target(this, Activation, "Conv") : OnnxCode.Literal(Header.Name);
        OnnxCode.EmitNode(w, "string " + v, "Conv", new[] { $"graph.ChannelsFirst({site.Source()})", OnnxCode.Parameter(Header.Name + ".weight"), OnnxCode.Parameter(Header.Name + ".bias") },
            target, OnnxCode.Window(Window).ToArray());
        if (FoldedIn is { } fold)
        {
            fold.EmitOnnx(w, v);
        }
        else
        {
            OnnxCode.EmitActivation(w, v, Activation, Header.Name);
        }

        OnnxCode.EmitLayer(w, this, v, channelsFirst: true);
    }


    public int Filters => Header.OutputShape[Header.OutputShape.Count - 1];

    public override bool HasParameters => true;

    public override IEnumerable<TensorPlan> Parameters => new[]
    {
        new TensorPlan($"{Header.Name}.weight", new[] { Filters }.Concat(Window.KernelShape).ToEquatableArray(), WeightOffset, Pascal + "Weight"),
        new TensorPlan($"{Header.Name}.bias", new[] { Filters }.ToEquatableArray(), BiasOffset, Pascal + "Bias"),
    };

    public override ParameterOptions WeightOptions => Options;

    private int WeightCount => Filters * Window.PatchSize;

    public override long ForwardFlops => 2L * WeightCount * Window.Pixels;

    public override ActivationKind OutputActivation => Activation.Kind;

    public override LayerPlan WithFusedLoss() => this with { Activation = Activation with { FusedWithLoss = true } };

    public override string SummaryActivation => Format.Activation(FoldedIn is null ? Activation.Kind : ActivationKind.Linear); // as declared

    public override bool UsesColumns => !Window.InputIsColumns && Form != ConvForm.Direct;

    public override bool LeavesColumns => !Window.InputIsColumns && Form == ConvForm.Product;

    public override bool WritesColumns => !Window.InputIsColumns; // a direct or Winograd forward's backward rebuilds them

    private bool Reordered => KernelOffset >= 0;

    /// <summary>How its forward pass computes the output, in training and inference alike.</summary>
    public ConvForm Form { get; init; }

    /// <summary>Where its weight transformed for <see cref="Form"/> lives in the kernels arrays, or none.</summary>
    public int TransformedOffset { get; init; } = NodePlan.None;

    /// <summary>Where the weight its copies were last made from lies in <c>_kernelSources</c>, or none (no copies).</summary>
    public int SourceOffset { get; init; } = NodePlan.None;

    private bool IsWinograd => Form is ConvForm.Winograd or ConvForm.Winograd4x4;

    /// <summary>The copy whose refresh compares the weight (and, when it differs, makes the reordered copy as well).</summary>
    private string ComparedCopy => IsWinograd ? "Winograd" : Form == ConvForm.Direct ? "Taps" : "Kernel";

    /// <summary>Points of the Winograd transform: 16 for 2×2 tiles, 36 for 4×4.</summary>
    private int WinogradPoints => Form == ConvForm.Winograd4x4 ? 36 : 16;

    /// <summary>Fewer input channels than this leave too little work per transformed tile for Winograd to pay; they go direct (mnist_convnet's first convolution has 1).</summary>
    private const int WinogradMinChannels = 8;

    /// <summary>
    /// A 3×3 convolution at stride 1 over at least <see cref="WinogradMinChannels"/> channels runs as Winograd's F(4×4, 3×3)
    /// (4× fewer multiplies) where its output is at least 8×8, else as F(2×2, 3×3) (2.25×), in its im2col buffer, which
    /// must hold one tile's 36 or 16 · (channels + filters) floats; a 2-D convolution over fewer channels directly from
    /// the image, without im2col; the rest as the im2col product.
    /// </summary>
    public static ConvForm FormOf(WindowPlan window, int filters) =>
        window.Sequence || window.InputIsColumns ? ConvForm.Product
        : window.Channels < WinogradMinChannels ? ConvForm.Direct
        : window.WindowHeight != 3 || window.WindowWidth != 3 || window.Stride != 1 ? ConvForm.Product
        : window.OutHeight >= 8 && window.OutWidth >= 8 && 36L * (window.Channels + filters) <= window.ColumnsPerSample ? ConvForm.Winograd4x4
        : 16L * (window.Channels + filters) <= window.ColumnsPerSample ? ConvForm.Winograd
        : ConvForm.Product;

    public override (string Constant, int Offset, string Comment)? TransformedKernel => Form switch
    {
        ConvForm.Winograd or ConvForm.Winograd4x4 => (Pascal + "Winograd", TransformedOffset, $"{Header.Name}: [{WinogradPoints}, {Format.Int(Window.Channels)}, {Format.Int(Filters)}], G g Gᵀ"),
        ConvForm.Direct => (Pascal + "Taps", TransformedOffset, $"{Header.Name}: {Format.Shape(new[] { Window.WindowHeight, Window.WindowWidth, Window.Channels, Filters })}, tap-major"),
        _ => null,
    };

    public override (string Constant, int Offset, string Comment)? KernelSource => SourceOffset >= 0
        ? (Pascal + ComparedCopy + "Source", SourceOffset,
           $"{Header.Name}.weight, for {Pascal}{ComparedCopy}{(Reordered && ComparedCopy != "Kernel" ? $" and {Pascal}Kernel" : "")}")
        : null;

    /// <summary>The normalisation folded into it (inference only), whose activation it applies, or null.</summary>
    public NormalizationFold? FoldedIn { get; init; }

    public override LayerPlan WithFold(NormalizationFold fold) =>
        this with { FoldedIn = fold, Activation = fold.Activation, PreActivationOffset = fold.PreActivationOffset };

    public override bool RefreshesWeights => Reordered || FoldedIn is not null || Form != ConvForm.Product;

    public override (string Constant, int Offset, int Length, string Comment)? ReorderedKernel => Reordered
        ? (Pascal + "Kernel", KernelOffset, WeightCount, $"{Header.Name}: {Format.Shape(ReorderedShape)}")
        : null;

    /// <summary>The reordered kernel's shape: [filters, kh, kw, channels], or [filters, k, channels] over a sequence.</summary>
    private int[] ReorderedShape => Window.Sequence
        ? new[] { Filters, Window.WindowWidth, Window.Channels }
        : new[] { Filters, Window.WindowHeight, Window.WindowWidth, Window.Channels };

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants =>
        ActivatedScratch(PreActivationOffset);

    public override void EmitInitialization(SourceWriter w)
    {
        // Keras's fans for a kernel: the receptive field times the input or output channels.
        string filters = Format.Int(Filters), patch = Format.Int(Window.PatchSize);
        Options.EmitInitialization(w, $"parameters.Slice({Pascal}Weight, {filters} * {patch})", fanIn: Window.PatchSize,
            fanOut: Filters * Window.WindowHeight * Window.WindowWidth, $"parameters.Slice({Pascal}Bias, {filters})", Filters);
    }

    public override void EmitKernelRefresh(SourceWriter w)
    {
        if (FoldedIn is { } fold)
        {
            fold.EmitRefresh(w, this, "RefreshFoldedConv", $"{Format.Int(Filters)} * {Format.Int(Window.PatchSize)}", Filters,
                $"filters: {Format.Int(Filters)}, channels: {Format.Int(Window.Channels)}, kernelHeight: {Format.Int(Window.WindowHeight)}, kernelWidth: {Format.Int(Window.WindowWidth)}");
            return;
        }

        string size = $"{Format.Int(Filters)} * {Format.Int(Window.PatchSize)}";
        string weight = $"parameters.Slice({Pascal}Weight, {size})";
        string source = KernelsSlice("_kernelSources", ComparedCopy + "Source", size);
        if (!IsWinograd && Form != ConvForm.Direct)
        {
            w.Line($"{Kernels}.Conv.RefreshChannelsLastKernel({weight}, {source}, {KernelsSlice("_kernels", "Kernel", size)}, {KernelGeometry});");
            return;
        }

        string channels = Format.Int(Window.Channels), filters = Format.Int(Filters);
        string refresh = IsWinograd
            ? $"{Kernels}.Conv.Refresh{(Form == ConvForm.Winograd4x4 ? "Winograd4x4" : "Winograd")}Kernel({weight}, {source}, " +
              $"{KernelsSlice("_kernels", "Winograd", $"{WinogradPoints} * {channels} * {filters}")}, {filters}, {channels})"
            : $"{Kernels}.Conv.RefreshTapMajorKernel({weight}, {source}, {KernelsSlice("_kernels", "Taps", size)}, {KernelGeometry})";
        if (!Reordered)
        {
            w.Line(refresh + ";");
            return;
        }

        // Only a trainable network, which runs one call at a time, keeps the reordered copy beside the forward one: it is
        // made after the compare has recorded the weight, which another thread would take to mean both copies are ready.
        using (w.Block($"if ({refresh})"))
        {
            w.Line($"{Kernels}.Conv.ToChannelsLastKernel({weight}, {KernelsSlice("_kernels", "Kernel", size)}, {KernelGeometry}); // the backward pass's copy of the same weight");
        }
    }

    private string KernelsSlice(string array, string suffix, string length) => $"global::System.MemoryExtensions.AsSpan({array}, {Pascal}{suffix}, {length})";

    /// <summary>The reordering kernels' sizes: filters, channels, kernel height and width (named over a sequence, as <see cref="WindowPlan.Geometry"/>).</summary>
    private string KernelGeometry => Window.Sequence
        ? $"filters: {Format.Int(Filters)}, channels: {Format.Int(Window.Channels)}, kernelHeight: 1, kernelWidth: {Format.Int(Window.WindowWidth)}"
        : $"{Format.Int(Filters)}, {Format.Int(Window.Channels)}, {Format.Int(Window.WindowHeight)}, {Format.Int(Window.WindowWidth)}";

    private string ColumnsSlice => $"scratch.Slice(Columns * batchSize, {Format.Int(Window.ColumnsPerSample)} * batchSize)";

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        string outputs = Format.Int(Header.OutputSize);
        w.Line($"{Format.Span} {Header.Variable} = scratch.Slice({Pascal}Output * batchSize, {outputs} * batchSize);");
        string columns = UsesColumns ? $"{ColumnsSlice}, " : "";
        string z = Activation.NeedsPreActivation ? PreActivationSlice + ", " : "";
        FoldedIn?.EmitCallComment(w, this);
        w.Line($"{Pascal}Forward({site.Input}, {columns}{z}{Header.Variable}, batchSize);");
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site)
    {
        string x = Window.InputIsColumns || !site.ColumnsFresh ? $"{site.Input}, " : "";
        string saved = Activation.SavedArgument(site.Output, PreActivationSlice);
        string columns = Window.InputIsColumns ? "" : $"{ColumnsSlice}, ";
        string dx = site.DxOf0 is { } target ? target + ", " : "";
        string kernelGradient = Reordered ? $"kernelGradient.Slice(0, {Format.Int(WeightCount)}), " : "";
        w.Line($"{Pascal}Backward({x}{saved}{site.Dy}, {columns}{dx}{kernelGradient}batchSize, gradients);");
    }

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        WindowPlan window = Window;
        string filters = Format.Int(Filters);
        string patch = Format.Int(window.PatchSize);
        string rows = $"batchSize * {Format.Int(window.Pixels)}";
        string weight = $"parameters.Slice({Pascal}Weight, {filters} * {patch})";
        string bias = $"parameters.Slice({Pascal}Bias, {filters})";
        string weightGradient = $"gradients.Slice({Pascal}Weight, {filters} * {patch})";
        string biasGradient = $"gradients.Slice({Pascal}Bias, {filters})";
        bool gelu = Activation.NeedsPreActivation;
        bool im2col = !window.InputIsColumns;
        string columns = im2col ? "columns" : "x";
        string im2colKernel = window.ChannelsLastColumns ? "Im2ColChannelsLast" : "Im2Col";
        string col2imKernel = Reordered ? "Col2ImChannelsLast" : "Col2Im";
        string kernel = Reordered ? $"global::System.MemoryExtensions.AsSpan(_kernels, {Pascal}Kernel, {filters} * {patch})" : weight;
        if (FoldedIn is { } fold)
        {
            string shape = window.ChannelsLastColumns
                ? $"{Format.Shape(ReorderedShape)} (reordered as its columns)"
                : $"[{string.Join(", ", Parameters.First().Shape)}]";
            fold.EmitFields(w, this, shape, $"{filters} * {patch}", Filters);
            kernel = NormalizationFold.Weight(this, $"{filters} * {patch}");
            bias = NormalizationFold.Bias(this, $"{filters} * {patch}", Filters);
        }

        string folded = FoldedIn is { } normalization ? $" with {normalization.Name} folded in" : "";
        string weightName = FoldedIn is null ? "W" : "W'";
        w.Line($"// {Header.Name}{folded}: {Format.Shape(Header.InputShape)} → {Format.Shape(Header.OutputShape)}, {Format.Activation(Activation.Kind)}; " +
               $"{window.Describe("kernel")}. weight [{string.Join(", ", Parameters.First().Shape)}], bias [{filters}].");
        w.Line(Form == ConvForm.Winograd4x4
            ? $"// Winograd's F(4×4, 3×3): each 4×4 block of outputs from its 6×6 input patch, 36 products [tiles, {Format.Int(window.Channels)}] · [{Format.Int(window.Channels)}, {filters}] over the transformed patches and weight (4× fewer multiplies), in the columns buffer."
            : Form == ConvForm.Winograd
            ? $"// Winograd's F(2×2, 3×3): each 2×2 block of outputs from its 4×4 input patch, 16 products [tiles, {Format.Int(window.Channels)}] · [{Format.Int(window.Channels)}, {filters}] over the transformed patches and weight (2.25× fewer multiplies), in the columns buffer."
            : Form == ConvForm.Direct
            ? $"// Directly from the image (few channels): each input value, broadcast, times a vector of filters of the tap-major weight; no im2col."
            : !im2col
            ? $"// As a product: the {WindowPlan.Dimensions(window.Sequence, 1, 1)} kernel makes x itself the matrix [batch·{Format.Int(window.Pixels)}, {patch}]; y = x · {weightName}ᵀ + {(FoldedIn is null ? "b" : "b'")}, no im2col."
            : window.ChannelsLastColumns
                ? $"// As a product: columns [batch·{Format.Int(window.Pixels)}, {patch}] (im2col: a row per output position in the {(window.Sequence ? "sequence's (k, channel) order, one copy per window" : "image's (ky, kx, channel) order, a copy per window row")}) · the reordered {weightName}ᵀ → y [batch·{Format.Int(window.Pixels)}, {filters}]."
                : $"// As a product: columns [batch·{Format.Int(window.Pixels)}, {patch}] (im2col: a row per output position, in the weight's (channel, {window.WindowAxes}) order) · {weightName}ᵀ → y [batch·{Format.Int(window.Pixels)}, {filters}].");
        string forward = $"private void {Pascal}Forward({Format.ReadOnlySpan} x, " +
            (UsesColumns ? $"{Format.Span} columns, " : "") + (gelu ? $"{Format.Span} z, " : "") + $"{Format.Span} y, int batchSize)";
        using (w.Block(forward))
        {
            if (FoldedIn is null)
            {
                w.Line($"{Format.ReadOnlySpan} parameters = ParameterValues;");
            }

            string target = gelu ? "z" : "y";
            bool fusedRelu = Form != ConvForm.Product && Activation.Kind == ActivationKind.ReLU && !Activation.FusedWithLoss; // ReLU on the store
            string relu = fusedRelu ? ", relu: true" : "";
            string sizes = $"{Format.Int(window.Height)}, {Format.Int(window.Width)}, {Format.Int(window.Channels)}, {filters}";
            string outSizes = $"{Format.Int(window.PadTop)}, {Format.Int(window.PadLeft)}, {Format.Int(window.OutHeight)}, {Format.Int(window.OutWidth)}";
            if (IsWinograd)
            {
                string kernel4 = Form == ConvForm.Winograd4x4 ? "ForwardWinograd4x4" : "ForwardWinograd3x3";
                w.Line($"{Kernels}.Conv.{kernel4}(x, {KernelsSlice("_kernels", "Winograd", $"{WinogradPoints} * {Format.Int(window.Channels)} * {filters}")}, {bias}, {target}, columns, batchSize, {sizes}, {outSizes}{relu});");
            }
            else if (Form == ConvForm.Direct)
            {
                w.Line($"{Kernels}.Conv.ForwardDirect(x, {KernelsSlice("_kernels", "Taps", $"{filters} * {patch}")}, {bias}, {target}, batchSize, {sizes}, " +
                       $"{Format.Int(window.WindowHeight)}, {Format.Int(window.WindowWidth)}, {Format.Int(window.Stride)}, {outSizes}{relu});");
            }
            else
            {
                if (im2col)
                {
                    w.Line($"{Kernels}.Conv.{im2colKernel}(x, columns, {window.Geometry});");
                }

                string product = $"{columns}, {kernel}, {bias}, {target}, {rows}, {patch}, {filters}";
                if (site.WeightPrecision != WeightPrecisionKind.Float32 && FoldedIn is null)
                {
                    string? channelsLast = Reordered ? $"{Format.Int(window.Channels)}, {(window.Sequence ? "1" : Format.Int(window.WindowHeight))}, {Format.Int(window.WindowWidth)}" : null;
                    ReducedPrecisionCode.EmitProduct(w, site, $"{Header.Name}.weight", columns, bias, target, $"{rows}, {patch}, {filters}", product, channelsLast);
                }
                else
                {
                    w.Line($"{Kernels}.Dense.Forward({product});");
                }
            }

            if (!fusedRelu)
            {
                Activation.EmitForward(w, Filters);
            }
        }

        if (!site.Training || !Header.InBackward)
        {
            return;
        }

        bool needsDx = Header.NeedsInputGradient;
        w.Line();
        string columnsNote = site.ColumnsFresh ? "the columns are still those of the forward pass (no convolution ran since); " : "the columns are rebuilt from x; ";
        string rest = needsDx
            ? im2col
                ? columnsNote + "dW += dzᵀ·columns, db += Σ dz; dcolumns = dz·W (into the same buffer), dx = col2im(dcolumns)"
                : "dW += dzᵀ·x, db += Σ dz, dx = dz·W"
            : im2col
                ? columnsNote + "dW += dzᵀ·columns, db += Σ dz (nothing before it learns: no dx)"
                : "dW += dzᵀ·x, db += Σ dz (nothing before it learns: no dx)";
        if (Reordered)
        {
            rest = rest.Replace("dW += dzᵀ·columns", "dW' = dzᵀ·columns (reordered) is added to dW in PyTorch's layout").Replace("dz·W", "dz·W'");
        }

        w.Line($"// {Header.Name} backward: {Activation.BackwardComment}; {rest}.");
        string backward = $"private void {Pascal}Backward(" + (im2col && site.ColumnsFresh ? "" : $"{Format.ReadOnlySpan} x, ") +
            Activation.SavedParameter + $"{Format.Span} dy, " +
            (im2col ? $"{Format.Span} columns, " : "") +
            (needsDx ? $"{Format.Span} dx, " : "") +
            (Reordered ? $"{Format.Span} kernelGradient, " : "") +
            $"int batchSize, {Format.Span} gradients)";
        using (w.Block(backward))
        {
            if (needsDx && !Reordered)
            {
                w.Line($"{Format.ReadOnlySpan} parameters = ParameterValues;");
            }

            Activation.EmitBackward(w, Filters);
            if (im2col && !site.ColumnsFresh)
            {
                w.Line($"{Kernels}.Conv.{im2colKernel}(x, columns, {window.Geometry});");
            }

            if (Reordered)
            {
                w.Line("kernelGradient.Clear();");
                w.Line($"{Kernels}.Dense.BackwardWeights(dy, {columns}, kernelGradient, {biasGradient}, {rows}, {patch}, {filters});");
                w.Line($"{Kernels}.Conv.AddFromChannelsLastKernel(kernelGradient, {weightGradient}, {KernelGeometry});");
            }
            else
            {
                w.Line($"{Kernels}.Dense.BackwardWeights(dy, {columns}, {weightGradient}, {biasGradient}, {rows}, {patch}, {filters});");
            }

            if (needsDx && im2col)
            {
                w.Line($"{Kernels}.Dense.BackwardInput(dy, {kernel}, columns, {rows}, {patch}, {filters});");
                w.Line($"{Kernels}.Conv.{col2imKernel}(columns, dx, {window.Geometry});");
            }
            else if (needsDx)
            {
                w.Line($"{Kernels}.Dense.BackwardInput(dy, {weight}, dx, {rows}, {patch}, {filters});");
            }
        }
    }
}

/// <summary>
/// How a convolution's forward pass computes its output — the same in a training step, in a trainable network's Forward and
/// in an inference-only build, so that all three agree bit for bit. The backward pass computes exact gradients of the
/// convolution from im2col columns whatever the form.
/// </summary>
internal enum ConvForm
{
    /// <summary>im2col and the dense product.</summary>
    Product,

    /// <summary>Winograd's F(2×2, 3×3): a 3×3 kernel at stride 1 over many channels, its output smaller than 8×8.</summary>
    Winograd,

    /// <summary>Winograd's F(4×4, 3×3): a 3×3 kernel at stride 1 over many channels, its output at least 8×8.</summary>
    Winograd4x4,

    /// <summary>Straight from the image: few channels, where im2col's copy costs about what the product does.</summary>
    Direct,
}
