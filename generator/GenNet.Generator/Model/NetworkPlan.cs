using System.Linq;

namespace GenNet.Generator.Model;

/// <summary>
/// An output in the graph: a network input or a layer's output, with its shape and where it lies in the activation arena,
/// per sample (at run time a buffer at offset <c>k</c> and width <c>n</c> is <c>scratch[k·batch, (k+n)·batch)</c>).
/// A layer that computes nothing (a view) has its source's offset.
/// </summary>
internal sealed record NodePlan(string Name, string Variable, EquatableArray<int> Shape, int Offset, int Layer)
{
    /// <summary>Offset meaning "the network's input span", not the arena (a network with one input reads it where it lies).</summary>
    public const int NetworkInput = -1;

    /// <summary>Offset meaning "not stored".</summary>
    public const int None = -2;

    public int Size => Shape.Aggregate(1, (a, b) => a * b);

    public bool IsInput => Layer < 0;
}

/// <summary>What every layer's plan has: where it was declared, what it reads and what it writes.</summary>
/// <param name="Sources">The nodes it reads, in order (indices into <see cref="NetworkPlan.Nodes"/>).</param>
/// <param name="Output">The node it writes.</param>
/// <param name="OutputOffset">Where its output lies in the activation arena (its source's offset for a view).</param>
/// <param name="GradientTo">Per source: whether the backward pass computes that source's gradient.</param>
/// <param name="InBackward">Whether the layer runs in the backward pass (it leads to the loss and something before or in it learns).</param>
internal sealed record LayerHeader(
    Declaration Declaration,
    string Name,
    string Variable,
    EquatableArray<int> Sources,
    EquatableArray<EquatableArray<int>> SourceShapes,
    int Output,
    EquatableArray<int> OutputShape,
    int OutputOffset,
    EquatableArray<bool> GradientTo = default,
    bool InBackward = false)
{
    public int InputSize => SourceShapes[0].Aggregate(1, (a, b) => a * b);

    public int OutputSize => OutputShape.Aggregate(1, (a, b) => a * b);

    public EquatableArray<int> InputShape => SourceShapes[0];

    /// <summary>The first source's gradient is computed (the only one for a layer with one input).</summary>
    public bool NeedsInputGradient => GradientTo.Count > 0 && GradientTo[0];
}

/// <summary>A parameter (or buffer) tensor: its name, PyTorch-layout shape, arena offset and the constant that names the offset.</summary>
internal sealed record TensorPlan(string Name, EquatableArray<int> Shape, int Offset, string Constant)
{
    public int Size => Shape.Aggregate(1, (a, b) => a * b);
}

/// <summary>One step of the backward pass: a layer, the gradient slot it reads, and where each source's gradient goes.</summary>
/// <param name="Layer">Index into <see cref="NetworkPlan.Layers"/>.</param>
/// <param name="DySlot">The gradient slot holding dL/d(output).</param>
/// <param name="DxSlots">Per source: the slot its gradient is written to, or −1 when it is not needed.</param>
/// <param name="AddInto">Per source: −1, or the slot the written gradient is then added to (a fork's second consumer).</param>
internal sealed record BackwardStep(int Layer, int DySlot, EquatableArray<int> DxSlots, EquatableArray<int> AddInto);

/// <summary>A network ready to emit: shapes inferred, parameters laid out, scratch sized, the backward pass scheduled.</summary>
internal sealed record NetworkPlan(
    NetworkSpec Spec,
    LossKind Loss,
    EquatableArray<NodePlan> Nodes,
    EquatableArray<int> InputNodes,
    EquatableArray<Layers.LayerPlan> Layers,
    int OutputNode,
    int ParameterCount,
    int OutputOffset,
    bool CopiesInputToOutput,
    int ActivationsPerSample,
    int ColumnsPerSample,
    int GradientWidth,
    int GradientSlots,
    EquatableArray<BackwardStep> Backward,
    int KernelsSize = 0,
    int KernelSourcesSize = 0,
    int KernelGradientSize = 0,
    int BufferCount = 0)
{
    public NodePlan Output => Nodes[OutputNode];

    public EquatableArray<int> OutputShape => Output.Shape;

    public int OutputSize => Output.Size;

    public int InputSize => InputNodes.Sum(i => Nodes[i].Size);

    /// <summary>
    /// The Dense weights whose compiled-in file carries a calibrated 8-bit input quantization (<c>NAME_input_quant</c>,
    /// WeightPrecision.Int8 only): those layers run integer products. Set when the weights file is checked.
    /// </summary>
    public EquatableArray<string> QuantizedInputs { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The single input's shape, or for several inputs [InputSize] (a sample is the inputs one after the other).</summary>
    public EquatableArray<int> InputShape => InputNodes.Count == 1 ? Nodes[InputNodes[0]].Shape : new[] { InputSize }.ToEquatableArray();

    /// <summary>Floats of scratch per sample: the activations, the im2col matrix, then the gradient slots.</summary>
    public int ScratchPerSample => ActivationsPerSample + ColumnsPerSample + (Spec.Training ? GradientSlots * GradientWidth : 0);

    public bool HasDropout => Layers.Any(l => l is global::GenNet.Generator.Layers.DropoutPlan { IsView: false });

    /// <summary>Every parameter tensor, in arena order.</summary>
    public System.Collections.Generic.IEnumerable<TensorPlan> ParameterTensors => Layers.SelectMany(l => l.Parameters);

    /// <summary>Every buffer tensor (state saved but not trained), in arena order.</summary>
    public System.Collections.Generic.IEnumerable<TensorPlan> BufferTensors => Layers.SelectMany(l => l.Buffers);

    /// <summary>A training step reads statistics of the whole batch, so the runtime never splits one over threads.</summary>
    public bool WholeBatch => Spec.Training && Layers.Any(l => l.NeedsWholeBatch);

    /// <summary>True when the layers form a chain: one input, each layer reading the one declared before it.</summary>
    public bool IsChain =>
        InputNodes.Count == 1 &&
        Enumerable.Range(0, Layers.Count).All(i => Layers[i].Header.Sources.SequenceEqual(new[] { i == 0 ? InputNodes[0] : Layers[i - 1].Header.Output }));
}

/// <summary>The planner's answer.</summary>
internal sealed record PlanResult(NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);
