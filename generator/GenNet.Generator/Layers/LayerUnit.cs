using System;
using System.Collections.Generic;
using System.Linq;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary>
/// One kind of layer, in one place: how to read its attribute, plan its shapes and arena offsets, and (through the
/// <see cref="LayerPlan"/> it returns) emit its forward and backward code. The pipeline iterates over units; nothing
/// else switches on a layer's kind. docs/adding-a-layer.md is the recipe for a new one.
/// </summary>
internal abstract class LayerUnit
{
    /// <summary>The attribute's name without "Attribute", as users write it: <c>Dense</c>, <c>MaxPool2D</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>The attribute's full metadata name.</summary>
    public string AttributeName => "GenNet." + Kind + "Attribute";

    /// <summary>The camelCase stem of generated names: <c>dense</c> gives <c>dense0</c> in code and <c>Dense0Weight</c> for members.</summary>
    public abstract string VariableStem { get; }

    /// <summary>Suffixes of the members generated for one layer of this kind (<c>Dense0Weight</c>, <c>Dense0Forward</c>, …).</summary>
    public virtual IEnumerable<string> MemberSuffixes => new[] { "Output", "Forward", "Backward" };

    /// <summary>Suffixes of the private fields generated for one layer of this kind (<c>_bn0Statistics</c>).</summary>
    public virtual IEnumerable<string> FieldSuffixes => Enumerable.Empty<string>();

    /// <summary>Whether layers of this kind have trained parameters.</summary>
    public virtual bool Learns => false;

    /// <summary>The default name of the <paramref name="index"/>-th layer of this kind (0-based, counting named ones too).</summary>
    public abstract string DefaultName(int index);

    /// <summary>Reads the attribute's arguments; problems go to <paramref name="diagnostics"/> on <paramref name="declaration"/>'s location.</summary>
    public abstract LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics);

    /// <summary>Plans the layer over its sources' shapes, or returns null after reporting why it cannot be planned.</summary>
    public abstract LayerPlan? Plan(LayerSpec spec, PlanContext context);
}

/// <summary>Every unit, found once by reflection: adding a layer kind is adding its unit class.</summary>
internal static class LayerUnits
{
    public static readonly LayerUnit[] All = typeof(LayerUnit).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && t.IsSubclassOf(typeof(LayerUnit)))
        .Select(t => (LayerUnit)Activator.CreateInstance(t)!)
        .OrderBy(u => u.Kind, StringComparer.Ordinal)
        .ToArray();

    private static readonly Dictionary<string, LayerUnit> s_byAttribute = All.ToDictionary(u => u.AttributeName, StringComparer.Ordinal);

    public static LayerUnit? ByAttributeName(string? name) => name is not null && s_byAttribute.TryGetValue(name, out LayerUnit? unit) ? unit : null;
}

/// <summary>
/// A planned layer: its <see cref="LayerHeader"/> plus whatever its kind needs, and the code it emits. Kinds derive
/// sealed records, so plans stay equatable values the pipeline can cache.
/// </summary>
internal abstract record LayerPlan(LayerHeader Header)
{
    public abstract LayerUnit Unit { get; }

    /// <summary>Computes nothing: its output is its input (Flatten in place, Dropout in an inference-only network).</summary>
    public virtual bool IsView => false;

    public virtual bool HasParameters => false;

    /// <summary>Its parameter tensors in arena order, with PyTorch's names and layouts.</summary>
    public virtual IEnumerable<TensorPlan> Parameters => Enumerable.Empty<TensorPlan>();

    public long ParameterCount => Parameters.Sum(t => (long)t.Size);

    /// <summary>
    /// The initializers and L2 penalties of a layer with a weight and a bias (its first and last <see cref="Parameters"/>),
    /// or null; see <see cref="ParameterOptions"/>.
    /// </summary>
    public virtual ParameterOptions? WeightOptions => null;

