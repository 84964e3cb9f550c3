using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary>The recurrent layer kinds, with PyTorch's gate counts: LSTM 4 (i, f, g, o), GRU 3 (r, z, n), SimpleRNN 1.</summary>
internal enum RecurrentKind
{
    LSTM,
    GRU,
    SimpleRNN,
}

/// <summary><c>[LSTM(units)]</c>, <c>[GRU(units)]</c>, <c>[SimpleRNN(units)]</c> over a sequence [steps, features].</summary>
internal sealed record RecurrentSpec(Declaration Declaration, RecurrentKind Kind, int Units, bool ReturnSequences)
    : LayerSpec(Declaration)
{
    public override LayerUnit Unit => RecurrentUnit.Of(Kind);
}

/// <summary>
/// The three recurrent kinds share one reading, planning and emitting; the units differ only in their names. Each step's
/// code is one kernel call inside a loop over the steps with constant bounds (see <see cref="RecurrentPlan"/>).
/// </summary>
internal abstract class RecurrentUnit : LayerUnit
{
    protected abstract RecurrentKind Recurrence { get; }

    /// <summary>Keras's stem: <c>lstm</c>, <c>gru</c>, <c>simple_rnn</c>.</summary>
    protected abstract string KerasName { get; }

    public override string Kind => Recurrence.ToString();

    public override bool Learns => true;

    public override IEnumerable<string> MemberSuffixes => new[]
    {
        "WeightIh", "WeightHh", "BiasIh", "BiasHh", "Steps", "Gates", "Projection", "Hidden", "Cell", "Output",
        "HiddenGradient", "CellGradient", "HiddenCarry", "Forward", "Backward",
    };

    /// <summary>Keras's names: <c>lstm</c> for the first, then <c>lstm_1</c>, ….</summary>
    public override string DefaultName(int index) => index == 0 ? KerasName : $"{KerasName}_{index}";

    public static RecurrentUnit Of(RecurrentKind kind) => kind switch
    {
        RecurrentKind.LSTM => LstmUnit.Instance,
        RecurrentKind.GRU => GruUnit.Instance,
        _ => SimpleRnnUnit.Instance,
    };

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics)
    {
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        if (attribute.AttributeConstructor is null || arguments.Length != 1 || arguments[0].Value is not int units)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"the argument must be a constant unit count, for example [{Kind}(64)]"));
            return new RecurrentSpec(declaration, Recurrence, 0, false);
        }

        return new RecurrentSpec(declaration, Recurrence, units, AttributeArguments.Named(attribute, "ReturnSequences", false));
    }

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var recurrent = (RecurrentSpec)spec;
        Declaration declaration = recurrent.Declaration;
        if (recurrent.Units <= 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, declaration.Location, declaration.Where, "units", recurrent.Units);
            return null;
        }

        int[] shape = context.Source;
        if (shape.Length != 2)
        {
            string hint = shape.Length == 1
                ? "declare the input as [Input(steps, features)], put the layer before [Flatten] and Dense layers, and give a recurrent layer before it ReturnSequences = true"
                : "an image's rows are a sequence when declared as [Input(rows, width × channels)]";
            context.Report(DiagnosticDescriptors.NeedsSequenceInput, declaration.Location, declaration.Where, string.Join(", ", shape), hint);
            return null;
        }

        int steps = shape[0], features = shape[1], units = recurrent.Units;
        int width = RecurrentPlan.GatesOf(recurrent.Kind) * units;
        if (!context.Fits((long)width * features, declaration, "weight_ih") || !context.Fits((long)width * units, declaration, "weight_hh") ||
            !context.Fits((long)steps * width, declaration, "gates"))
        {
            return null;
        }

        int weightIh = context.AllocateParameters((long)width * features);
        int weightHh = context.AllocateParameters((long)width * units);
        int biasIh = context.AllocateParameters(width);
        int biasHh = context.AllocateParameters(width);
        bool gru = recurrent.Kind == RecurrentKind.GRU;
        int xs = context.Allocate((long)steps * features);
        int gates = context.Allocate((long)steps * width);
        int projection = context.Allocate(gru ? (long)steps * width : width);
        int hidden = context.Allocate((long)(steps + 1) * units);
        int cell = recurrent.Kind == RecurrentKind.LSTM ? context.Allocate((long)(steps + 1) * units) : NodePlan.None;
        int output = recurrent.ReturnSequences ? context.Allocate((long)steps * units) : hidden + steps * units; // the last state is the output
        int hiddenGradient = context.Training && recurrent.ReturnSequences ? context.Allocate(units) : NodePlan.None;
        int cellGradient = context.Training && cell != NodePlan.None ? context.Allocate(units) : NodePlan.None;
        int hiddenCarry = context.Training && gru ? context.Allocate(units) : NodePlan.None;
        int[] outputShape = recurrent.ReturnSequences ? new[] { steps, units } : new[] { units };
        return new RecurrentPlan(context.Header(spec, outputShape, output), recurrent.Kind, steps, features, units, recurrent.ReturnSequences,
            weightIh, weightHh, biasIh, biasHh, xs, gates, projection, hidden, cell, hiddenGradient, cellGradient, hiddenCarry, context.SourceMasks[0]);
    }
}

