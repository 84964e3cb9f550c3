using System.Linq;
using System.Collections.Generic;
using System.Collections.Immutable;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[Dense(units, activation)]</c>: y = activation(x · Wᵀ + b), W [units, inputs] as PyTorch's nn.Linear.</summary>
internal sealed record DenseSpec(Declaration Declaration, int Units, ActivationKind Activation, float NegativeSlope, ParameterOptions Options)
    : LayerSpec(Declaration)
{
    public override LayerUnit Unit => DenseUnit.Instance;

    public override bool AbsorbsAffine => Activation == ActivationKind.Linear;
}

internal sealed class DenseUnit : LayerUnit
{
    public static readonly DenseUnit Instance = new();

    public override string Kind => "Dense";

    public override string VariableStem => "dense";

    public override bool Learns => true;

    public override IEnumerable<string> MemberSuffixes => new[] { "Weight", "Bias", "Output", "PreActivation", "Forward", "Backward" };

    public override IEnumerable<string> FieldSuffixes => new[] { "Folded", "FoldedFrom" };

    public override string DefaultName(int index) => $"dense_{index}";

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics)
    {
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        if (attribute.AttributeConstructor is null || arguments.Length != 2 || arguments[0].Value is not int units || arguments[1].Value is not int activation)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                "the arguments must be a constant unit count and an Activation, for example [Dense(128, Activation.ReLU)]"));
            return new DenseSpec(declaration, 0, ActivationKind.Linear, 0.01f, ParameterOptions.Default);
        }

        float slope = AttributeArguments.Named(attribute, "NegativeSlope", 0.01f);
        ActivationCode.Check(activation, slope, declaration, diagnostics);
        ParameterOptions options = ParameterOptions.Read(attribute, declaration, diagnostics);
        return new DenseSpec(declaration, units, (ActivationKind)activation, slope, options);
    }

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var dense = (DenseSpec)spec;
        Declaration declaration = dense.Declaration;
        if (dense.Units <= 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, declaration.Location, declaration.Where, "units", dense.Units);
            return null;
        }

        if (!context.NeedsFlatSource(declaration))
        {
            return null;
        }

        int inputs = context.Source[0];
        CheckSoftmax(dense, context);
        long weights = (long)inputs * dense.Units;
        if (!context.Fits(weights, declaration, "weight"))
        {
            return null;
        }

        int weightOffset = context.AllocateParameters(weights);
        int biasOffset = context.AllocateParameters(dense.Units);
        int preActivation = dense.Activation == ActivationKind.Gelu ? context.Allocate(dense.Units) : NodePlan.None; // GELU's backward needs x
        int output = context.Allocate(dense.Units);
        return new DensePlan(context.Header(spec, new[] { dense.Units }, output), new ActivationCode(dense.Activation, dense.NegativeSlope),
            weightOffset, biasOffset, preActivation, dense.Options);
    }

    /// <summary>GN0012 for a softmax over one output, GN0011 for a softmax that a later layer with parameters reads.</summary>
    internal static void CheckSoftmax(DenseSpec dense, PlanContext context)
    {
        if (dense.Activation != ActivationKind.Softmax)
        {
            return;
        }

        if (dense.Units == 1)
        {
            context.Report(DiagnosticDescriptors.SoftmaxOfOneOutput, dense.Declaration.Location, dense.Declaration.Where);
        }
        else if (context.NextLearner is { } next)
        {
            context.Report(DiagnosticDescriptors.SoftmaxBeforeLastLayer, dense.Declaration.Location, dense.Declaration.Where, next);
        }
    }
}