    /// <summary>Its parameter tensors with an L2 penalty, which the network adds to the loss: from <see cref="WeightOptions"/>.</summary>
    public IEnumerable<PenaltyPlan> Penalties =>
        WeightOptions is { } options ? options.Penalties(Parameters.First(), Parameters.Last()) : Enumerable.Empty<PenaltyPlan>();

    /// <summary>Its buffers (state saved but not trained, such as running statistics) in arena order, with PyTorch's names.</summary>
    public virtual IEnumerable<TensorPlan> Buffers => Enumerable.Empty<TensorPlan>();

    /// <summary>A Normalization layer's statistics, which the runtime's <c>Adapt</c> computes from data; null for any other layer.</summary>
    public virtual NormalizationStatistics? AdaptedStatistics => null;

    /// <summary>
    /// How its parameters start when that is not Keras's Glorot-uniform weights and zero biases, for the summary of the
    /// generated <c>InitializeParameters</c> ("recurrent layers from PyTorch's U(±1/√units)"); null otherwise.
    /// </summary>
    public virtual string? InitializationNote => null;

    /// <summary>The step mask its output carries (an Embedding with MaskZero, a recurrent layer passing its source's on), or null.</summary>
    public virtual StepMask? OutputMask => null;

    /// <summary>It reads the step mask its source carries (recurrent layers); a mask reaching any other layer is GN0030.</summary>
    public virtual bool TakesMask => false;

    /// <summary>Its training form reads statistics of the whole batch, so a training step cannot be split over threads.</summary>
    public virtual bool NeedsWholeBatch => false;

    /// <summary>Multiply-adds ×2 of the forward pass per sample (only products are counted).</summary>
    public virtual long ForwardFlops => 0;

    /// <summary>The backward pass writes its source's gradient over its own output's (dropout's mask product).</summary>
    public virtual bool BackwardInPlace => false;

    /// <summary>The loss sees through this layer to its source's activation (Flatten, which only reorders).</summary>
    public virtual bool LossSeesThrough => IsView;

    /// <summary>The activation the loss sees when this layer makes the network's output.</summary>
    public virtual ActivationKind OutputActivation => ActivationKind.Linear;

    /// <summary>The same layer with the loss's gradient arriving fused (p − t) instead of going through its activation.</summary>
    public virtual LayerPlan? WithFusedLoss() => null;

    /// <summary>Activation in Keras's summary column.</summary>
    public virtual string SummaryActivation => "";

    /// <summary>The per-sample scratch offsets it names, besides its output: <c>(constant, offset)</c>.</summary>
    public virtual IEnumerable<(string Constant, int Offset)> ScratchConstants => Enumerable.Empty<(string, int)>();

    /// <summary>Builds an im2col matrix in the shared columns buffer (a convolution over a patch bigger than 1×1).</summary>
    public virtual bool UsesColumns => false;

    /// <summary>Its forward pass leaves its own im2col matrix in the columns buffer (not scratch of another kind), for its backward pass.</summary>
    public virtual bool LeavesColumns => UsesColumns;

    /// <summary>
    /// Writes the shared columns buffer in some pass: its forward (<see cref="UsesColumns"/>), or a backward pass that rebuilds
    /// its im2col matrix there (a convolution whose forward needs none). A layer that leaves its columns for its backward
    /// finds them only when no layer after it writes the buffer.
    /// </summary>
    public virtual bool WritesColumns => UsesColumns;

    /// <summary>Keeps a copy of its weight in another layout, refreshed before each pass: the constant, offset and length.</summary>
    public virtual (string Constant, int Offset, int Length, string Comment)? ReorderedKernel => null;

    /// <summary>Keeps its weight transformed for its forward kernel (no gradient of its own), refreshed before each pass: the constant, offset and comment.</summary>
    public virtual (string Constant, int Offset, string Comment)? TransformedKernel => null;

    /// <summary>
    /// Where its refresh keeps the weight its copies above were last made from, to compare with the parameters: the constant,
    /// offset and comment; null for a layer without such copies.
    /// </summary>
    public virtual (string Constant, int Offset, string Comment)? KernelSource => null;

