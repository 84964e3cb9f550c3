using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[BatchNormalization]</c>: normalises the last axis with batch statistics in training, running ones otherwise.</summary>
internal sealed record BatchNormalizationSpec(Declaration Declaration, float Momentum, float Epsilon, ActivationKind Activation, float NegativeSlope)
    : LayerSpec(Declaration)
{
    public override LayerUnit Unit => BatchNormalizationUnit.Instance;

    public override bool FoldsIntoSource => true;
}

internal sealed class BatchNormalizationUnit : LayerUnit
{
    public static readonly BatchNormalizationUnit Instance = new();

    public override string Kind => "BatchNormalization";

    public override string VariableStem => "bn";

    public override bool Learns => true;

    public override IEnumerable<string> MemberSuffixes =>
        new[] { "Weight", "Bias", "RunningMean", "RunningVar", "BatchesTracked", "Output", "PreActivation", "Forward", "Backward" };

    public override IEnumerable<string> FieldSuffixes => new[] { "Statistics" };

    /// <summary>PyTorch modules have no automatic names; <c>bn_0</c>, <c>bn_1</c>, … as <c>dense_0</c>.</summary>
    public override string DefaultName(int index) => $"bn_{index}";

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics)
    {
        float momentum = AttributeArguments.Named(attribute, "Momentum", 0.1f);
        if (!(momentum >= 0f && momentum <= 1f))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"Momentum = {momentum.ToString("R", CultureInfo.InvariantCulture)} must be in [0, 1]: the weight of each batch in the running statistics (PyTorch's convention; Keras's momentum 0.99 is 0.01 here)"));
        }

        (float epsilon, ActivationKind activation, float slope) =
            NormalizationCode.Read(attribute, declaration, diagnostics, "it keeps the division away from zero");
        return new BatchNormalizationSpec(declaration, momentum, epsilon, activation, slope);
    }

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var bn = (BatchNormalizationSpec)spec;
        int[] shape = context.Source;
        int channels = shape[shape.Length - 1];
        long size = shape.Aggregate(1L, (a, b) => a * b);
        if (!context.Fits(size, spec.Declaration, "output"))
        {
            return null;
        }

        int weight = context.AllocateParameters(channels);
        int bias = context.AllocateParameters(channels);
        int runningMean = context.AllocateBuffers(channels);
        int runningVar = context.AllocateBuffers(channels);
        int batchesTracked = context.AllocateBuffers(1);
        var activation = new ActivationCode(bn.Activation, bn.NegativeSlope);
        int preActivation = activation.NeedsPreActivation ? context.Allocate(size) : NodePlan.None;
        if (context.FoldsIntoSource)
        {
            // Folded into the layer it reads, it has no output of its own: its values are that layer's.
            return new BatchNormalizationPlan(context.Header(spec, shape, context.SourceOffsets[0]), activation, bn.Momentum, bn.Epsilon,
                weight, bias, runningMean, runningVar, batchesTracked, preActivation) { FoldedInto = context.SourceNames[0] };
        }

        int output = context.Allocate(size);
        return new BatchNormalizationPlan(context.Header(spec, shape, output), activation, bn.Momentum, bn.Epsilon,
            weight, bias, runningMean, runningVar, batchesTracked, preActivation);
    }
}

