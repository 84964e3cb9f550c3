using System.Collections.Generic;
using System.Collections.Immutable;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[Embedding(vocabulary, dimensions)]</c>: token ids [steps] to their rows of a table, [steps, dimensions].</summary>
internal sealed record EmbeddingSpec(Declaration Declaration, int Vocabulary, int Dimensions, bool MaskZero = false) : LayerSpec(Declaration)
{
    public override LayerUnit Unit => EmbeddingUnit.Instance;
}

internal sealed class EmbeddingUnit : LayerUnit
{
    public static readonly EmbeddingUnit Instance = new();

    public override string Kind => "Embedding";

    public override string VariableStem => "embedding";

    public override bool Learns => true;

    public override IEnumerable<string> MemberSuffixes => new[] { "Weight", "Mask", "Output", "Forward", "Backward" };

    /// <summary>Keras's names: <c>embedding</c> for the first, then <c>embedding_1</c>, ….</summary>
    public override string DefaultName(int index) => index == 0 ? "embedding" : $"embedding_{index}";

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics)
    {
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        if (attribute.AttributeConstructor is null || arguments.Length != 2 || arguments[0].Value is not int vocabulary || arguments[1].Value is not int dimensions)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                "the arguments must be a constant vocabulary size and dimension count, for example [Embedding(5000, 32)]"));
            return new EmbeddingSpec(declaration, 0, 0);
        }

        return new EmbeddingSpec(declaration, vocabulary, dimensions, AttributeArguments.Named(attribute, "MaskZero", false));
    }

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var embedding = (EmbeddingSpec)spec;
        Declaration declaration = embedding.Declaration;
        foreach ((string what, int value) in new[] { ("vocabulary", embedding.Vocabulary), ("dimensions", embedding.Dimensions) })
        {
            if (value <= 0)
            {
                context.Report(DiagnosticDescriptors.NonPositiveSize, declaration.Location, declaration.Where, what, value);
                return null;
            }
        }

        int[] shape = context.Source;
        if (!context.SourceIsInput[0] || shape.Length != 1)
        {
            string received = context.SourceIsInput[0] ? $"the input '{context.SourceNames[0]}'" : $"the output of '{context.SourceNames[0]}'";
            context.Invalid(declaration,
                $"it reads token ids, an [Input(steps)] of whole numbers in [0, {embedding.Vocabulary}), but receives {received}, shape [{string.Join(", ", shape)}]; " +
                "declare the ids as an input of one dimension and put the Embedding right after it (ids come from the data: nothing before them learns)");
            return null;
        }

        int steps = shape[0];
        long table = (long)embedding.Vocabulary * embedding.Dimensions;
        if (!context.Fits(table, declaration, "weight") || !context.Fits((long)steps * embedding.Dimensions, declaration, "output"))
        {
            return null;
        }

        int weight = context.AllocateParameters(table);
        int mask = embedding.MaskZero ? context.Allocate(steps) : NodePlan.None;
        int output = context.Allocate((long)steps * embedding.Dimensions);
        return new EmbeddingPlan(context.Header(spec, new[] { steps, embedding.Dimensions }, output), embedding.Vocabulary, weight, context.Spec.TypeName, mask);
    }
}

/// <summary>
/// A planned Embedding: its table's offset and its output [steps, dimensions], and with MaskZero the step mask of its ids
/// (<c>Mask</c>, [steps, batch]: 0 where the id is 0). Its backward pass has no dx: ids are data.
/// </summary>
internal sealed record EmbeddingPlan(LayerHeader Header, int Vocabulary, int WeightOffset, string Network, int MaskOffset = NodePlan.None) : LayerPlan(Header)
{
    private const string Kernels = Format.Kernels;

    /// <summary>Keras's default initialisation of an embedding, U(−0.05, 0.05).</summary>
    private const float Limit = 0.05f;

    public override LayerUnit Unit => EmbeddingUnit.Instance;

    public override string? InitializationNote => "embeddings from Keras's U(−0.05, 0.05)";

    private int Steps => Header.OutputShape[0];

    private int Dimensions => Header.OutputShape[1];

    public override bool HasParameters => true;

    public override IEnumerable<TensorPlan> Parameters => new[]
    {
        new TensorPlan($"{Header.Name}.weight", new[] { Vocabulary, Dimensions }.ToEquatableArray(), WeightOffset, Pascal + "Weight"),
    };

    public override long ForwardFlops => 0; // a copy: no multiply-adds

    public override IEnumerable<(string Constant, int Offset)> ScratchConstants =>
        MaskOffset >= 0 ? new[] { (Pascal + "Mask", MaskOffset), (Pascal + "Output", Header.OutputOffset) } : ActivatedScratch(NodePlan.None);

    public override StepMask? OutputMask => MaskOffset >= 0 ? new StepMask(Pascal + "Mask", Header.Name, Header.Variable, "token id 0") : null;