    public string Pascal => LayerNames.Pascal(Header.Variable);

    /// <summary>
    /// The scratch constants of a layer whose activation may keep its input: the pre-activation (GELU's, when
    /// <paramref name="preActivationOffset"/> is not <see cref="NodePlan.None"/>) and the output.
    /// </summary>
    protected IEnumerable<(string Constant, int Offset)> ActivatedScratch(int preActivationOffset) =>
        preActivationOffset >= 0
            ? new[] { (Pascal + "PreActivation", preActivationOffset), (Pascal + "Output", Header.OutputOffset) }.OrderBy(c => c.Item2) // a folded normalisation's comes after
            : new[] { (Pascal + "Output", Header.OutputOffset) };

    /// <summary>The batch's pre-activation buffer as generated code names it: <c>scratch.Slice(Dense0PreActivation * batchSize, 128 * batchSize)</c>.</summary>
    protected string PreActivationSlice => $"scratch.Slice({Pascal}PreActivation * batchSize, {Format.Int(Header.OutputSize)} * batchSize)";

    /// <summary>Writes its forward call into <c>Propagate</c>.</summary>
    public abstract void EmitForward(SourceWriter w, ForwardSite site);

    /// <summary>Writes its backward call into <c>Backpropagate</c>.</summary>
    public virtual void EmitBackward(SourceWriter w, BackwardSite site)
    {
    }

    /// <summary>Writes its forward/backward method pair (nothing for a layer whose calls are one kernel each).</summary>
    public virtual void EmitMethods(SourceWriter w, MethodSite site)
    {
    }

    /// <summary>
    /// Writes its part of the generated <c>DescribeOnnx</c>, the network's inference graph for <c>SaveOnnx</c>: its ONNX nodes
    /// through the runtime's <c>OnnxGraph</c> (<c>graph</c>), reading its sources by name (<see cref="OnnxSite.Sources"/>), and
    /// then its output under its own name with <c>graph.Layer</c> (or <c>graph.Alias</c> when it computes nothing). See
    /// <see cref="OnnxCode"/> and docs/adding-a-layer.md. A kind without an ONNX form keeps this default: SaveOnnx then
    /// throws NotSupportedException naming the layer, and writes nothing.
    /// </summary>
    public virtual void EmitOnnx(SourceWriter w, OnnxSite site) =>
        w.Line($"graph.Unsupported({OnnxCode.Literal(Header.Name)}, \"{Unit.Kind}\"); // {Unit.Kind} has no ONNX export yet");

    /// <summary>Writes its part of <c>InitializeParameters</c>: its parameters (span <c>parameters</c>) and buffers (span <c>buffers</c>).</summary>
    public virtual void EmitInitialization(SourceWriter w)
    {
    }

    /// <summary>Writes the refresh of its reordered kernel (see <see cref="ReorderedKernel"/>) or folded weights.</summary>
    public virtual void EmitKernelRefresh(SourceWriter w)
    {
    }

    /// <summary>Keeps weights derived from the parameters (and buffers) that <c>RefreshKernels</c> brings up to date.</summary>
    public virtual bool RefreshesWeights => ReorderedKernel is not null;

    /// <summary>Folded into the layer it reads (inference only): what that layer takes into its weights, or null.</summary>
    public virtual NormalizationFold? Fold => null;

    /// <summary>The same layer with <paramref name="fold"/> taken into its weights, for a spec that <see cref="LayerSpec.AbsorbsAffine"/>.</summary>
    public virtual LayerPlan WithFold(NormalizationFold fold) => this;
}

/// <summary>What a layer's forward call can refer to in <c>Propagate</c>.</summary>
/// <param name="Inputs">The span expressions holding its sources' outputs.</param>
/// <param name="Training">The network trains (its Propagate has a training form).</param>
internal sealed record ForwardSite(IReadOnlyList<string> Inputs, bool Training)
{
    public string Input => Inputs[0];
}