/// <summary>
/// A planned BatchNormalization over <c>channels</c> = the last axis: a training step normalises each channel by the
/// batch's mean and variance over every sample and position and moves the running statistics; Forward uses the running
/// statistics. The batch's statistics live in a field of the network, as a step is never split over threads. In an
/// inference-only network it may be folded into the layer it reads (<see cref="FoldedInto"/>, see <see cref="NormalizationFold"/>):
/// its parameters and buffers stay where they are, and it computes nothing.
/// </summary>
internal sealed record BatchNormalizationPlan(
    LayerHeader Header, ActivationCode Activation, float Momentum, float Epsilon,
    int WeightOffset, int BiasOffset, int RunningMeanOffset, int RunningVarOffset, int BatchesTrackedOffset, int PreActivationOffset)
    : LayerPlan(Header)
{
    private const string Kernels = Format.Kernels;

    public override LayerUnit Unit => BatchNormalizationUnit.Instance;

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        if (FoldedInto is { } into)
        {
            w.Line($"// {Header.Name}: described with {into}, into which Forward folds it.");
            w.Line($"graph.Alias({OnnxCode.Literal(Header.Name)}, {site.Source()});");
            return;
        }

        bool channelsFirst = Header.OutputShape.Count > 1;
        string v = Header.Variable;
        w.Line($"// {Header.Name} {OnnxCode.Shapes(this)}: ONNX's inference BatchNormalization over the running statistics{(channelsFirst ? ", channels-first" : "")}{(Activation.Kind == ActivationKind.Linear ? "" : ", then " + Format.Activation(Activation.Kind))}.");
        OnnxCode.EmitNode(w, "string " + v, "BatchNormalization", new[] { $"graph.{(channelsFirst ? "ChannelsFirst" : "Value")}({site.Source()})" }.Concat(NormalizationCode.OnnxStatistics(Header.Name)),
            OnnxCode.Target(this, Activation, "BatchNormalization"), OnnxCode.Float("epsilon", Epsilon));
        OnnxCode.EmitActivatedLayer(w, this, v, Activation, channelsFirst);
    }


    private int Channels => Header.OutputShape[Header.OutputShape.Count - 1];

    /// <summary>The name of the layer it is folded into, or null when it computes its own pass.</summary>
    public string? FoldedInto { get; init; }

    /// <summary>Folded, its output is the layer's it is folded into.</summary>
    public override bool IsView => FoldedInto is not null;

    /// <summary>Folded or not, the loss sees its activation (which, folded, the layer it is folded into applies).</summary>
    public override bool LossSeesThrough => false;

    public override NormalizationFold? Fold => FoldedInto is null ? null : new NormalizationFold(Header.Name, Pascal, Activation, PreActivationOffset, Epsilon);

    /// <summary>Rows of one sample: 1 for a vector, every pixel of an image.</summary>
    private int Positions => Header.OutputSize / Channels;

    public override bool HasParameters => true;

    public override IEnumerable<TensorPlan> Parameters => NormalizationCode.Parameters(this, Channels, WeightOffset, BiasOffset);

    public override IEnumerable<TensorPlan> Buffers => new[]
    {
        new TensorPlan($"{Header.Name}.running_mean", new[] { Channels }.ToEquatableArray(), RunningMeanOffset, Pascal + "RunningMean"),
        new TensorPlan($"{Header.Name}.running_var", new[] { Channels }.ToEquatableArray(), RunningVarOffset, Pascal + "RunningVar"),
        new TensorPlan($"{Header.Name}.num_batches_tracked", EquatableArray<int>.Empty, BatchesTrackedOffset, Pascal + "BatchesTracked"),
    };

    public override bool NeedsWholeBatch => true;

    public override long ForwardFlops => 2L * Header.OutputSize;

    public override ActivationKind OutputActivation => Activation.Kind;

    public override LayerPlan WithFusedLoss() => this with { Activation = Activation with { FusedWithLoss = true } };

    public override string SummaryActivation => Activation.Kind == ActivationKind.Linear ? "" : Format.Activation(Activation.Kind);

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants =>
        FoldedInto is null ? ActivatedScratch(PreActivationOffset) : System.Array.Empty<(string, int)>(); // folded: the layer it is folded into names its buffers

    private string Statistics => $"_{Header.Variable}Statistics";

    private string Target => Activation.NeedsPreActivation ? "z" : "y";

    public override void EmitInitialization(SourceWriter w)
    {
        string channels = Format.Int(Channels);
        NormalizationCode.EmitInitialization(w, this, Channels);
        w.Line($"buffers.Slice({Pascal}RunningMean, {channels}).Clear();");
        w.Line($"buffers.Slice({Pascal}RunningVar, {channels}).Fill(1f);");
        w.Line($"buffers[{Pascal}BatchesTracked] = 0f;");
    }

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        if (FoldedInto is not null)
        {
            return; // the call of the layer it is folded into says so
        }

        string size = Format.Int(Header.OutputSize);
        string variable = Header.Variable;
        w.Line($"{Format.Span} {variable} = scratch.Slice({Pascal}Output * batchSize, {size} * batchSize);");
        string z = Activation.NeedsPreActivation ? PreActivationSlice + ", " : "";
        string training = site.Training ? ", training" : "";
        w.Line($"{Pascal}Forward({site.Input}, {z}{variable}, batchSize{training});");
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site)
    {
        string saved = Activation.SavedArgument(site.Output, PreActivationSlice);
        string dx = site.DxOf0 is { } target ? target + ", " : "";
        w.Line($"{Pascal}Backward({site.Input}, {saved}{site.Dy}, {dx}batchSize, gradients);");
    }

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        if (FoldedInto is not null)
        {
            return;
        }

        string channels = Format.Int(Channels);
        string rows = Positions == 1 ? "batchSize" : $"batchSize * {Format.Int(Positions)}";
        string weight = $"parameters.Slice({Pascal}Weight, {channels})";
        string bias = $"parameters.Slice({Pascal}Bias, {channels})";
        string runningMean = $"buffers.Slice({Pascal}RunningMean, {channels})";
        string runningVar = $"buffers.Slice({Pascal}RunningVar, {channels})";
        string epsilon = Format.Float(Epsilon);
        string shownEpsilon = Epsilon.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant();
        string shownMomentum = Momentum.ToString("R", CultureInfo.InvariantCulture);
        string over = Positions == 1 ? "the batch" : $"the batch and the {Format.Int(Positions)} positions of each sample";
        string activated = Activation.Kind == ActivationKind.Linear ? "" : $", then {Format.Activation(Activation.Kind)}";

        w.Line(site.Training
            ? $"// {Header.Name}: {Format.Shape(Header.InputShape)}, {channels} channels normalised over {over}{activated}; momentum {shownMomentum}, ε {shownEpsilon}."
            : $"// {Header.Name}: {Format.Shape(Header.InputShape)}, {channels} channels normalised by their running statistics{activated}; ε {shownEpsilon}.");
        if (site.Training)
        {
            w.Line($"// A training step leaves the batch's mean and 1/σ in {Statistics} for the backward pass.");
            w.Line($"private readonly float[] {Statistics} = new float[{Format.Int(4 * Channels)}];");
            w.Line();
        }

        string z = Activation.NeedsPreActivation ? $"{Format.Span} z, " : "";
        string trainingParameter = site.Training ? ", bool training" : "";
        using (w.Block($"private void {Pascal}Forward({Format.ReadOnlySpan} x, {z}{Format.Span} y, int batchSize{trainingParameter})"))
        {
            w.Line($"{Format.ReadOnlySpan} parameters = ParameterValues;");
            w.Line($"{Format.Span} buffers = Buffers;");
            string inference = $"{Kernels}.BatchNorm.ForwardInference(x, {weight}, {bias}, {runningMean}, {runningVar}, {Target}, {rows}, {channels}, {epsilon});";
            if (site.Training)
            {
                using (w.Block("if (training)"))
                {
                    w.Line($"{Kernels}.BatchNorm.ForwardTraining(x, {weight}, {bias}, {runningMean}, {runningVar}, buffers.Slice({Pascal}BatchesTracked, 1), {Statistics}, {Target}, {rows}, {channels}, {Format.Float(Momentum)}, {epsilon});");
                }

                using (w.Block("else"))
                {
                    w.Line(inference);
                }
            }
            else
            {
                w.Line(inference);
            }

            Activation.EmitForward(w, Header.OutputSize);
        }

        if (!site.Training || !Header.InBackward)
        {
            return;
        }

        NormalizationCode.EmitBackward(w, this, Activation, "", ", dx = γ/σ · (dz − mean(dz) − x̂ · mean(dz·x̂)).",
            dx => $"{Kernels}.BatchNorm.Backward(x, ParameterValues.Slice({Pascal}Weight, {channels}), {Statistics}, dy, {dx}, " +
                  $"gradients.Slice({Pascal}Weight, {channels}), gradients.Slice({Pascal}Bias, {channels}), {rows}, {channels});");
    }
}