internal sealed class LstmUnit : RecurrentUnit
{
    public static readonly LstmUnit Instance = new();

    protected override RecurrentKind Recurrence => RecurrentKind.LSTM;

    protected override string KerasName => "lstm";

    public override string VariableStem => "lstm";
}

internal sealed class GruUnit : RecurrentUnit
{
    public static readonly GruUnit Instance = new();

    protected override RecurrentKind Recurrence => RecurrentKind.GRU;

    protected override string KerasName => "gru";

    public override string VariableStem => "gru";
}

internal sealed class SimpleRnnUnit : RecurrentUnit
{
    public static readonly SimpleRnnUnit Instance = new();

    protected override RecurrentKind Recurrence => RecurrentKind.SimpleRNN;

    protected override string KerasName => "simple_rnn";

    public override string VariableStem => "simpleRnn";
}

/// <summary>
/// A planned recurrent layer. Its activation-arena blocks are step-major (see GenNet.Kernels.Recurrent): the input copied
/// to [steps, batch, features] (<c>Steps</c>), every step's gates (<c>Gates</c>), the recurrent projection
/// (<c>Projection</c>: one step's, or every step's for the GRU), the states h (<c>Hidden</c>) and, for the LSTM, c
/// (<c>Cell</c>), [steps + 1, batch, units] with the zero initial state in slot 0. Without <c>ReturnSequences</c> the
/// output is h's last slot itself, [batch, units]; with it, every state copied back to [batch, steps, units]. A training
/// network also keeps dL/dh (sequences only: otherwise the incoming gradient serves), dL/dc (LSTM) and the GRU's carry.
/// </summary>
/// <remarks>
/// The steps run in a loop with constant bounds rather than unrolled: each step is a kernel call (a [batch, units] ×
/// [units, gates·units] product and the gates' element-wise work) whose arguments differ only by the step, so unrolling
/// would repeat the same call steps times (28 for SequenceMnist) without removing any work.
/// </remarks>
internal sealed record RecurrentPlan(
    LayerHeader Header, RecurrentKind Kind, int Steps, int Features, int Units, bool ReturnSequences,
    int WeightIhOffset, int WeightHhOffset, int BiasIhOffset, int BiasHhOffset,
    int StepsOffset, int GatesOffset, int ProjectionOffset, int HiddenOffset, int CellOffset,
    int HiddenGradientOffset, int CellGradientOffset, int HiddenCarryOffset, StepMask? Mask = null)
    : LayerPlan(Header)
{
    private const string Kernels = Format.Kernels;

    public override LayerUnit Unit => RecurrentUnit.Of(Kind);

    public static int GatesOf(RecurrentKind kind) => kind switch
    {
        RecurrentKind.LSTM => 4,
        RecurrentKind.GRU => 3,
        _ => 1,
    };

    private int Width => GatesOf(Kind) * Units;

    private bool Lstm => Kind == RecurrentKind.LSTM;

    private bool Gru => Kind == RecurrentKind.GRU;

    private string GateNames => Kind switch
    {
        RecurrentKind.LSTM => "i, f, g, o",
        RecurrentKind.GRU => "r, z, n",
        _ => "each step's h",
    };

    public override bool HasParameters => true;

    public override string? InitializationNote => "recurrent layers from PyTorch's U(±1/√units)";

    public override bool TakesMask => true;

    /// <summary>
    /// A sequence output carries its source's mask on, so a recurrent layer after it skips the same steps (Keras's
    /// propagation); any other layer may read it, its padded steps being zero.
    /// </summary>
    public override StepMask? OutputMask => ReturnSequences && Mask is not null ? Mask with { PassedOn = true } : null;

    private string Masked => Mask is null ? "" : "mask, ";

    public override IEnumerable<TensorPlan> Parameters => new[]
    {
        new TensorPlan($"{Header.Name}.weight_ih_l0", new[] { Width, Features }.ToEquatableArray(), WeightIhOffset, Pascal + "WeightIh"),
        new TensorPlan($"{Header.Name}.weight_hh_l0", new[] { Width, Units }.ToEquatableArray(), WeightHhOffset, Pascal + "WeightHh"),
        new TensorPlan($"{Header.Name}.bias_ih_l0", new[] { Width }.ToEquatableArray(), BiasIhOffset, Pascal + "BiasIh"),
        new TensorPlan($"{Header.Name}.bias_hh_l0", new[] { Width }.ToEquatableArray(), BiasHhOffset, Pascal + "BiasHh"),
    };

    public override long ForwardFlops => 2L * Steps * Width * (Features + Units);

    public override string SummaryActivation => "tanh";

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants =>
        new[]
        {
            (Pascal + "Steps", StepsOffset), (Pascal + "Gates", GatesOffset), (Pascal + "Projection", ProjectionOffset), (Pascal + "Hidden", HiddenOffset),
            (Pascal + "Cell", CellOffset), (Pascal + "Output", Header.OutputOffset), (Pascal + "HiddenGradient", HiddenGradientOffset),
            (Pascal + "CellGradient", CellGradientOffset), (Pascal + "HiddenCarry", HiddenCarryOffset),
        }.Where(c => c.Item2 >= 0).OrderBy(c => c.Item2);

    private string Slice(string arena, string constant, string size) => $"{arena}.Slice({Pascal}{constant}, {size})";

    private string WeightIh(string arena) => Slice(arena, "WeightIh", $"{Format.Int(Width)} * {Format.Int(Features)}");

    private string WeightHh(string arena) => Slice(arena, "WeightHh", $"{Format.Int(Width)} * {Format.Int(Units)}");

    public override void EmitInitialization(SourceWriter w)
    {
        float limit = (float)(1.0 / System.Math.Sqrt(Units));
        w.Line($"// {Header.Name}: PyTorch's initialisation of a recurrent layer, every tensor from U(−1/√{Format.Int(Units)}, 1/√{Format.Int(Units)}).");
        foreach (TensorPlan tensor in Parameters)
        {
            string size = string.Join(" * ", tensor.Shape.Select(Format.Int));
            w.Line($"global::GenNet.Initializers.Uniform(parameters.Slice({tensor.Constant}, {size}), limit: {Format.Float(limit)}, ref random);");
        }
    }

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        w.Line($"{Format.Span} {Header.Variable} = scratch.Slice({Pascal}Output * batchSize, {Format.Int(Header.OutputSize)} * batchSize);");
        w.Line($"{Pascal}Forward({site.Input}, scratch, batchSize);");
    }

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        // ONNX's recurrent operators run over [steps, batch, features] and give Y as [steps, directions, batch, units]; their
        // gate order differs from PyTorch's (LSTM i, o, f, c; GRU z, r, h), so the weights are reordered at export, and GRU's
        // linear_before_reset = 1 is PyTorch's n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn)).
        string v = Header.Variable, name = Header.Name, op = Kind == RecurrentKind.SimpleRNN ? "RNN" : Kind.ToString();
        string order = Kind switch
        {
            RecurrentKind.LSTM => "[0, 3, 1, 2]",
            RecurrentKind.GRU => "[1, 0, 2]",
            _ => "[0]",
        };
        string pytorchOrder = Kind switch
        {
            RecurrentKind.LSTM => " (i, o, f, c from PyTorch's i, f, g, o)",
            RecurrentKind.GRU => " (z, r, h from PyTorch's r, z, n; linear_before_reset = 1)",
            _ => "",
        };
        string units = Format.Int(Units), width = Format.Int(Width);
        w.Line($"// {name} {OnnxCode.Shapes(this)}: ONNX's {op}{pytorchOrder} over the steps first, then " +
               (ReturnSequences ? "every step's h back to batch-first." : "the last step's h."));
        string input = $"graph.ChannelsLast({site.Source()})";
        if (Mask is not null)
        {
            EmitCompaction(w, input);
            input = v;
        }

        OnnxCode.EmitNode(w, (Mask is null ? "string " : "") + v, "Transpose", new[] { input }, OnnxCode.Literal(name + "/steps_first"),
            OnnxCode.Ints("perm", new[] { 1, 0, 2 }));
        string Blocks(string suffix, string tensors, string dims) =>
            $"graph.GateBlocks({OnnxCode.Literal(name + "." + suffix)}, [{tensors}], {order}, {dims})";
        string weights = Blocks("W", OnnxCode.Literal(name + ".weight_ih_l0"), $"[1, {width}, {Format.Int(Features)}]");
        string recurrent = Blocks("R", OnnxCode.Literal(name + ".weight_hh_l0"), $"[1, {width}, {units}]");
        string biases = Blocks("B", OnnxCode.Literal(name + ".bias_ih_l0") + ", " + OnnxCode.Literal(name + ".bias_hh_l0"), $"[1, 2 * {width}]");
        var attributes = new List<string> { OnnxCode.Int("hidden_size", Units) };
        if (Kind == RecurrentKind.GRU)
        {
            attributes.Add(OnnxCode.Int("linear_before_reset", 1));
        }

        if (Mask is not null)
        {
            OnnxCode.EmitNode(w, $"string {v}SequenceLengths", "Cast", new[] { v + "Lengths" }, OnnxCode.Literal(name + "/sequence_lens"), OnnxCode.Int("to", 6));
        }

        w.Line($"{v} = graph.Node(\"{op}\", [{v},");
        w.Line($"    {weights},");
        w.Line($"    {recurrent},");
        w.Line(Mask is null ? $"    {biases}]," : $"    {biases},");
        if (Mask is not null)
        {
            w.Line($"    {v}SequenceLengths],");
        }

        w.Line($"    {OnnxCode.Literal(name + "/" + op)}, {string.Join(", ", attributes)});");
        if (ReturnSequences)
        {
            OnnxCode.EmitNode(w, v, "Squeeze", new[] { v, $"graph.Int64Constant({OnnxCode.Literal(name + ".axes")}, [1], [1])" }, OnnxCode.Literal(name + "/Squeeze"));
            OnnxCode.EmitNode(w, v, "Transpose", new[] { v }, OnnxCode.Literal(Mask is null ? name : name + "/batch_first"), OnnxCode.Ints("perm", new[] { 1, 0, 2 }));
            if (Mask is not null)
            {
                w.Line("// Each step's output back to its place: y[b, t] = Y[b, to[b, t]], zero at padding (Y is zero past a sample's length).");
                OnnxCode.EmitNode(w, v, "GatherElements", new[] { v, $"graph.Node(\"Expand\", [{v}To, graph.Node(\"Shape\", [{v}], {OnnxCode.Literal(name + "/shape")})], {OnnxCode.Literal(name + "/places")})" },
                    OnnxCode.Literal(name), OnnxCode.Int("axis", 1));
            }
        }
        else if (Mask is not null)
        {
            // Y is zero past each sample's length: its state after the last real step is Σ_t Y[t]·[t + 1 = length], zero for length 0.
            string positions = string.Join(", ", Enumerable.Range(1, Steps).Select(t => Format.Float(t)));
            OnnxCode.EmitNode(w, v, "Squeeze", new[] { v, $"graph.Int64Constant({OnnxCode.Literal(name + ".axes")}, [1], [1])" }, OnnxCode.Literal(name + "/Squeeze"));
            OnnxCode.EmitNode(w, $"string {v}Last", "Unsqueeze", new[] { v + "Lengths", $"graph.Int64Constant({OnnxCode.Literal(name + ".batch_axis")}, [0], [1])" },
                OnnxCode.Literal(name + "/lengths_row"));
            OnnxCode.EmitNode(w, v + "Last", "Equal", new[] { $"graph.Constant({OnnxCode.Literal(name + ".positions")}, [{positions}], [{Format.Int(Steps)}, 1])", v + "Last" },
                OnnxCode.Literal(name + "/is_last"));
            OnnxCode.EmitNode(w, v + "Last", "Cast", new[] { v + "Last" }, OnnxCode.Literal(name + "/last"), OnnxCode.Int("to", 1));
            OnnxCode.EmitNode(w, v + "Last", "Unsqueeze", new[] { v + "Last", $"graph.Int64Constant({OnnxCode.Literal(name + ".units_axis")}, [2], [1])" },
                OnnxCode.Literal(name + "/last_weights"));
            OnnxCode.EmitNode(w, v, "Mul", new[] { v, v + "Last" }, OnnxCode.Literal(name + "/last_only"));
            OnnxCode.EmitNode(w, v, "ReduceSum", new[] { v, $"graph.Int64Constant({OnnxCode.Literal(name + ".step_axis_0")}, [0], [1])" }, OnnxCode.Literal(name),
                OnnxCode.Int("keepdims", 0));
        }
        else
        {
            OnnxCode.EmitNode(w, v, "Gather", new[] { v, $"graph.Int64Constant({OnnxCode.Literal(name + ".last_step")}, [{Format.Int(Steps - 1)}], [])" },
                OnnxCode.Literal(name + "/last_step"));
            OnnxCode.EmitNode(w, v, "Squeeze", new[] { v, $"graph.Int64Constant({OnnxCode.Literal(name + ".axes")}, [0], [1])" }, OnnxCode.Literal(name));
        }

        OnnxCode.EmitLayer(w, this, v, channelsFirst: false);
    }

    /// <summary>
    /// The ONNX nodes that move each sample's real steps, in order, to the front of its sequence (ONNX's recurrent operators
    /// take a length per sample, not a mask): <c>to[b, t]</c>, the place of step t, is <c>C − 1</c> for a real step and
    /// <c>L + t − C</c> for padding, with C the mask's running sum and L its total; then
    /// <c>x'[b, to[b, t]] = x[b, t]</c> into <c>{v}</c>, and <c>{v}To</c>, <c>{v}Lengths</c> kept for the output.
    /// </summary>
    private void EmitCompaction(SourceWriter w, string input)
    {
        string v = Header.Variable, name = Header.Name, mask = Mask!.OnnxValue;
        string steps = string.Join(", ", Enumerable.Range(0, Steps).Select(t => Format.Float(t)));
        w.Line($"// {Mask.Producer}'s step mask m [batch, {Format.Int(Steps)}]: each sample's real steps moved, in order, to the front (ONNX's {Kind} takes a length per sample),");
        w.Line("// step t to C − 1 if real and to L + t − C if padding, with C = Σ_{s ≤ t} m and L = Σ m.");
        OnnxCode.EmitNode(w, $"string {v}Count", "CumSum", new[] { mask, $"graph.Int64Constant({OnnxCode.Literal(name + ".cumsum_axis")}, [1], [])" }, OnnxCode.Literal(name + "/count"));
        OnnxCode.EmitNode(w, $"string {v}Length", "ReduceSum", new[] { mask, $"graph.Int64Constant({OnnxCode.Literal(name + ".step_axis")}, [1], [1])" },
            OnnxCode.Literal(name + "/length"), OnnxCode.Int("keepdims", 1));
        OnnxCode.EmitNode(w, $"string {v}Padded", "Add", new[] { v + "Length", $"graph.Constant({OnnxCode.Literal(name + ".steps")}, [{steps}], [{Format.Int(Steps)}])" },
            OnnxCode.Literal(name + "/length_plus_t"));
        OnnxCode.EmitNode(w, v + "Padded", "Sub", new[] { v + "Padded", v + "Count" }, OnnxCode.Literal(name + "/padded_place"));
        OnnxCode.EmitNode(w, $"string {v}To", "Sub", new[] { v + "Count", "graph.Scalar(1f)" }, OnnxCode.Literal(name + "/real_place"));
        OnnxCode.EmitNode(w, v + "To", "Sub", new[] { v + "To", v + "Padded" }, OnnxCode.Literal(name + "/real_minus_padded"));
        OnnxCode.EmitNode(w, v + "To", "Mul", new[] { v + "To", mask }, OnnxCode.Literal(name + "/masked"));
        OnnxCode.EmitNode(w, v + "To", "Add", new[] { v + "To", v + "Padded" }, OnnxCode.Literal(name + "/place"));
        OnnxCode.EmitNode(w, v + "To", "Cast", new[] { v + "To" }, OnnxCode.Literal(name + "/place_index"), OnnxCode.Int("to", 7));
        OnnxCode.EmitNode(w, v + "To", "Unsqueeze", new[] { v + "To", $"graph.Int64Constant({OnnxCode.Literal(name + ".feature_axis")}, [2], [1])" }, OnnxCode.Literal(name + "/places_column"));
        OnnxCode.EmitNode(w, $"string {v}Lengths", "Squeeze", new[] { v + "Length", $"graph.Int64Constant({OnnxCode.Literal(name + ".length_axis")}, [1], [1])" }, OnnxCode.Literal(name + "/lengths"));
        w.Line($"string {v} = {input};");
        OnnxCode.EmitNode(w, v, "ScatterElements", new[] { v, $"graph.Node(\"Expand\", [{v}To, graph.Node(\"Shape\", [{v}], {OnnxCode.Literal(name + "/input_shape")})], {OnnxCode.Literal(name + "/input_places")})", v },
            OnnxCode.Literal(name + "/real_first"), OnnxCode.Int("axis", 1));
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site)
    {
        string dx = site.DxOf0 is { } target ? target + ", " : "";
        w.Line($"{Pascal}Backward(scratch, {site.Dy}, {dx}batchSize, gradients);");
    }

    /// <summary>The named views of its blocks that both methods start with.</summary>
    private void EmitBuffers(SourceWriter w, bool backward)
    {
        string steps = Format.Int(Steps), units = Format.Int(Units), width = Format.Int(Width), states = Format.Int(Steps + 1);
        w.Line($"{Format.Span} xs = scratch.Slice({Pascal}Steps * batchSize, {steps} * {Format.Int(Features)} * batchSize); // x step-major, [{steps}, batch, {Format.Int(Features)}]");
        w.Line($"{Format.Span} gates = scratch.Slice({Pascal}Gates * batchSize, {steps} * {width} * batchSize); // [{steps}, batch, {width}]: {GateNames}");
        if (Gru)
        {
            w.Line($"{Format.Span} projection = scratch.Slice({Pascal}Projection * batchSize, {steps} * {width} * batchSize); // W_hh·h + b_hh of every step, [{steps}, batch, {width}]");
        }
        else if (!backward || Lstm || Mask is not null) // the LSTM's backward (and a masked SimpleRNN's) uses it as working space
        {
            w.Line($"{Format.Span} projection = scratch.Slice({Pascal}Projection * batchSize, {width} * batchSize); // W_hh·h + b_hh of one step, [batch, {width}]");
        }

        w.Line($"{Format.Span} h = scratch.Slice({Pascal}Hidden * batchSize, {states} * {units} * batchSize); // [{states}, batch, {units}], h[0] = 0");
        if (Lstm)
        {
            w.Line($"{Format.Span} c = scratch.Slice({Pascal}Cell * batchSize, {states} * {units} * batchSize); // [{states}, batch, {units}], c[0] = 0");
        }

        if (Mask is not null)
        {
            w.Line(Mask.Declaration(Steps));
        }

        if (!backward)
        {
            w.Line($"{Format.ReadOnlySpan} parameters = ParameterValues;");
        }
    }

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        string steps = Format.Int(Steps), units = Format.Int(Units), width = Format.Int(Width), features = Format.Int(Features);
        string biasIh = Slice("parameters", "BiasIh", width), biasHh = Slice("parameters", "BiasHh", width);
        string formula = Kind switch
        {
            RecurrentKind.LSTM => "(i, f, g, o) = (σ, σ, tanh, σ)(W_ih·x_t + b_ih + W_hh·h + b_hh), c = f ⊙ c + i ⊙ g, h = o ⊙ tanh(c)",
            RecurrentKind.GRU => "r, z = σ(W_ir·x_t + b_ir + W_hr·h + b_hr), σ(W_iz·x_t + b_iz + W_hz·h + b_hz), " +
                                 "n = tanh(W_in·x_t + b_in + r ⊙ (W_hn·h + b_hn)), h = (1 − z) ⊙ n + z ⊙ h",
            _ => "h = tanh(W_ih·x_t + b_ih + W_hh·h + b_hh)",
        };
        string start = Lstm ? "h = c = 0" : "h = 0";
        string returned = ReturnSequences ? $"every step's h, [batch, {steps}, {units}]" : "the last step's h (h's last slot itself)";
        w.Line($"// {Header.Name}: {Format.Shape(Header.InputShape)} → {Format.Shape(Header.OutputShape)}, {Kind} of {units} units over {steps} steps from {start}: " +
               $"{formula}. weight_ih [{width}, {features}], weight_hh [{width}, {units}], biases [{width}]; y is {returned}.");
        w.Line($"// Every step's input projection is one product over {steps} × batch rows; then each step adds W_hh·h + b_hh and applies {(Kind == RecurrentKind.SimpleRNN ? "tanh" : "its gates")}.");
        if (Mask is not null)
        {
            w.Line($"// Under {Mask.Producer}'s step mask a padded step carries {(Lstm ? "h and c" : "h")} over unchanged and {(ReturnSequences ? "outputs zero" : "so the output is each sample's state after its last real step")}: padding changes no output at a real step and no gradient.");
        }

        using (w.Block($"private void {Pascal}Forward({Format.ReadOnlySpan} x, {Format.Span} scratch, int batchSize)"))
        {
            EmitBuffers(w, backward: false);
            w.Line($"{Kernels}.Recurrent.ToStepMajor(x, xs, batchSize, steps: {steps}, width: {features});");
            w.Line($"{Kernels}.Dense.Forward(xs, {WeightIh("parameters")}, {biasIh}, gates, {steps} * batchSize, {features}, {width});");
            w.Line($"h.Slice(0, {units} * batchSize).Clear();");
            if (Lstm)
            {
                w.Line($"c.Slice(0, {units} * batchSize).Clear();");
            }

            w.Line($"{Format.ReadOnlySpan} weightHh = {WeightHh("parameters")};");
            w.Line($"{Format.ReadOnlySpan} biasHh = {biasHh};");
            string call = Kind switch
            {
                RecurrentKind.LSTM => "LstmStep(weightHh, biasHh, gates, projection, h, c",
                RecurrentKind.GRU => "GruStep(weightHh, biasHh, gates, projection, h",
                _ => "RnnStep(weightHh, biasHh, gates, projection, h",
            };
            using (w.Block($"for (int step = 0; step < {steps}; step++)"))
            {
                w.Line($"{Kernels}.Recurrent.{call}, {Masked}step, batchSize, units: {units});");
            }

            if (ReturnSequences)
            {
                w.Line($"{Kernels}.Recurrent.ToSampleMajor(h.Slice({units} * batchSize), scratch.Slice({Pascal}Output * batchSize, {steps} * {units} * batchSize), {Masked}batchSize, steps: {steps}, width: {units});" +
                       (Mask is null ? "" : " // zero at padded steps"));
            }
        }

        if (!site.Training || !Header.InBackward)
        {
            return;
        }

        bool dx = Header.NeedsInputGradient;
        w.Line();
        string recurrentGradient = Gru
            ? "dW_hh += d(rec)ᵀ·h_{t−1}, db_hh += Σ d(rec), with d(rec) the projection's rows (d(pre) but the n gate's times r)"
            : "dW_hh += d(pre)ᵀ·h_{t−1}, db_hh += Σ d(pre)";
        w.Line($"// {Header.Name} backward through time, from step {Format.Int(Steps - 1)} to 0: each step turns dL/dh{(Lstm ? " and dL/dc" : "")} into the gradient of its gates' " +
               $"pre-activations d(pre), written over the gates, and dL/dh of the step before; then over all steps at once dW_ih += d(pre)ᵀ·x, db_ih += Σ d(pre), " +
               recurrentGradient + (dx ? ", dx = d(pre)·W_ih." : " (nothing before it learns: no dx)."));
        string dxParameter = dx ? $"{Format.Span} dx, " : "";
        using (w.Block($"private void {Pascal}Backward({Format.Span} scratch, {Format.Span} dy, {dxParameter}int batchSize, {Format.Span} gradients)"))
        {
            w.Line($"{Format.ReadOnlySpan} parameters = ParameterValues;");
            EmitBuffers(w, backward: true);
            if (ReturnSequences)
            {
                w.Line($"{Format.Span} dh = scratch.Slice({Pascal}HiddenGradient * batchSize, {units} * batchSize);");
                w.Line("dh.Clear();");
            }
            else
            {
                w.Line($"{Format.Span} dh = dy; // dL/dh of the last step, then of each step before it");
            }

            if (Lstm)
            {
                w.Line($"{Format.Span} dc = scratch.Slice({Pascal}CellGradient * batchSize, {units} * batchSize);");
                w.Line("dc.Clear();");
            }

            if (Gru)
            {
                w.Line($"{Format.Span} dhCarry = scratch.Slice({Pascal}HiddenCarry * batchSize, {units} * batchSize);");
            }

            w.Line($"{Format.ReadOnlySpan} weightHh = {WeightHh("parameters")};");
            string call = Kind switch
            {
                RecurrentKind.LSTM => "LstmStepBackward(weightHh, gates, projection, c, dh, dc",
                RecurrentKind.GRU => "GruStepBackward(weightHh, gates, projection, h, dh, dhCarry",
                _ => Mask is null ? "RnnStepBackward(weightHh, gates, dh" : "RnnStepBackward(weightHh, gates, dh, projection",
            };
            using (w.Block($"for (int step = {Format.Int(Steps - 1)}; step >= 0; step--)"))
            {
                if (ReturnSequences)
                {
                    w.Line($"{Kernels}.Recurrent.AddStep(dy, dh, {Masked}step, batchSize, steps: {steps}, units: {units});");
                }

                w.Line($"{Kernels}.Recurrent.{call}, {Masked}step, batchSize, units: {units});");
            }

            string biasGradient(string name) => Slice("gradients", name, width);
            w.Line($"{Kernels}.Dense.BackwardWeights(gates, xs, {WeightIh("gradients")}, {biasGradient("BiasIh")}, {steps} * batchSize, {features}, {width});");
            w.Line($"{Kernels}.Dense.BackwardWeights({(Gru ? "projection" : "gates")}, h.Slice(0, {steps} * {units} * batchSize), {WeightHh("gradients")}, {biasGradient("BiasHh")}, {steps} * batchSize, {units}, {width});");
            if (dx)
            {
                w.Line($"{Kernels}.Dense.BackwardInput(gates, {WeightIh("parameters")}, xs, {steps} * batchSize, {features}, {width}); // dx step-major, over the copy of x");
                w.Line($"{Kernels}.Recurrent.ToSampleMajor(xs, dx, batchSize, steps: {steps}, width: {features});");
            }
        }
    }
}
