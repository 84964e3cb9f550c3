using System.Collections.Generic;
using System.Linq;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[Add(…)]</c>, <c>[Multiply(…)]</c> or <c>[Concatenate(…)]</c>: the outputs it joins and its activation.</summary>
internal sealed record MergeSpec(Declaration Declaration, MergeOperation Operation, EquatableArray<string> Inputs, ActivationKind Activation, float NegativeSlope)
    : LayerSpec(Declaration)
{
    public override LayerUnit Unit => MergeUnit.Of(Operation);

    public override EquatableArray<string> Joins => Inputs;
}

internal enum MergeOperation
{
    Add,
    Multiply,
    Concatenate,
}

/// <summary>What the three merge units share; each kind is one small subclass.</summary>
internal abstract class MergeUnit : LayerUnit
{
    protected abstract MergeOperation Operation { get; }

    public static MergeUnit Of(MergeOperation operation) => operation switch
    {
        MergeOperation.Add => AddUnit.Instance,
        MergeOperation.Multiply => MultiplyUnit.Instance,
        _ => ConcatenateUnit.Instance,
    };

    public override IEnumerable<string> MemberSuffixes => new[] { "Output", "PreActivation", "Forward", "Backward" };

    /// <summary>Keras's names: <c>add</c>, <c>add_1</c>, ….</summary>
    public override string DefaultName(int index) => index == 0 ? VariableStem : $"{VariableStem}_{index}";

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics)
    {
        string[] names = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0] is { Kind: TypedConstantKind.Array, IsNull: false } array
            ? array.Values.Select(v => v.Value as string ?? "").ToArray()
            : System.Array.Empty<string>();
        if (attribute.AttributeConstructor is null || names.Length == 0 || names.Any(n => n.Length == 0))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"name the outputs it joins: one name to join the previous output with it, for example [{Kind}(\"h\")], or two or more, for example [{Kind}(\"a\", \"b\")]"));
        }

        if (declaration.From is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"a merge takes its inputs from its arguments, not From; write [{Kind}(\"{declaration.From}\", …)]"));
        }

        int activation = AttributeArguments.Named(attribute, "Activation", (int)ActivationKind.Linear);
        float slope = AttributeArguments.Named(attribute, "NegativeSlope", 0.01f);
        ActivationCode.Check(activation, slope, declaration, diagnostics);
        if (activation == (int)ActivationKind.Softmax)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"Softmax is not supported on a merge; end with [Dense(classes, Activation.Softmax)]"));
        }

        return new MergeSpec(declaration, Operation, names.ToEquatableArray(), (ActivationKind)activation, slope);
    }

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var merge = (MergeSpec)spec;
        IReadOnlyList<int[]> sources = context.Sources;
        int[] first = sources[0];
        string Describe() => string.Join(", ", sources.Select((s, i) => $"{context.SourceNames[i]} {Format.Shape(s)}"));
        int[] output;
        if (Operation == MergeOperation.Concatenate)
        {
            bool fits = sources.All(s => s.Length == first.Length && s.Take(s.Length - 1).SequenceEqual(first.Take(first.Length - 1)));
            if (!fits)
            {
                context.Report(DiagnosticDescriptors.MergeShapesDoNotFit, spec.Declaration.Location, spec.Declaration.Where, Describe(),
                    first.Length == 3
                        ? "Concatenate joins images along their channels, so heights and widths must agree"
                        : "Concatenate joins along the last axis, so every other dimension must agree");
                return null;
            }

            output = first.Take(first.Length - 1).Concat(new[] { sources.Sum(s => s[s.Length - 1]) }).ToArray();
        }
        else
        {
            if (!sources.All(s => s.SequenceEqual(first)))
            {
                context.Report(DiagnosticDescriptors.MergeShapesDoNotFit, spec.Declaration.Location, spec.Declaration.Where, Describe(),
                    $"{Kind} works element by element, so the shapes must be equal");
                return null;
            }

            output = first;
        }

        long size = output.Aggregate(1L, (a, b) => a * b);
        if (!context.Fits(size, spec.Declaration, "output"))
        {
            return null;
        }

        var activation = new ActivationCode(merge.Activation, merge.NegativeSlope);
        int preActivation = activation.NeedsPreActivation ? context.Allocate(size) : NodePlan.None;
        return new MergePlan(context.Header(spec, output, context.Allocate(size)), Operation, activation, preActivation);
    }
}