/// <summary>What a layer's backward call can refer to in <c>Backpropagate</c>.</summary>
/// <param name="Inputs">Expressions for its sources' saved outputs.</param>
/// <param name="Output">An expression for its own saved output.</param>
/// <param name="Dy">The span of dL/d(output), sized.</param>
/// <param name="Dx">Per source: the span its gradient goes to, sized, or null when it is not needed.</param>
/// <param name="ColumnsFresh">The im2col matrix is still the one its forward pass built.</param>
internal sealed record BackwardSite(IReadOnlyList<string> Inputs, string Output, string Dy, IReadOnlyList<string?> Dx, bool ColumnsFresh)
{
    public string Input => Inputs[0];

    public string? DxOf0 => Dx.Count > 0 ? Dx[0] : null;
}

/// <summary>What a layer's method pair depends on besides its plan.</summary>
internal sealed record MethodSite(bool Training, bool ColumnsFresh)
{
    /// <summary>How the compiled-in Dense weights are stored (Float32 unless the network declares a reduced precision).</summary>
    public WeightPrecisionKind WeightPrecision { get; init; }

    /// <summary>The parameter tensors' names in order: a tensor's index is how generated code asks the runtime for its stored bytes.</summary>
    public IReadOnlyList<string> ParameterTensorNames { get; init; } = System.Array.Empty<string>();

    /// <summary>The network's weights are compiled in (<c>[Network(Weights = …)]</c>).</summary>
    public bool CompiledWeights { get; init; }

    /// <summary>The Dense weights with a calibrated 8-bit input quantization in the compiled-in file: their layers run integer products.</summary>
    public IReadOnlyCollection<string> QuantizedInputs { get; init; } = System.Array.Empty<string>();
}

/// <summary>The planner's services to a unit: its sources, the arenas, and diagnostics.</summary>
internal sealed class PlanContext
{
    private readonly List<DiagnosticInfo> _diagnostics;
    private long _activations;
    private long _parameters;
    private long _buffers;
    private long _columns;
    private int _kernels;
    private int _kernelSources;
    private int _kernelGradient;

    public PlanContext(NetworkSpec spec, List<DiagnosticInfo> diagnostics)
    {
        Spec = spec;
        _diagnostics = diagnostics;
    }

    public NetworkSpec Spec { get; }

    public bool Training => Spec.Training;

    /// <summary>The shapes of the layer being planned's sources, in order.</summary>
    public IReadOnlyList<int[]> Sources { get; internal set; } = Array.Empty<int[]>();

    /// <summary>Where each source lies in the activation arena (<see cref="NodePlan.NetworkInput"/> for the network's input).</summary>
    public IReadOnlyList<int> SourceOffsets { get; internal set; } = Array.Empty<int>();

    /// <summary>Per source: whether it is one of the network's <c>[Input]</c>s rather than a layer's output.</summary>
    public IReadOnlyList<bool> SourceIsInput { get; internal set; } = Array.Empty<bool>();

    /// <summary>Per source: the step mask its output carries, or null.</summary>
    public IReadOnlyList<StepMask?> SourceMasks { get; internal set; } = Array.Empty<StepMask?>();

    /// <summary>The names of the sources, for messages.</summary>
    public IReadOnlyList<string> SourceNames { get; internal set; } = Array.Empty<string>();

    /// <summary>
    /// The first layer with parameters that reads the layer being planned's output, directly or through layers without
    /// parameters ("Layer 4 (Dense)"), or null. In a chain, the first one declared after it.
    /// </summary>
    public string? NextLearner { get; internal set; }

    /// <summary>Whether the layer being planned's output reaches the network's output through layers without parameters only.</summary>
    public bool FeedsOutput { get; internal set; }

    /// <summary>
    /// Inference only: the layer being planned folds into its source, which nothing else reads and which takes it into its
    /// weights (<see cref="LayerSpec.FoldsIntoSource"/>); it computes nothing of its own.
    /// </summary>
    public bool FoldsIntoSource { get; internal set; }