/// <summary>A planned Dense layer: where its weight, bias, pre-activations (GELU only) and output lie.</summary>
internal sealed record DensePlan(
    LayerHeader Header, ActivationCode Activation, int WeightOffset, int BiasOffset, int PreActivationOffset, ParameterOptions Options)
    : LayerPlan(Header)
{
    private const string Kernels = Format.Kernels;

    public override LayerUnit Unit => DenseUnit.Instance;

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        string v = Header.Variable;
        string after = FoldedIn is { } folded ? $", then {folded.Name}" : (Activation.Kind == ActivationKind.Linear ? "" : ", then " + Format.Activation(Activation.Kind));
        w.Line($"// {Header.Name} {OnnxCode.Shapes(this)}: Gemm with the weight as stored, [{Format.Int(Units)}, {Format.Int(Inputs)}] (transB = 1){after}.");
        string target = FoldedIn is null ? OnnxCode.Target(this, Activation, "Gemm") : OnnxCode.Literal(Header.Name);
        OnnxCode.EmitNode(w, "string " + v, "Gemm", new[] { $"graph.Value({site.Source()})", OnnxCode.Parameter(Header.Name + ".weight"), OnnxCode.Parameter(Header.Name + ".bias") },
            target, OnnxCode.Int("transB", 1));
        if (FoldedIn is { } fold)
        {
            fold.EmitOnnx(w, v);
        }
        else
        {
            OnnxCode.EmitActivation(w, v, Activation, Header.Name);
        }

        OnnxCode.EmitLayer(w, this, v, channelsFirst: false);
    }


    public int Units => Header.OutputSize;

    public int Inputs => Header.InputSize;

    /// <summary>The normalisation folded into it (inference only), whose activation it applies, or null.</summary>
    public NormalizationFold? FoldedIn { get; init; }

    public override LayerPlan WithFold(NormalizationFold fold) =>
        this with { FoldedIn = fold, Activation = fold.Activation, PreActivationOffset = fold.PreActivationOffset };

    public override bool RefreshesWeights => FoldedIn is not null;

    public override bool HasParameters => true;

    public override IEnumerable<TensorPlan> Parameters => new[]
    {
        new TensorPlan($"{Header.Name}.weight", new[] { Units, Inputs }.ToEquatableArray(), WeightOffset, Pascal + "Weight"),
        new TensorPlan($"{Header.Name}.bias", new[] { Units }.ToEquatableArray(), BiasOffset, Pascal + "Bias"),
    };

    public override ParameterOptions WeightOptions => Options;

    public override long ForwardFlops => 2L * Units * Inputs;

    public override ActivationKind OutputActivation => Activation.Kind;

    public override LayerPlan WithFusedLoss() => this with { Activation = Activation with { FusedWithLoss = true } };

    public override string SummaryActivation => Format.Activation(FoldedIn is null ? Activation.Kind : ActivationKind.Linear); // as declared

    public override void EmitKernelRefresh(SourceWriter w) =>
        FoldedIn?.EmitRefresh(w, this, "RefreshFoldedDense", WeightCount, Units, $"units: {Format.Int(Units)}, inputs: {Format.Int(Inputs)}");

    private string WeightCount => $"{Format.Int(Units)} * {Format.Int(Inputs)}";

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants =>
        ActivatedScratch(PreActivationOffset);

    public override void EmitInitialization(SourceWriter w)
    {
        string units = Format.Int(Units), inputs = Format.Int(Inputs);
        Options.EmitInitialization(w, $"parameters.Slice({Pascal}Weight, {units} * {inputs})", fanIn: Inputs, fanOut: Units,
            $"parameters.Slice({Pascal}Bias, {units})", Units);
    }

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        string outputs = Format.Int(Units);
        string variable = Header.Variable;
        w.Line($"{Format.Span} {variable} = scratch.Slice({Pascal}Output * batchSize, {outputs} * batchSize);");
        FoldedIn?.EmitCallComment(w, this);
        w.Line(Activation.NeedsPreActivation
            ? $"{Pascal}Forward({site.Input}, {PreActivationSlice}, {variable}, batchSize);"
            : $"{Pascal}Forward({site.Input}, {variable}, batchSize);");
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site)
    {
        string saved = Activation.SavedArgument(site.Output, PreActivationSlice);
        string dx = site.DxOf0 is { } target ? target + ", " : "";
        w.Line($"{Pascal}Backward({site.Input}, {saved}{site.Dy}, {dx}batchSize, gradients);");
    }

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        string inputs = Format.Int(Inputs);
        string outputs = Format.Int(Units);
        string weight = $"parameters.Slice({Pascal}Weight, {outputs} * {inputs})";
        string bias = $"parameters.Slice({Pascal}Bias, {outputs})";
        bool gelu = Activation.NeedsPreActivation;
        if (FoldedIn is { } fold)
        {
            fold.EmitFields(w, this, $"[{outputs}, {inputs}]", WeightCount, Units);
            w.Line($"// {Header.Name} with {fold.Name} folded in: {Format.Shape(Header.InputShape)} → {Format.Shape(Header.OutputShape)}, {Format.Activation(Activation.Kind)}. " +
                   $"y = x · W'ᵀ + b'; x [batch, {inputs}], y [batch, {outputs}].");
            weight = NormalizationFold.Weight(this, WeightCount);
            bias = NormalizationFold.Bias(this, WeightCount, Units);
        }
        else
        {
            w.Line($"// {Header.Name}: {Format.Shape(Header.InputShape)} → {Format.Shape(Header.OutputShape)}, {Format.Activation(Activation.Kind)}. " +
                   $"weight [{outputs}, {inputs}], bias [{outputs}]; x [batch, {inputs}], y [batch, {outputs}].");
        }

        string signature = gelu
            ? $"private void {Pascal}Forward({Format.ReadOnlySpan} x, {Format.Span} z, {Format.Span} y, int batchSize)"
            : $"private void {Pascal}Forward({Format.ReadOnlySpan} x, {Format.Span} y, int batchSize)";
        using (w.Block(signature))
        {
            if (FoldedIn is null)
            {
                w.Line($"{Format.ReadOnlySpan} parameters = ParameterValues;");
            }

            string product = $"x, {weight}, {bias}, {(gelu ? "z" : "y")}, batchSize, {inputs}, {outputs}";
            if (site.WeightPrecision != WeightPrecisionKind.Float32 && FoldedIn is null)
            {
                ReducedPrecisionCode.EmitProduct(w, site, $"{Header.Name}.weight", "x", bias, gelu ? "z" : "y", $"batchSize, {Format.Int(Inputs)}, {Format.Int(Units)}", product,
                    panels: $"{inputs}, {outputs}", quantizedSizes: (Inputs, Units));
            }
            else if (!site.Training && site.CompiledWeights && FoldedIn is null)
            {
                ReducedPrecisionCode.EmitFloatPanels(w, site, $"{Header.Name}.weight", product, $"{inputs}, {outputs}");
            }
            else if (FoldedIn is null && (long)Inputs * Units >= PackedWeightsMin)
            {
                EmitArenaPanels(w, site, weight, bias, gelu ? "z" : "y", inputs, outputs);
            }
            else
            {
                w.Line($"{Kernels}.Dense.Forward({product});");
            }

            Activation.EmitForward(w, Units);
        }

        if (!site.Training || !Header.InBackward)
        {
            return;
        }

        EmitBackwardMethod(w, weight);
    }

    /// <summary>
    /// Weights from which a Dense layer that reads the float arena (a trainable network's, or an inference-only one's
    /// without compiled-in weights) also keeps panels for single samples and large batches: 32 KB of floats, most of L1,
    /// below which the rows are read from L1 and nothing is gained.
    /// </summary>
    private const int PackedWeightsMin = 8 * 1024;

    // A large Dense layer over the float arena: the panels the base class packs once the weights stay unchanged for a while
    // (NetworkBase.DensePanels), else the rows; Dense.ForwardPanels gives the rows' bits.
    private void EmitArenaPanels(SourceWriter w, MethodSite site, string weight, string bias, string y, string inputs, string outputs)
    {
        int tensor = site.ParameterTensorNames.ToList().IndexOf($"{Header.Name}.weight");
        w.Line($"{Format.ReadOnlySpan} panels = DensePanels({tensor}, {inputs}, {outputs}, batchSize); // ParameterTensors[{tensor}]: {Header.Name}.weight");
        using (w.Block("if (panels.IsEmpty)"))
        {
            w.Line($"{Kernels}.Dense.Forward(x, {weight}, {bias}, {y}, batchSize, {inputs}, {outputs});");
        }

        using (w.Block("else"))
        {
            w.Line("// the weight also packed into panels of 16 outputs, kept while only the library writes the weights: one stream, the rows' bits");
            w.Line($"{Kernels}.Dense.ForwardPanels(x, panels, {weight}, {bias}, {y}, batchSize, {inputs}, {outputs});");
        }
    }

    private void EmitBackwardMethod(SourceWriter w, string weight)
    {
        string inputs = Format.Int(Inputs);
        string outputs = Format.Int(Units);
        bool dx = Header.NeedsInputGradient;
        w.Line();
        w.Line($"// {Header.Name} backward: {Activation.BackwardComment}; " +
               (dx ? "then dW += dzᵀ·x, db += Σ dz, dx = dz·W." : "then dW += dzᵀ·x, db += Σ dz (nothing before it learns: no dx)."));
        string backward = $"private void {Pascal}Backward({Format.ReadOnlySpan} x, {Activation.SavedParameter}{Format.Span} dy, " +
            (dx ? $"{Format.Span} dx, " : "") + $"int batchSize, {Format.Span} gradients)";
        using (w.Block(backward))
        {
            if (dx)
            {
                w.Line($"{Format.ReadOnlySpan} parameters = ParameterValues;");
            }

            Activation.EmitBackward(w, Units);
            w.Line($"{Kernels}.Dense.BackwardWeights(dy, x, gradients.Slice({Pascal}Weight, {outputs} * {inputs}), gradients.Slice({Pascal}Bias, {outputs}), batchSize, {inputs}, {outputs});");
            if (dx)
            {
                w.Line($"{Kernels}.Dense.BackwardInput(dy, {weight}, dx, batchSize, {inputs}, {outputs});");
            }
        }
    }
}