    private string Table(string arena) => $"{arena}.Slice({Pascal}Weight, {Format.Int(Vocabulary)} * {Format.Int(Dimensions)})";

    private string Sizes => $"steps: {Format.Int(Steps)}, dimensions: {Format.Int(Dimensions)}, vocabulary: {Format.Int(Vocabulary)}";

    public override void EmitInitialization(SourceWriter w)
    {
        w.Line($"// {Header.Name}: Keras's initialisation of an embedding, U(−0.05, 0.05).");
        w.Line($"global::GenNet.Initializers.Uniform({Table("parameters")}, limit: {Format.Float(Limit)}, ref random);");
    }

    public override void EmitForward(SourceWriter w, ForwardSite site)
    {
        w.Line($"{Format.Span} {Header.Variable} = scratch.Slice({Pascal}Output * batchSize, {Format.Int(Header.OutputSize)} * batchSize);");
        w.Line($"{Pascal}Forward({site.Input}, {Header.Variable}, batchSize, firstSample);");
        if (MaskOffset >= 0)
        {
            w.Line($"{Kernels}.Masking.FromIds({site.Input}, scratch.Slice({Pascal}Mask * batchSize, {Format.Int(Steps)} * batchSize), batchSize, steps: {Format.Int(Steps)}); // token id 0 is padding");
        }
    }

    public override void EmitOnnx(SourceWriter w, OnnxSite site)
    {
        // The ids arrive as floats (GenNet's inputs are float); ONNX's Gather wants integers. Forward refuses an id that is
        // not a whole number in [0, vocabulary); Cast truncates and Gather rejects an id out of range.
        string v = Header.Variable;
        w.Line($"// {Header.Name} {OnnxCode.Shapes(this)}: Cast the ids to int64, then Gather rows of the weight [{Format.Int(Vocabulary)}, {Format.Int(Dimensions)}].");
        OnnxCode.EmitNode(w, "string " + v, "Cast", new[] { $"graph.Value({site.Source()})" }, OnnxCode.Literal(Header.Name + "/ids"), OnnxCode.Int("to", 7));
        OnnxCode.EmitNode(w, v, "Gather", new[] { OnnxCode.Parameter(Header.Name + ".weight"), v }, OnnxCode.Literal(Header.Name));
        OnnxCode.EmitLayer(w, this, v, channelsFirst: false);
        if (OutputMask is { } mask)
        {
            w.Line($"// {Header.Name}'s step mask [batch, {Format.Int(Steps)}]: 1 where the id is not 0.");
            OnnxCode.EmitNode(w, "string " + mask.OnnxValue, "Equal", new[] { $"graph.Value({site.Source()})", "graph.Scalar(0f)" },
                OnnxCode.Literal(Header.Name + "/padding"));
            OnnxCode.EmitNode(w, mask.OnnxValue, "Not", new[] { mask.OnnxValue }, OnnxCode.Literal(Header.Name + "/real"));
            OnnxCode.EmitNode(w, mask.OnnxValue, "Cast", new[] { mask.OnnxValue }, OnnxCode.Literal(Header.Name + "/mask"), OnnxCode.Int("to", 1));
        }
    }

    public override void EmitBackward(SourceWriter w, BackwardSite site) =>
        w.Line($"{Pascal}Backward({site.Input}, {site.Dy}, batchSize, gradients);");

    public override void EmitMethods(SourceWriter w, MethodSite site)
    {
        w.Line($"// {Header.Name}: {Format.Shape(Header.InputShape)} token ids → {Format.Shape(Header.OutputShape)}, y[t] = weight[id[t]] with weight [{Format.Int(Vocabulary)}, {Format.Int(Dimensions)}]; " +
               $"an id that is not a whole number in [0, {Format.Int(Vocabulary)}) throws, naming the sample (firstSample: this shard's first) and step.");
        using (w.Block($"private void {Pascal}Forward({Format.ReadOnlySpan} ids, {Format.Span} y, int batchSize, int firstSample)"))
        {
            w.Line($"{Kernels}.Embedding.Forward(nameof({Format.Identifier(Network)}), {Format.Literal(Header.Name)}, ids, {Table("ParameterValues")}, y, batchSize, firstSample, {Sizes});");
        }

        if (!site.Training || !Header.InBackward)
        {
            return;
        }

        w.Line();
        w.Line($"// {Header.Name} backward: dW[id[t]] += dy[t], a scatter-add into the rows the batch's tokens read (ids get no gradient).");
        using (w.Block($"private void {Pascal}Backward({Format.ReadOnlySpan} ids, {Format.ReadOnlySpan} dy, int batchSize, {Format.Span} gradients)"))
        {
            w.Line($"{Kernels}.Embedding.Backward(ids, dy, {Table("gradients")}, batchSize, {Sizes});");
        }
    }
}