    /// <summary>Inference only: the layer that reads the layer being planned folds into it, so its weights are read from a folded copy.</summary>
    public bool TakesFold { get; internal set; }

    public int[] Source => Sources[0];

    public long ActivationsPerSample => _activations;

    public long ParameterCount => _parameters;

    public long BufferCount => _buffers;

    public long ColumnsPerSample => _columns;

    public int KernelsSize => _kernels;

    public int KernelSourcesSize => _kernelSources;

    public int KernelGradientSize => _kernelGradient;

    /// <summary>Reserves <paramref name="floats"/> per sample of the activation arena.</summary>
    public int Allocate(long floats)
    {
        int offset = (int)_activations;
        _activations += floats;
        return offset;
    }

    /// <summary>Reserves <paramref name="floats"/> of the parameter arena.</summary>
    public int AllocateParameters(long floats)
    {
        int offset = (int)_parameters;
        _parameters += floats;
        return offset;
    }

    /// <summary>Reserves <paramref name="floats"/> of the buffer arena (state saved but not trained).</summary>
    public int AllocateBuffers(long floats)
    {
        int offset = (int)_buffers;
        _buffers += floats;
        return offset;
    }

    /// <summary>Reserves a transformed copy of a weight (<paramref name="floats"/>) that only the forward pass reads: no room for a gradient.</summary>
    public int AllocateTransformedKernel(int floats) => AllocateKernel(floats, gradient: false);

    /// <summary>Reserves a reordered copy of a weight (<paramref name="floats"/>), and room for its gradient in training unless <paramref name="gradient"/> is false.</summary>
    public int AllocateKernel(int floats, bool gradient = true)
    {
        int offset = _kernels;
        _kernels += floats;
        if (gradient)
        {
            _kernelGradient = Math.Max(_kernelGradient, floats);
        }

        return offset;
    }

    /// <summary>
    /// Reserves the record of the weight (<paramref name="floats"/>, its size in the parameters) that a refresh compares with
    /// the parameters: one per compare, however many copies are made from that weight when it differs.
    /// </summary>
    public int AllocateKernelSource(int floats)
    {
        int offset = _kernelSources;
        _kernelSources += floats;
        return offset;
    }

    /// <summary>The shared im2col buffer must hold <paramref name="floats"/> per sample.</summary>
    public void NeedColumns(long floats) => _columns = Math.Max(_columns, floats);

    public void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

    /// <summary>GN0008 on the layer.</summary>
    public void Invalid(Declaration declaration, string problem) =>
        Report(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where, problem);

    /// <summary>True when <paramref name="elements"/> floats fit GenNet's limit; otherwise reports it.</summary>
    public bool Fits(long elements, Declaration declaration, string what) =>
        Planning.Planner.Fits(elements, declaration.Location, declaration.Where, what, _diagnostics);

    /// <summary>GN0004 unless the (only) source is one-dimensional.</summary>
    public bool NeedsFlatSource(Declaration declaration)
    {
        if (Source.Length == 1)
        {
            return true;
        }

        Report(DiagnosticDescriptors.NeedsFlatInput, declaration.Location, declaration.Where, string.Join(", ", Source));
        return false;
    }

    /// <summary>The name of the layer being planned (its <c>Name</c>, or its kind's default).</summary>
    public string Name { get; internal set; } = "";

    /// <summary>The place of the layer being planned among the layers of its kind, from 0.</summary>
    public int KindIndex { get; internal set; }

    /// <summary>The camelCase variable of the layer being planned (<c>dense0</c>).</summary>
    public string Variable { get; internal set; } = "";

    /// <summary>The header of the layer being planned with the given output shape; the planner fills in the graph's indices.</summary>
    public LayerHeader Header(LayerSpec spec, int[] outputShape, int outputOffset) =>
        new(spec.Declaration, Name, Variable, EquatableArray<int>.Empty,
            Sources.Select(s => s.ToEquatableArray()).ToEquatableArray(), -1, outputShape.ToEquatableArray(), outputOffset);
}