internal sealed class AddUnit : MergeUnit
{
    public static readonly AddUnit Instance = new();

    protected override MergeOperation Operation => MergeOperation.Add;

    public override string Kind => "Add";

    public override string VariableStem => "add";
}

internal sealed class MultiplyUnit : MergeUnit
{
    public static readonly MultiplyUnit Instance = new();

    protected override MergeOperation Operation => MergeOperation.Multiply;

    public override string Kind => "Multiply";

    public override string VariableStem => "multiply";
}

internal sealed class ConcatenateUnit : MergeUnit
{
    public static readonly ConcatenateUnit Instance = new();

    protected override MergeOperation Operation => MergeOperation.Concatenate;

    public override string Kind => "Concatenate";

    public override string VariableStem => "concatenate";
}

/// <summary>
/// A planned merge. Forward: y = a + b (+ …), a ⊙ b (⊙ …), or the inputs side by side along the last axis, then the
/// activation. Backward: the activation's step, then each input's share: dy itself (Add), dy times the other inputs
/// (Multiply), its own columns of dy (Concatenate).
/// </summary>
internal sealed record MergePlan(LayerHeader Header, MergeOperation Operation, ActivationCode Activation, int PreActivationOffset) : LayerPlan(Header)
{
    private const string Tensors = "global::System.Numerics.Tensors.TensorPrimitives";

    public override LayerUnit Unit => MergeUnit.Of(Operation);

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        string v = Header.Variable;
        string op = Operation == MergeOperation.Add ? (Count == 2 ? "Add" : "Sum") : Operation == MergeOperation.Multiply ? "Mul" : "Concat";
        bool either = Header.OutputShape.Count > 1 && Activation.Kind != ActivationKind.Softmax; // a softmax is over GenNet's last axis
        string layout = either ? v + "ChannelsFirst" : "false";
        string Input(int i) => either ? $"graph.InLayout({site.Source(i)}, {layout})" : $"graph.ChannelsLast({site.Source(i)})";
        string joined = Operation == MergeOperation.Concatenate ? "joined along the last axis" : Operation == MergeOperation.Add ? "summed" : "multiplied";
        w.Line($"// {Header.Name} {OnnxCode.Shapes(this)}: {op}, {joined}" +
               (either ? " in the inputs' layout when all are channels-first (the channels then on axis 1), channels-last otherwise" : "") + $"{(Activation.Kind == ActivationKind.Linear ? "" : ", then " + Format.Activation(Activation.Kind))}.");
        if (either)
        {
            w.Line($"bool {layout} = graph.AllChannelsFirst({OnnxCode.List(site.Sources.Select(OnnxCode.Literal))});");
        }

        string target = OnnxCode.Target(this, Activation, op);
        if (Operation == MergeOperation.Multiply)
        {
            // ONNX's Mul takes two inputs: a chain, in GenNet's order.
            for (int i = 1; i < Count; i++)
            {
                string output = i == Count - 1 ? target : OnnxCode.Literal($"{Header.Name}/Mul{i}");
                OnnxCode.EmitNode(w, i == 1 ? "string " + v : v, "Mul", new[] { i == 1 ? Input(0) : v, Input(i) }, output);
            }
        }
        else
        {
            string[] axis = Operation != MergeOperation.Concatenate ? new string[0]
                : either ? new[] { $"global::GenNet.OnnxAttribute.Int(\"axis\", {layout} ? 1 : -1)" }
                : new[] { OnnxCode.Int("axis", -1) };
            OnnxCode.EmitNode(w, "string " + v, op, Enumerable.Range(0, Count).Select(Input), target, axis);
        }

        OnnxCode.EmitActivation(w, v, Activation, Header.Name);
        w.Line($"graph.Layer({OnnxCode.Literal(Header.Name)}, {v}, {Format.Shape(Header.OutputShape)}{(either ? ", " + layout : "")});");
    }


    public override ActivationKind OutputActivation => Activation.Kind;

    public override LayerPlan WithFusedLoss() => this with { Activation = Activation with { FusedWithLoss = true } };

    public override string SummaryActivation => Activation.Kind == ActivationKind.Linear ? "" : Format.Activation(Activation.Kind);

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants =>
        ActivatedScratch(PreActivationOffset);

    private int Count => Header.Sources.Count;

    /// <summary>
    /// The i-th input's parameter name: a, b, …, n, then x14, x15, …. Later letters would clash: o's gradient is <c>do</c>, a
    /// keyword, and y, z and dy name the output, the pre-activation and the output's gradient.
    /// </summary>
    private static string Letter(int i) => i < 14 ? ((char)('a' + i)).ToString() : "x" + Format.Int(i);

    /// <summary>Rows and the last axis: a sample's vector is one row, an image's pixel is one row.</summary>
    private int Rows(int source) => Header.SourceShapes[source].Take(Header.SourceShapes[source].Count - 1).Aggregate(1, (a, b) => a * b);

    /// <summary>Source <paramref name="source"/>'s rows in a batch, as generated code writes them: <c>batchSize</c> for a vector.</summary>
    private string RowsOf(int source) => Rows(source) == 1 ? "batchSize" : $"batchSize * {Format.Int(Rows(source))}";

    private int Width(int source) => Header.SourceShapes[source][Header.SourceShapes[source].Count - 1];

    private int Offset(int source) => Enumerable.Range(0, source).Sum(Width);

    private string Target => Activation.NeedsPreActivation ? "z" : "y";

    /// <summary>Only concatenation needs the batch size: element-wise work covers the whole span.</summary>
    private string BatchParameter => Operation == MergeOperation.Concatenate ? ", int batchSize" : "";

    private string BatchArgument => Operation == MergeOperation.Concatenate ? ", batchSize" : "";

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        string size = Format.Int(Header.OutputSize);
        w.Line($"{Format.Span} {Header.Variable} = scratch.Slice({Pascal}Output * batchSize, {size} * batchSize);");
        string z = Activation.NeedsPreActivation ? PreActivationSlice + ", " : "";
        w.Line($"{Pascal}Forward({string.Join(", ", site.Inputs)}, {z}{Header.Variable}{BatchArgument});");
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site)
    {
        var arguments = new List<string>();
        if (Operation == MergeOperation.Multiply)
        {
            arguments.AddRange(site.Inputs); // each input's gradient is dy times the others
        }
        string saved = Activation.SavedArgument(site.Output, PreActivationSlice);
        if (saved.Length > 0)
        {
            arguments.Add(saved.Substring(0, saved.Length - 2));
        }

        arguments.Add(site.Dy);
        arguments.AddRange(site.Dx.Where(d => d is not null)!);
        w.Line($"{Pascal}Backward({string.Join(", ", arguments)}{BatchArgument});");
    }

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        string size = Format.Int(Header.OutputSize);
        string inputs = string.Join(", ", Enumerable.Range(0, Count).Select(i => $"{Letter(i)} {Format.Shape(Header.SourceShapes[i])}"));
        string what = Operation switch
        {
            MergeOperation.Add => string.Join(" + ", Enumerable.Range(0, Count).Select(Letter)),
            MergeOperation.Multiply => string.Join(" ⊙ ", Enumerable.Range(0, Count).Select(Letter)),
            _ => (Header.OutputShape.Count == 3 ? "channels of " : "") + string.Join(" | ", Enumerable.Range(0, Count).Select(Letter)),
        };
        string activated = Activation.Kind == ActivationKind.Linear ? what : $"{Format.Activation(Activation.Kind)}({what})";
        w.Line($"// {Header.Name}: {inputs} → {Format.Shape(Header.OutputShape)}, y = {activated}.");
        string parameters = string.Join(", ", Enumerable.Range(0, Count).Select(i => $"{Format.ReadOnlySpan} {Letter(i)}"));
        string z = Activation.NeedsPreActivation ? $"{Format.Span} z, " : "";
        string target = Target;
        using (w.Block($"private static void {Pascal}Forward({parameters}, {z}{Format.Span} y{BatchParameter})"))
        {
            switch (Operation)
            {
                case MergeOperation.Add:
                case MergeOperation.Multiply:
                    string op = Operation == MergeOperation.Add ? "Add" : "Multiply";
                    w.Line($"{Tensors}.{op}(a, b, {target});");
                    for (int i = 2; i < Count; i++)
                    {
                        w.Line($"{Tensors}.{op}({target}, {Letter(i)}, {target});");
                    }

                    break;
                default:
                    for (int i = 0; i < Count; i++)
                    {
                        w.Line($"{Format.Kernels}.Merge.Place({Letter(i)}, {target}, rows: {RowsOf(i)}, width: {Format.Int(Width(i))}, offset: {Format.Int(Offset(i))}, rowWidth: {Format.Int(Header.OutputShape[Header.OutputShape.Count - 1])});");
                    }

                    break;
            }

            Activation.EmitForward(w, Header.OutputSize);
        }

        if (!site.Training || !Header.InBackward)
        {
            return;
        }

        w.Line();
        var parts = new List<string>();
        for (int i = 0; i < Count; i++)
        {
            if (Header.GradientTo[i])
            {
                parts.Add(Operation switch
                {
                    MergeOperation.Add => $"d{Letter(i)} = dz",
                    MergeOperation.Multiply => $"d{Letter(i)} = dz ⊙ " + string.Join(" ⊙ ", Enumerable.Range(0, Count).Where(j => j != i).Select(Letter)),
                    _ => $"d{Letter(i)} = its columns of dz",
                });
            }
        }

        w.Line($"// {Header.Name} backward: {Activation.BackwardComment}; {string.Join(", ", parts)}.");
        var signature = new List<string>();
        if (Operation == MergeOperation.Multiply)
        {
            signature.AddRange(Enumerable.Range(0, Count).Select(i => $"{Format.ReadOnlySpan} {Letter(i)}"));
        }

        if (Activation.SavedParameter.Length > 0)
        {
            signature.Add(Activation.SavedParameter.Substring(0, Activation.SavedParameter.Length - 2));
        }

        signature.Add($"{Format.Span} dy");
        signature.AddRange(Enumerable.Range(0, Count).Where(i => Header.GradientTo[i]).Select(i => $"{Format.Span} d{Letter(i)}"));
        using (w.Block($"private static void {Pascal}Backward({string.Join(", ", signature)}{BatchParameter})"))
        {
            Activation.EmitBackward(w, Header.OutputSize);
            for (int i = 0; i < Count; i++)
            {
                if (!Header.GradientTo[i])
                {
                    continue;
                }

                string dx = "d" + Letter(i);
                switch (Operation)
                {
                    case MergeOperation.Add:
                        w.Line($"dy.CopyTo({dx});");
                        break;
                    case MergeOperation.Multiply:
                        int[] others = Enumerable.Range(0, Count).Where(j => j != i).ToArray();
                        w.Line($"{Tensors}.Multiply(dy, {Letter(others[0])}, {dx});");
                        foreach (int j in others.Skip(1))
                        {
                            w.Line($"{Tensors}.Multiply({dx}, {Letter(j)}, {dx});");
                        }

                        break;
                    default:
                        w.Line($"{Format.Kernels}.Merge.Take(dy, {dx}, rows: {RowsOf(i)}, width: {Format.Int(Width(i))}, offset: {Format.Int(Offset(i))}, rowWidth: {Format.Int(Header.OutputShape[Header.OutputShape.Count - 1])});");
                        break;
                }
            }
        }
    }
}
