using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace GenNet.Generator.Tests;

/// <summary>
/// Writes random graph declarations: a network valid by construction (residual blocks, concatenated branches, forks read
/// by several layers, several inputs, chains of every layer kind), then, for most of them, one or two mistakes, each built
/// to provoke one diagnostic: the graph's own (GN0022–GN0027) and bad arguments of every layer kind (GN0003, GN0004,
/// GN0008, GN0014, GN0020, GN0021, GN0028). The declaration carries what it should get (<see cref="Expectation"/>), so the fuzzer
/// checks that valid graphs get clean code and that each mistake gets its own diagnostic, not merely that nothing crashes.
/// </summary>
public static class GraphFuzzer
{
    public static Declaration Next(Random random, int index)
    {
        Graph graph = GraphBuilder.Network(random);
        int count = random.Next(100) switch { < 30 => 0, < 85 => 1, _ => 2 };
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            expected.Add(Mutate(random, graph));
        }

        return new Declaration(index, $"using GenNet;\n\nnamespace Fuzz{index};\n\n{graph.Write($"Net{index}")}",
            new Expectation(expected.ToArray(), Stacked: count > 1));
    }

    /// <summary>An image chain ending in [Flatten] (an [Input] and the layer attributes), for <see cref="DeclarationFuzzer"/>.</summary>
    public static (string Input, string[] Layers) ImageStem(Random random)
    {
        string[] attributes = GraphBuilder.ImageStem(random).Attributes().ToArray();
        return (attributes[0], attributes.Skip(1).ToArray());
    }

    private delegate string? Mutation(Random random, Graph graph);

    /// <summary>Each mutation returns the ID it provokes, or null where the graph offers it nothing to work on.</summary>
    private static readonly Mutation[] s_mutations =
    [
        UnknownName, DuplicateName, LaterOrOwnOutput, MismatchedMerge, UnusedOutput, UnusedInput,
        SizeNotPositive, InvalidArgument, NonConstantReference, DenseOnImage, WindowOnVector, WindowTooLarge, SequenceLayerOffSequence,
    ];

    /// <summary>Applies one mutation and returns its ID; <see cref="UnusedInput"/> applies to every graph, so this ends.</summary>
    private static string Mutate(Random random, Graph graph)
    {
        while (true)
        {
            if (Pick(random, s_mutations)(random, graph) is { } id)
            {
                return id;
            }
        }
    }

    /// <summary>GN0022: a reference spelled as no output is named.</summary>
    private static string? UnknownName(Random random, Graph graph)
    {
        if (Untouched(graph.Layers).ToArray() is not { Length: > 0 } layers)
        {
            return null;
        }

        GraphNode layer = Pick(random, layers);
        string typo = Pick(random, ["nowhere", "hiden", graph.NameOf(Pick(random, graph.Nodes)) + "x", "Input", "dense-0"]);
        if (graph.Nodes.Any(n => graph.NameOf(n) == typo))
        {
            return null;
        }

        Redirect(random, layer, Reference.Written(Quote(typo)));
        return "GN0022";
    }

    /// <summary>GN0023: a layer or input takes the name of another (chosen or default).</summary>
    private static string? DuplicateName(Random random, Graph graph)
    {
        GraphNode[] nodes = Untouched(graph.Nodes).ToArray();
        if (nodes.Length < 2)
        {
            return null;
        }

        GraphNode renamed = Pick(random, nodes);
        GraphNode original = Pick(random, nodes.Where(n => n != renamed).ToArray());
        renamed.NamedAfter = original;
        renamed.Touched = original.Touched = true;
        return "GN0023";
    }

    /// <summary>GN0024: a layer reads its own output or one declared after it.</summary>
    private static string? LaterOrOwnOutput(Random random, Graph graph)
    {
        if (Untouched(graph.Layers).ToArray() is not { Length: > 0 } layers)
        {
            return null;
        }

        GraphNode layer = Pick(random, layers);
        int position = graph.Nodes.IndexOf(layer);
        GraphNode target = Chance(random, 0.3) ? layer : graph.Nodes[random.Next(position, graph.Nodes.Count)];
        Redirect(random, layer, Reference.To(target));
        return "GN0024";
    }

    /// <summary>
    /// GN0025: a merge of two outputs whose shapes its operation cannot join, declared before the last layer (as the output
    /// it would let a dropout among its sources reach the loss, an error of its own).
    /// </summary>
    private static string? MismatchedMerge(Random random, Graph graph)
    {
        GraphNode[] nodes = Untouched(graph.Nodes.Take(graph.Nodes.IndexOf(graph.Layers.Last()))).ToArray();
        var pairs = new List<(GraphNode, GraphNode, string[])>();
        for (int i = 0; i < nodes.Length; i++)
        {
            for (int j = i + 1; j < nodes.Length; j++)
            {
                int[] a = nodes[i].Shape, b = nodes[j].Shape;
                if (a.SequenceEqual(b))
                {
                    continue;
                }

                bool concatenates = a.Length == b.Length && a.Take(a.Length - 1).SequenceEqual(b.Take(b.Length - 1));
                pairs.Add((nodes[i], nodes[j], concatenates ? ["Add", "Multiply"] : ["Add", "Multiply", "Concatenate"]));
            }
        }

        if (pairs.Count == 0)
        {
            return null;
        }

        (GraphNode first, GraphNode second, string[] kinds) = Pick(random, pairs);
        var merge = new GraphNode(Pick(random, kinds), [], first.Shape, Chance(random, 0.5) ? [second, first] : [first, second]) { Touched = true };
        graph.Nodes.Insert(graph.Nodes.IndexOf(second) + 1, merge);
        return "GN0025";
    }

    /// <summary>
    /// GN0026: a layer, before the last one, that no layer reads. It reads anything but a Softmax output (a Dense reading
    /// one is GN0011) or what the loss sees through a trailing [Flatten] (a second reader of the output whose activation the
    /// loss is fused with is GN0005).
    /// </summary>
    private static string? UnusedOutput(Random random, Graph graph)
    {
        GraphNode last = graph.Layers.Last();
        int lastPosition = graph.Nodes.IndexOf(last);
        var seenThrough = new HashSet<GraphNode>();
        GraphNode walked = last;
        while (walked.Kind == "Flatten" && walked.Sources[0].Node is { } read && seenThrough.Add(read)) // a set: a GN0024 mutation may make a Flatten read itself
        {
            walked = read;
        }

        GraphNode[] sources = Untouched(graph.Nodes.Take(lastPosition))
            .Where(n => !seenThrough.Contains(n) && !n.Arguments.Contains("Activation.Softmax") && !Masks(n)).ToArray();
        if (sources.Length == 0)
        {
            return null;
        }

        GraphNode source = Pick(random, sources);
        GraphNode dead = source.Shape.Length == 1
            ? new GraphNode("Dense", ["3", "Activation.ReLU"], [3], [source])
            : Pick(random, [
                new GraphNode("Flatten", [], [source.Shape.Aggregate(1, (a, b) => a * b)], [source]),
                new GraphNode(source.Shape.Length == 2 ? "Conv1D" : "Conv2D", ["2", "1"], [.. source.Shape[..^1], 2], [source]),
                new GraphNode(source.Shape.Length == 2 ? "AveragePool1D" : "AveragePool2D", ["1"], source.Shape, [source])]);
        dead.Touched = true;
        graph.Nodes.Insert(random.Next(graph.Nodes.IndexOf(source) + 1, lastPosition + 1), dead);
        return "GN0026";
    }

    /// <summary>GN0027: an [Input] that no layer reads, anywhere after the first input.</summary>
    private static string? UnusedInput(Random random, Graph graph)
    {
        int[] shape = Chance(random, 0.5) ? [random.Next(1, 6)] : [4, 4, 1];
        string? name = Chance(random, 0.5) ? "unread" + Int(graph.Nodes.Count) : null; // unique: a second mutation may add another
        var input = new GraphNode("Input", shape.Select(Int).ToArray(), shape, []) { Touched = true, Name = name };
        graph.Nodes.Insert(random.Next(1, graph.Nodes.Count + 1), input);
        return "GN0027";
    }

    /// <summary>GN0003: a unit count, filter count, window, stride or input dimension of zero or less.</summary>
    private static string? SizeNotPositive(Random random, Graph graph)
    {
        GraphNode[] candidates = Untouched(graph.Nodes)
            .Where(n => n.Kind is "Input" or "Dense" or "Conv2D" or "MaxPool2D" or "AveragePool2D" or "DepthwiseConv2D" or "SeparableConv2D" or "Conv1D" or "MaxPool1D" or "AveragePool1D"
                or "LSTM" or "GRU" or "SimpleRNN" or "Embedding").ToArray();
        if (candidates.Length == 0)
        {
            return null;
        }

        GraphNode node = Pick(random, candidates);
        node.Arguments = node.Kind switch
        {
            "Input" => Pick<string[]>(random, [["0"], ["3", "0", "1"], ["-2"]]),
            "Dense" => Pick<string[]>(random, [["0"], ["-4", "Activation.Tanh"]]),
            "Conv2D" => Pick<string[]>(random, [["0", "1"], ["4", "0"], ["4", "1", "0", "Activation.ReLU"], ["4", "1", "Stride = 0"], ["4", "1", "Stride = -2"]]),
            "Conv1D" => Pick<string[]>(random, [["0", "1"], ["4", "0"], ["4", "-3", "Activation.Tanh"], ["4", "1", "Stride = 0"]]),
            "DepthwiseConv2D" => Pick<string[]>(random, [["0"], ["1", "-1", "Activation.ReLU"], ["1", "DepthMultiplier = 0"], ["1", "Stride = 0"]]),
            "SeparableConv2D" => Pick<string[]>(random, [["0", "1"], ["2", "0"], ["2", "1", "DepthMultiplier = -1"], ["2", "1", "Stride = -2"]]),
            "LSTM" or "GRU" or "SimpleRNN" => Pick<string[]>(random, [["0"], ["-2", "ReturnSequences = true"]]),
            "Embedding" => Pick<string[]>(random, [["0", "4"], ["10", "-1"]]),
            _ => Pick<string[]>(random, [["0"], ["-1"], ["1", "Stride = -1"]]),
        };
        node.Touched = true;
        return "GN0003";
    }

    /// <summary>
    /// GN0008: an argument GenNet cannot use, a name that cannot name a tensor, a merge without names or with From, or
    /// dropout after the last layer.
    /// </summary>
    private static string? InvalidArgument(Random random, Graph graph)
    {
        if (Untouched(graph.Nodes).ToArray() is not { Length: > 0 } nodes)
        {
            return null;
        }

        GraphNode node = Pick(random, nodes);
        string[][] arguments = node.Kind switch
        {
            "Dense" => [["4", "(Activation)42"], ["4", "Activation.LeakyReLU", "NegativeSlope = 1.5f"], ["4", "Activation.LeakyReLU", "NegativeSlope = float.NaN"],
                ["4", "KernelInitializer = (Initializer)7"], ["4", "KernelRegularizerL2 = -0.5f"], ["4", "BiasRegularizerL2 = float.NaN"]],
            "Conv2D" => [["2", "1", "Activation.Softmax"], ["2", "1", "Padding = (Padding)9"], ["2", "1", "(Activation)7"],
                ["2", "1", "BiasInitializer = (Initializer)(-1)"], ["2", "1", "KernelRegularizerL2 = float.PositiveInfinity"]],
            "MaxPool2D" or "AveragePool2D" or "MaxPool1D" or "AveragePool1D" => [["1", "Padding = (Padding)2"]],
            "Conv1D" => [["2", "1", "Activation.Softmax"], ["2", "1", "Padding = (Padding)9"], ["2", "1", "Activation.LeakyReLU", "NegativeSlope = 1f"], ["2", "1", "1", "Activation.Tanh"],
                ["2", "1", "KernelInitializer = (Initializer)9"], ["2", "1", "BiasRegularizerL2 = -1f"]],
            "DepthwiseConv2D" => [["1", "Activation.Softmax"], ["1", "Padding = (Padding)9"], ["1", "1", "(Activation)7"], ["1", "KernelRegularizerL2 = -1f"]],
            "SeparableConv2D" => [["2", "1", "Activation.Softmax"], ["2", "1", "DepthMultiplier = 2", "Padding = (Padding)9"], ["2", "1", "Activation.LeakyReLU", "NegativeSlope = 2f"]],
            "Dropout" => [["1.5"], ["-0.25"], ["1"], ["double.NaN"]],
            "BatchNormalization" => [["Momentum = 1.5f"], ["Momentum = -0.1f"], ["Epsilon = 0f"], ["Epsilon = float.NaN"], ["Activation = Activation.Softmax"]],
            "LayerNormalization" => [["Epsilon = -1e-5f"], ["Epsilon = float.NaN"], ["Epsilon = float.PositiveInfinity"], ["Activation = Activation.Softmax"]],
            "Add" or "Multiply" or "Concatenate" => [["Activation = Activation.Softmax"], ["Activation = (Activation)11"], ["From = " + Quote(graph.NameOf(graph.Nodes[0]))]],
            "Masking" => [["float.NaN"], ["float.NegativeInfinity"]],
            _ => [],
        };
        switch (random.Next(4))
        {
            case 0 when arguments.Length > 0:
                node.Arguments = Pick(random, arguments);
                break;
            case 1 when node.IsMerge:
                node.Sources.Clear();
                node.Sources.AddRange(Chance(random, 0.5) ? [] : [Reference.Written("\"\"")]); // [Add] with no names, or [Add("")]
                break;
            case 2:
                GraphNode last = graph.Layers.Last();
                graph.Nodes.Add(new GraphNode("Dropout", ["0.5"], last.Shape, [last]) { Touched = true }); // after the last weighted layer
                return "GN0008";
            default:
                node.Name = Pick(random, ["a b", "1st", "block..conv", "", "dense-0", "h.", "\u00fcnits"]);
                node.NamedAfter = null;
                break;
        }

        node.Touched = true;
        return "GN0008";
    }

    /// <summary>GN0014: a reference that is not a compile-time constant.</summary>
    private static string? NonConstantReference(Random random, Graph graph)
    {
        if (Untouched(graph.Layers).ToArray() is not { Length: > 0 } layers)
        {
            return null;
        }

        Redirect(random, Pick(random, layers), Reference.Written("Settings.LayerName"));
        return "GN0014";
    }

    /// <summary>GN0004: a Dense layer reads an image (a [Flatten] skipped, or From pointing at an image).</summary>
    private static string? DenseOnImage(Random random, Graph graph) => Rewire(random, graph, "GN0004", ["Dense"], images: true);

    /// <summary>GN0020: a convolution or pooling layer reads a vector.</summary>
    private static string? WindowOnVector(Random random, Graph graph) => Rewire(random, graph, "GN0020",
        ["Conv2D", "MaxPool2D", "AveragePool2D", "GlobalMaxPooling2D", "GlobalAveragePooling2D", "DepthwiseConv2D", "SeparableConv2D"], images: false);

    /// <summary>GN0028: a 1-D or recurrent layer reads an image or a vector.</summary>
    private static string? SequenceLayerOffSequence(Random random, Graph graph) =>
        Rewire(random, graph, "GN0028", ["Conv1D", "MaxPool1D", "AveragePool1D", "GlobalMaxPooling1D", "GlobalAveragePooling1D", "LSTM", "GRU", "SimpleRNN", "Masking"], shape => shape.Length != 2);

    private static string? Rewire(Random random, Graph graph, string id, string[] kinds, bool images) =>
        Rewire(random, graph, id, kinds, shape => (shape.Length == 3) == images);

    private static string? Rewire(Random random, Graph graph, string id, string[] kinds, Func<int[], bool> wrongSource)
    {
        var candidates = new List<(GraphNode Layer, GraphNode Source)>();
        foreach (GraphNode layer in Untouched(graph.Layers).Where(l => kinds.Contains(l.Kind)))
        {
            candidates.AddRange(graph.Nodes.TakeWhile(n => n != layer).Where(n => wrongSource(n.Shape)).Select(n => (layer, n)));
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        (GraphNode target, GraphNode source) = Pick(random, candidates);
        Redirect(random, target, Reference.To(source));
        return id;
    }

    /// <summary>GN0021: an unpadded window larger than its input image or sequence.</summary>
    private static string? WindowTooLarge(Random random, Graph graph)
    {
        GraphNode[] sequenceWindows = Untouched(graph.Layers).Where(l => l.Kind is "Conv1D" or "MaxPool1D" or "AveragePool1D" && l.Sources[0].Node is { Shape.Length: 2 }).ToArray();
        if (sequenceWindows.Length > 0 && Chance(random, 0.5))
        {
            GraphNode window = Pick(random, sequenceWindows);
            string steps = Int(window.Sources[0].Node!.Shape[0] + random.Next(1, 3));
            window.Arguments = window.Kind == "Conv1D" ? ["2", steps] : [steps, "Padding = Padding.Valid"];
            window.Touched = true;
            return "GN0021";
        }

        GraphNode[] windows = Untouched(graph.Layers)
            .Where(l => l.Kind is "Conv2D" or "MaxPool2D" or "AveragePool2D" or "DepthwiseConv2D" or "SeparableConv2D" && l.Sources[0].Node is { Shape.Length: 3 }).ToArray();
        if (windows.Length == 0)
        {
            return null;
        }

        GraphNode layer = Pick(random, windows);
        int[] image = layer.Sources[0].Node!.Shape;
        string size = Int(Math.Max(image[0], image[1]) + random.Next(1, 3));
        layer.Arguments = layer.Kind switch
        {
            "Conv2D" or "SeparableConv2D" => Pick<string[]>(random, [["2", size], ["2", Int(image[0] + 1), "1", "Activation.ReLU"], ["2", "1", Int(image[1] + 1)]]),
            "DepthwiseConv2D" => Pick<string[]>(random, [[size], [Int(image[0] + 1), "1", "Activation.ReLU"], ["1", Int(image[1] + 1), "DepthMultiplier = 2"]]),
            _ => [size, "Padding = Padding.Valid"],
        };
        layer.Touched = true;
        return "GN0021";
    }

    /// <summary>Points one of a layer's references elsewhere: its From, or one of a merge's names.</summary>
    private static void Redirect(Random random, GraphNode layer, Reference reference)
    {
        layer.Sources[layer.IsMerge ? random.Next(layer.Sources.Count) : 0] = reference;
        layer.Touched = true;
    }

    /// <summary>A Masking layer or an Embedding with MaskZero, whose output only a recurrent layer may read (GN0030).</summary>
    private static bool Masks(GraphNode node) => node.Kind == "Masking" || node.Arguments.Contains("MaskZero = true");

    /// <summary>Nodes no mutation has made or changed yet: a second mutation must not undo the first.</summary>
    private static IEnumerable<GraphNode> Untouched(IEnumerable<GraphNode> nodes) => nodes.Where(n => !n.Touched);

    internal static string Quote(string name) => "\"" + name + "\"";

    internal static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    internal static bool Chance(Random random, double probability) => random.NextDouble() < probability;

    internal static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}

/// <summary>
/// What a fuzzed graph declaration should get: exactly the diagnostics <see cref="Ids"/> (none for a valid graph), or,
/// when several mutations were stacked and one of them is an error, at least one GN error (an error stops the planner,
/// so it may hide the others).
/// </summary>
public sealed record Expectation(string[] Ids, bool Stacked);

/// <summary>What a layer reads: a node of the graph (written as its name) or C# text a mutation put in its place.</summary>
public sealed record Reference(GraphNode? Node, string? Code)
{
    public static Reference To(GraphNode node) => new(node, null);

    public static Reference Written(string code) => new(null, code);
}

/// <summary>An [Input] or a layer of a fuzzed graph, with the shape of its output.</summary>
public sealed class GraphNode(string kind, string[] arguments, int[] shape, IEnumerable<GraphNode> sources)
{
    /// <summary>The attribute without "Attribute": Input, Dense, Conv2D, …, Add.</summary>
    public string Kind { get; } = kind;

    /// <summary>The attribute's own arguments as written (a merge's: its named ones), without Name and From.</summary>
    public string[] Arguments { get; set; } = arguments;

    public int[] Shape { get; } = shape;

    public List<Reference> Sources { get; } = sources.Select(Reference.To).ToList();

    /// <summary>The chosen Name, or null for the default one.</summary>
    public string? Name { get; set; }

    /// <summary>Takes the name of another node (a duplicate-name mutation), whatever that name turns out to be.</summary>
    public GraphNode? NamedAfter { get; set; }

    /// <summary>Writes From (or every merge name) even where the layer reads the previous output by default.</summary>
    public bool SpellsOutSources { get; set; }

    /// <summary>Made or changed by a mutation: other mutations leave it alone.</summary>
    public bool Touched { get; set; }

    public bool IsInput => Kind == "Input";

    public bool IsMerge => Kind is "Add" or "Multiply" or "Concatenate";
}

/// <summary>A fuzzed network: its [Network] attribute and its inputs and layers in declaration order.</summary>
public sealed class Graph
{
    public string Network { get; set; } = "Network";

    public List<GraphNode> Nodes { get; } = [];

    public IEnumerable<GraphNode> Layers => Nodes.Where(n => !n.IsInput);

    public string Write(string className) =>
        $"[{Network}]\n" + string.Concat(Attributes().Select(a => $"[{a}]\n")) + $"public partial class {className};\n";

    /// <summary>Each node's attribute, without brackets, in declaration order.</summary>
    public IEnumerable<string> Attributes() => Nodes.Select(Attribute);

    private string Attribute(GraphNode node)
    {
        int position = Nodes.IndexOf(node);
        var arguments = new List<string>();
        if (node.IsMerge)
        {
            bool previousFirst = node.Sources.Count == 2 && node.Sources[0].Node == ImplicitSource(position) && !node.SpellsOutSources;
            arguments.AddRange(node.Sources.Skip(previousFirst ? 1 : 0).Select(Write)); // one name: the previous output and that one
        }

        arguments.AddRange(node.Arguments);
        if ((node.NamedAfter is { } other ? NameOf(other) : node.Name) is { } name)
        {
            arguments.Add($"Name = {GraphFuzzer.Quote(name)}");
        }

        if (!node.IsInput && !node.IsMerge && (node.SpellsOutSources || node.Sources[0].Node != ImplicitSource(position)))
        {
            arguments.Add($"From = {Write(node.Sources[0])}");
        }

        return arguments.Count == 0 ? node.Kind : $"{node.Kind}({string.Join(", ", arguments)})";
    }

    private string Write(Reference reference) => reference.Code ?? GraphFuzzer.Quote(NameOf(reference.Node!));

    /// <summary>
    /// The output a layer reads without From: the layer before it with one input (wherever [Input] stands), else the input
    /// or layer declared just before it (docs: a plain list of layers stays a chain).
    /// </summary>
    private GraphNode ImplicitSource(int position)
    {
        GraphNode[] inputs = Nodes.Where(n => n.IsInput).ToArray();
        return inputs.Length == 1
            ? Nodes.Take(position).LastOrDefault(n => !n.IsInput) ?? inputs[0]
            : position > 0 ? Nodes[position - 1] : inputs[0];
    }

    /// <summary>The node's name: chosen, or Keras's default (input, input_1, dense_0, conv_0, max_pool_0, flatten, add_1, …).</summary>
    public string NameOf(GraphNode node)
    {
        if ((node.NamedAfter is { } other ? NameOf(other) : node.Name) is { } chosen)
        {
            return chosen;
        }

        int index = Nodes.TakeWhile(n => n != node).Count(n => n.Kind == node.Kind);
        string numbered = "_" + GraphFuzzer.Int(index);
        return node.Kind switch
        {
            "Input" or "Flatten" or "Add" or "Multiply" or "Concatenate" => node.Kind.ToLowerInvariant() + (index == 0 ? "" : numbered),
            "Conv2D" => "conv" + numbered,
            "DepthwiseConv2D" => "depthwise_conv" + numbered,
            "SeparableConv2D" => "separable_conv" + numbered,
            "MaxPool2D" => "max_pool" + numbered,
            "AveragePool2D" => "average_pool" + numbered,
            "GlobalMaxPooling2D" => "global_max_pooling2d" + (index == 0 ? "" : numbered),
            "GlobalAveragePooling2D" => "global_average_pooling2d" + (index == 0 ? "" : numbered),
            "Conv1D" => "conv1d" + (index == 0 ? "" : numbered),
            "MaxPool1D" => "max_pooling1d" + (index == 0 ? "" : numbered),
            "AveragePool1D" => "average_pooling1d" + (index == 0 ? "" : numbered),
            "GlobalMaxPooling1D" => "global_max_pooling1d" + (index == 0 ? "" : numbered),
            "GlobalAveragePooling1D" => "global_average_pooling1d" + (index == 0 ? "" : numbered),
            "BatchNormalization" => "bn" + numbered,
            "LayerNormalization" => "ln" + numbered,
            "LSTM" => "lstm" + (index == 0 ? "" : numbered),
            "GRU" => "gru" + (index == 0 ? "" : numbered),
            "SimpleRNN" => "simple_rnn" + (index == 0 ? "" : numbered),
            "Embedding" => "embedding" + (index == 0 ? "" : numbered),
            "Normalization" => "normalization" + (index == 0 ? "" : numbered),
            "Masking" => "masking" + (index == 0 ? "" : numbered),
            _ => node.Kind.ToLowerInvariant() + numbered, // dense_0, dropout_0
        };
    }
}

/// <summary>
/// Builds networks that are valid by construction: every input and output is read, every window fits, every merge joins
/// shapes that fit, no layer with parameters reads a Softmax, dropout reaches the output only through a Dense or Conv2D
/// layer, names are unique, and the loss fits the last activation.
/// </summary>
internal sealed class GraphBuilder
{
    private static readonly string[] s_hiddenActivations = ["Linear", "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "Gelu"];
    private static readonly string[] s_initializers = ["GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LeCunNormal", "Zeros", "Ones"];
    private static readonly string[] s_nameStems = ["h", "skip", "trunk", "branch", "features", "block.conv", "stage.out"];

    /// <summary>Input names a user may well choose, among them names the generated per-input overloads use themselves.</summary>
    private static readonly string[] s_inputNames =
        ["image", "features", "labels", "targets", "output", "outputs", "batchSize", "packed", "Forward", "Pack", "InputSize", "nameof",
         "side.features", "side_features", "event"];

    private readonly Random _random;
    private readonly bool _plain;
    private readonly Graph _graph = new();
    private readonly HashSet<string> _inputNames = new(StringComparer.Ordinal);
    private int _names;

    private GraphBuilder(Random random, bool plain)
    {
        _random = random;
        _plain = plain;
    }

    /// <summary>A network of one to three inputs (rarely up to sixteen), each with a trunk of blocks, joined, then a head and a loss that fit.</summary>
    public static Graph Network(Random random)
    {
        var builder = new GraphBuilder(random, plain: false);
        builder.Build();
        return builder._graph;
    }

    /// <summary>A plain chain (no names, no From): an image [Input], convolutions, pooling and dropout, then [Flatten].</summary>
    public static Graph ImageStem(Random random)
    {
        var builder = new GraphBuilder(random, plain: true);
        GraphNode x = builder.Input(builder.ImageShape());
        for (int i = random.Next(1, 4); i > 0; i--)
        {
            x = builder.ImageStep(x);
        }

        builder.Layer("Flatten", [], [Size(x.Shape)], x);
        return builder._graph;
    }

    private void Build()
    {
        int inputCount = _random.Next(20) switch { < 11 => 1, < 17 => 2, < 19 => 3, _ => _random.Next(4, 17) };
        int[][] shapes = Enumerable.Range(0, inputCount)
            .Select(_ => _random.Next(10) switch { < 4 => ImageShape(), < 6 => SequenceShape(), _ => [Pick([1, 2, 3, 4, 6, 8, 16])] }).ToArray();
        GraphNode[]? declaredFirst = Chance(0.5) ? shapes.Select(Input).ToArray() : null; // else each input just before its trunk
        var trunks = new List<GraphNode>();
        for (int i = 0; i < inputCount; i++)
        {
            GraphNode x = declaredFirst?[i] ?? Input(shapes[i]);
            if (x.Shape.Length == 1 && Chance(0.2))
            {
                int dimensions = Pick([1, 2, 3, 8]);
                if (Chance(0.3))
                {
                    // Token id 0 as padding: the step mask goes straight to a recurrent layer, whose sequence carries it on.
                    x = Layer("Embedding", [Int(Pick([1, 5, 17, 300])), Int(dimensions), "MaskZero = true"], [x.Shape[0], dimensions], x);
                    int units = Pick([1, 2, 3]);
                    x = Layer(Pick(["LSTM", "GRU", "SimpleRNN"]), [Int(units), "ReturnSequences = true"], [x.Shape[0], units], x);
                }
                else
                {
                    x = Layer("Embedding", [Int(Pick([1, 5, 17, 300])), Int(dimensions)], [x.Shape[0], dimensions], x); // token ids
                }
            }

            if (Chance(0.2))
            {
                x = Standardized(x); // raw features standardised, the layer's main use
            }
            for (int blocks = inputCount switch { 1 => _random.Next(1, 6), < 4 => _random.Next(0, 4), _ => _random.Next(0, 2) }; blocks > 0; blocks--)
            {
                x = Block(x);
            }

            trunks.Add(x);
        }

        string loss = Head(trunks.Count == 1 ? trunks[0] : Join(trunks));
        var arguments = new List<string>();
        arguments.AddRange(loss != "Auto" || Chance(0.3) ? [$"Loss = Loss.{loss}"] : []);
        arguments.AddRange(Chance(0.1) ? ["Training = false"] : []);
        _graph.Network = arguments.Count == 0 ? "Network" : $"Network({string.Join(", ", arguments)})";
    }

    private GraphNode Block(GraphNode x)
    {
        var blocks = new List<Func<GraphNode, GraphNode>> { Residual, Branches };
        blocks.AddRange(x.Shape.Length switch
        {
            3 => [ImageStep, ImageStep, Chance(0.5) ? FlattenStep : GlobalPoolStep],
            2 => [SequenceStep, SequenceStep, Chance(0.5) ? FlattenStep : GlobalPoolStep],
            _ => [VectorStep, VectorStep],
        });
        if (Chance(0.1))
        {
            blocks.AddRange([LongSkip, SelfMerge, DropoutStep, FlattenStep]); // a dropout or a flattened vector that later blocks may fork
        }

        return Pick(blocks)(x);
    }

    private GraphNode VectorStep(GraphNode x)
    {
        if (Chance(0.2))
        {
            x = Layer("Dropout", [Pick(["0.1", "0.25", "0.5", "0"])], x.Shape, x);
        }

        GraphNode dense = Dense(x, Pick([1, 2, 3, 4, 8, 16]));
        return Chance(0.2) ? Normalized(dense) : Chance(0.15) ? LayerNormalized(dense) : Chance(0.1) ? Standardized(dense) : dense;
    }

    /// <summary>Batch normalisation of x, with or without its options and an activation.</summary>
    private GraphNode Normalized(GraphNode x)
    {
        var arguments = new List<string>();
        arguments.AddRange(Chance(0.3) ? [Pick(["Momentum = 0.01f", "Momentum = 1f", "Momentum = 0f"])] : []);
        arguments.AddRange(Chance(0.3) ? [Pick(["Epsilon = 1e-3f", "Epsilon = 1e-8f"])] : []);
        arguments.AddRange(Chance(0.5) ? [$"Activation = Activation.{Pick(s_hiddenActivations)}"] : []);
        return Layer("BatchNormalization", [.. arguments], x.Shape, x);
    }

    /// <summary>Keras's Normalization of x's last axis (it has no options).</summary>
    private GraphNode Standardized(GraphNode x) => Layer("Normalization", [], x.Shape, x);

    /// <summary>Layer normalisation of x's last axis, with or without its options and an activation.</summary>
    private GraphNode LayerNormalized(GraphNode x)
    {
        var arguments = new List<string>();
        arguments.AddRange(Chance(0.3) ? [Pick(["Epsilon = 1e-3f", "Epsilon = 1e-6f"])] : []);
        arguments.AddRange(Chance(0.5) ? [$"Activation = Activation.{Pick(s_hiddenActivations)}"] : []);
        return Layer("LayerNormalization", [.. arguments], x.Shape, x);
    }

    private GraphNode Dense(GraphNode x, int units)
    {
        string activation = Pick(s_hiddenActivations);
        return Layer("Dense", [Int(units), .. ActivationArguments(activation, optional: true), .. ParameterOptions()], [units], x);
    }

    /// <summary>A convolution or pooling layer whose window fits, or dropout before a convolution.</summary>
    private GraphNode ImageStep(GraphNode x)
    {
        int height = x.Shape[0], width = x.Shape[1];
        switch (_random.Next(6))
        {
            case 0:
            case 1:
                GraphNode conv = Conv(x, Pick([1, 2, 4, 6]), samePadding: Chance(0.3), stride: Chance(0.25) ? 2 : 1);
                return Chance(0.3) ? Normalized(conv) : Chance(0.2) ? LayerNormalized(conv) : conv;
            case 2:
            case 3:
                bool same = Chance(0.3);
                int size = Pick(Windows([1, 2, 2, 3], Math.Min(height, width), same));
                int stride = Pick([0, 0, 1, 2]); // 0: the pool size
                var arguments = new List<string> { Int(size) };
                arguments.AddRange(stride > 0 ? [$"Stride = {Int(stride)}"] : []);
                arguments.AddRange(same ? ["Padding = Padding.Same"] : Chance(0.1) ? ["Padding = Padding.Valid"] : []);
                int step = stride == 0 ? size : stride;
                return Layer(Chance(0.5) ? "MaxPool2D" : "AveragePool2D", [.. arguments],
                    [Extent(height, size, step, same), Extent(width, size, step, same), x.Shape[2]], x);
            case 4:
                return Depthwise(x, separable: Chance(0.5), samePadding: Chance(0.3), stride: Chance(0.25) ? 2 : 1);
            default:
                x = Layer("Dropout", [Pick(["0.2", "0.5"])], x.Shape, x);
                return Conv(x, Pick([2, 3]), samePadding: true, stride: 1);
        }
    }

    private GraphNode Conv(GraphNode x, int filters, bool samePadding, int stride)
    {
        int height = x.Shape[0], width = x.Shape[1];
        int kernelHeight = Pick(Windows([1, 2, 3, 3], height, samePadding));
        int kernelWidth = Chance(0.8) && (samePadding || kernelHeight <= width) ? kernelHeight : Pick(Windows([1, 2, 3], width, samePadding));

        var arguments = new List<string> { Int(filters), Int(kernelHeight) };
        arguments.AddRange(kernelWidth != kernelHeight ? [Int(kernelWidth)] : []);
        arguments.AddRange(ActivationArguments(Pick(s_hiddenActivations), optional: kernelWidth == kernelHeight));
        arguments.AddRange(stride != 1 || Chance(0.1) ? [$"Stride = {Int(stride)}"] : []);
        arguments.AddRange(samePadding ? ["Padding = Padding.Same"] : []);
        arguments.AddRange(ParameterOptions());
        return Layer("Conv2D", [.. arguments],
            [Extent(height, kernelHeight, stride, samePadding), Extent(width, kernelWidth, stride, samePadding), filters], x);
    }

    /// <summary>
    /// A 1-D convolution or pooling layer whose window fits a sequence [steps, channels], dropout before a convolution, or a
    /// recurrent layer returning its sequence.
    /// </summary>
    private GraphNode SequenceStep(GraphNode x)
    {
        bool same = Chance(0.3);
        switch (_random.Next(6))
        {
            case 5:
                int units = Pick([1, 2, 3]);
                if (Chance(0.3))
                {
                    // Padded steps masked for the recurrent layer, which must read the mask directly.
                    x = Layer("Masking", Pick<string[]>([[], ["-1f"]]), x.Shape, x);
                }

                return Layer(Pick(["LSTM", "GRU", "SimpleRNN"]), [Int(units), "ReturnSequences = true"], [x.Shape[0], units], x);
            case 0:
            case 1:
                GraphNode conv = Conv1D(x, Pick([1, 2, 3, 5]), same, stride: Chance(0.25) ? 2 : 1);
                return Chance(0.2) ? Normalized(conv) : conv;
            case 2:
            case 3:
                int size = Pick(Windows([1, 2, 3], x.Shape[0], same));
                int stride = Pick([0, 0, 1, 2]); // 0: the pool size
                var arguments = new List<string> { Int(size) };
                arguments.AddRange(stride > 0 ? [$"Stride = {Int(stride)}"] : []);
                arguments.AddRange(same ? ["Padding = Padding.Same"] : []);
                return Layer(Chance(0.5) ? "MaxPool1D" : "AveragePool1D", [.. arguments], [Extent(x.Shape[0], size, stride == 0 ? size : stride, same), x.Shape[1]], x);
            default:
                return Conv1D(Layer("Dropout", ["0.25"], x.Shape, x), Pick([2, 3]), samePadding: true, stride: 1);
        }
    }

    private GraphNode Conv1D(GraphNode x, int filters, bool samePadding, int stride)
    {
        int kernel = Pick(Windows([1, 2, 3, 5], x.Shape[0], samePadding));
        var arguments = new List<string> { Int(filters), Int(kernel) };
        arguments.AddRange(ActivationArguments(Pick(s_hiddenActivations), optional: true));
        arguments.AddRange(stride != 1 ? [$"Stride = {Int(stride)}"] : []);
        arguments.AddRange(samePadding ? ["Padding = Padding.Same"] : []);
        arguments.AddRange(ParameterOptions());
        return Layer("Conv1D", [.. arguments], [Extent(x.Shape[0], kernel, stride, samePadding), filters], x);
    }

    /// <summary>A depthwise or separable convolution whose kernel fits, with one or two filters per channel.</summary>
    private GraphNode Depthwise(GraphNode x, bool separable, bool samePadding, int stride)
    {
        int height = x.Shape[0], width = x.Shape[1];
        int kernelHeight = Pick(Windows([1, 2, 3, 3], height, samePadding));
        int kernelWidth = Chance(0.8) && (samePadding || kernelHeight <= width) ? kernelHeight : Pick(Windows([1, 2, 3], width, samePadding));
        int multiplier = Pick([1, 1, 2]);
        int channels = separable ? Pick([1, 2, 4]) : x.Shape[2] * multiplier;

        var arguments = new List<string>(separable ? [Int(channels)] : []) { Int(kernelHeight) };
        arguments.AddRange(kernelWidth != kernelHeight ? [Int(kernelWidth)] : []);
        arguments.AddRange(ActivationArguments(Pick(s_hiddenActivations), optional: kernelWidth == kernelHeight));
        arguments.AddRange(multiplier != 1 || Chance(0.1) ? [$"DepthMultiplier = {Int(multiplier)}"] : []);
        arguments.AddRange(stride != 1 || Chance(0.1) ? [$"Stride = {Int(stride)}"] : []);
        arguments.AddRange(samePadding ? ["Padding = Padding.Same"] : []);
        arguments.AddRange(separable ? [] : ParameterOptions());
        return Layer(separable ? "SeparableConv2D" : "DepthwiseConv2D", [.. arguments],
            [Extent(height, kernelHeight, stride, samePadding), Extent(width, kernelWidth, stride, samePadding), channels], x);
    }

    private GraphNode FlattenStep(GraphNode x) => Layer("Flatten", [], [Size(x.Shape)], x);

    /// <summary>An image or a sequence to its channels by global max or average pooling.</summary>
    private GraphNode GlobalPoolStep(GraphNode x) =>
        Layer((Chance(0.5) ? "GlobalMaxPooling" : "GlobalAveragePooling") + (x.Shape.Length == 2 ? "1D" : "2D"), [], [x.Shape[^1]], x);

    /// <summary>Dropout anywhere in a trunk: every head ends in (or merges) Dense or Conv2D layers declared after it.</summary>
    private GraphNode DropoutStep(GraphNode x) => Layer("Dropout", [Pick(["0.1", "0.5"])], x.Shape, x);

    /// <summary>x → one or two layers that keep its shape → Add or Multiply with x (a fork: x has two readers).</summary>
    private GraphNode Residual(GraphNode x)
    {
        GraphNode y = x;
        for (int i = _random.Next(1, 3); i > 0; i--)
        {
            y = ShapeKeeping(y, x.Shape[^1]);
        }

        return Merge(Chance(0.7) ? "Add" : "Multiply", [y, x]);
    }

    /// <summary>x read by two or three branches, rarely by up to 28 (one may be x itself), joined by Concatenate, or Add when they agree.</summary>
    private GraphNode Branches(GraphNode x)
    {
        bool concatenate = Chance(0.6);
        int width = concatenate ? 0 : Pick([x.Shape[^1], 2, 4]);
        var outputs = new List<GraphNode>();
        for (int branch = Chance(0.03) ? _random.Next(14, 29) : _random.Next(2, 4); branch > 0; branch--)
        {
            bool identity = outputs.Count == 0 && (concatenate || width == x.Shape[^1]) && Chance(0.3);
            GraphNode y = identity ? x : ShapeKeeping(x, concatenate ? Pick([1, 2, 3, 5]) : width);
            if (!identity && Chance(0.3))
            {
                y = ShapeKeeping(y, y.Shape[^1]);
            }

            outputs.Add(y);
        }

        return Merge(concatenate ? "Concatenate" : Pick(["Add", "Add", "Multiply"]), outputs);
    }

    /// <summary>A layer that keeps all but the last axis and makes it <paramref name="width"/>: Dense, a same-padded convolution, or a stride-1 pool.</summary>
    private GraphNode ShapeKeeping(GraphNode x, int width)
    {
        if (x.Shape.Length == 1)
        {
            return Chance(0.15) ? Dense(Layer("Dropout", ["0.3"], x.Shape, x), width) : Dense(x, width);
        }

        string dimensions = x.Shape.Length == 2 ? "1D" : "2D";
        if (width == x.Shape[^1] && Chance(0.3))
        {
            return Layer((Chance(0.5) ? "MaxPool" : "AveragePool") + dimensions, ["3", "Stride = 1", "Padding = Padding.Same"], x.Shape, x);
        }

        return x.Shape.Length == 2 ? Conv1D(x, width, samePadding: true, stride: 1) : Conv(x, width, samePadding: true, stride: 1);
    }

    /// <summary>Joins x with an earlier output of the same shape (a long skip connection), if there is one.</summary>
    private GraphNode LongSkip(GraphNode x)
    {
        GraphNode[] earlier = _graph.Nodes.Where(n => n != x && n.Shape.SequenceEqual(x.Shape)).ToArray();
        return earlier.Length == 0 ? Residual(x) : Merge(Pick(["Add", "Concatenate"]), [x, Pick(earlier)]);
    }

    /// <summary>A merge that names one output twice: x + x, x ⊙ x, or x beside itself.</summary>
    private GraphNode SelfMerge(GraphNode x) => Merge(Pick(["Add", "Multiply", "Concatenate"]), [x, x]);

    /// <summary>Several trunks into one: images of one size side by side, else flattened and concatenated (or added when equal).</summary>
    private GraphNode Join(List<GraphNode> trunks)
    {
        bool sameImages = trunks.All(t => t.Shape.Length > 1 && t.Shape.Length == trunks[0].Shape.Length && t.Shape[..^1].SequenceEqual(trunks[0].Shape[..^1]));
        if (!sameImages || Chance(0.5))
        {
            trunks = trunks.Select(t => t.Shape.Length > 1 ? FlattenStep(t) : t).ToList();
        }

        bool equal = trunks.All(t => t.Shape.SequenceEqual(trunks[0].Shape));
        return Merge(equal && Chance(0.5) ? Pick(["Add", "Multiply"]) : "Concatenate", trunks);
    }

    /// <summary>
    /// The output layer (a Dense layer, an image out of a convolution, a merge of two heads or a mixture), now and then a
    /// [Flatten] after it, and a loss that fits its activation, which it returns.
    /// </summary>
    private string Head(GraphNode x)
    {
        string loss;
        if (x.Shape.Length > 1 && Chance(0.2))
        {
            string activation = Pick(["Linear", "Sigmoid", "ReLU"]);
            int filters = Pick([1, 2]);
            Layer(x.Shape.Length == 2 ? "Conv1D" : "Conv2D", [Int(filters), "1", .. ActivationArguments(activation, optional: true)], [.. x.Shape[..^1], filters], x);
            loss = activation == "Sigmoid" ? Pick(["Auto", "BinaryCrossEntropy", "MeanSquaredError"]) : Pick(["Auto", "MeanSquaredError"]);
        }
        else
        {
            if (x.Shape.Length > 1)
            {
                x = FlattenStep(x);
            }

            if (Chance(0.4))
            {
                x = VectorStep(x);
            }

            switch (_random.Next(20))
            {
                case < 9:
                    int classes = Pick([2, 3, 10]);
                    Layer("Dense", [Int(classes), "Activation.Softmax"], [classes], x);
                    loss = Pick(["Auto", "SparseCategoricalCrossEntropy", "CategoricalCrossEntropy"]);
                    break;
                case < 13:
                    int outputs = Pick([1, 2, 3]);
                    Layer("Dense", [Int(outputs), "Activation.Sigmoid"], [outputs], x);
                    loss = Pick(["Auto", "BinaryCrossEntropy", "MeanSquaredError"]);
                    break;
                case < 16:
                    Dense(x, Pick([1, 2, 5]));
                    loss = Pick(["Auto", "MeanSquaredError"]);
                    break;
                case < 17:
                    Mixture(x);
                    loss = Pick(["Auto", "MeanSquaredError"]);
                    break;
                default:
                    int units = Pick([1, 2, 3]);
                    GraphNode a = Dense(x, units), b = Dense(x, units);
                    string activation = Pick(["Sigmoid", "Linear", "Tanh"]);
                    GraphNode merge = Merge(Pick(["Add", "Multiply", "Concatenate"]), [a, b]);
                    merge.Arguments = activation == "Linear" && Chance(0.5) ? [] : [$"Activation = Activation.{activation}"];
                    loss = activation == "Sigmoid" ? Pick(["Auto", "BinaryCrossEntropy"]) : Pick(["Auto", "MeanSquaredError"]);
                    break;
            }
        }

        if (Chance(0.1))
        {
            FlattenStep(_graph.Nodes[^1]); // the loss sees through it to the activation before
        }

        return loss;
    }

    /// <summary>Values weighted by a Softmax that no layer with parameters reads, declared before or after the values: no GN0011.</summary>
    private void Mixture(GraphNode x)
    {
        int experts = Pick([2, 3]);
        GraphNode Weights() => Layer("Dense", [Int(experts), "Activation.Softmax"], [experts], x);
        GraphNode weights, values;
        if (Chance(0.5))
        {
            weights = Weights();
            values = Dense(x, experts);
        }
        else
        {
            values = Dense(x, experts);
            weights = Weights();
        }

        Merge("Multiply", [weights, values]).Arguments = [];
    }

    private GraphNode Merge(string kind, IReadOnlyList<GraphNode> sources)
    {
        int[] shape = kind == "Concatenate" ? [.. sources[0].Shape[..^1], sources.Sum(s => s.Shape[^1])] : sources[0].Shape;
        string activation = Pick(["Linear", "Linear", "ReLU", "Tanh", "Sigmoid", "LeakyReLU", "Gelu"]);
        string[] arguments = activation == "Linear" ? [] : [$"Activation = Activation.{activation}"];
        return Declare(new GraphNode(kind, arguments, shape, sources));
    }

    private GraphNode Input(int[] shape)
    {
        GraphNode input = Declare(new GraphNode("Input", shape.Select(Int).ToArray(), shape, []));
        string[] free = s_inputNames.Where(n => !_inputNames.Contains(n)).ToArray();
        if (!_plain && free.Length > 0 && Chance(0.3))
        {
            input.Name = Pick(free);
            _inputNames.Add(input.Name);
        }

        return input;
    }

    private GraphNode Layer(string kind, string[] arguments, int[] shape, GraphNode source) => Declare(new GraphNode(kind, arguments, shape, [source]));

    /// <summary>Appends the node to the declaration, with a chosen name now and then and From written out where not needed.</summary>
    private GraphNode Declare(GraphNode node)
    {
        if (!_plain)
        {
            node.Name = Chance(0.3) ? ChosenName() : null;
            node.SpellsOutSources = Chance(0.15);
        }

        _graph.Nodes.Add(node);
        return node;
    }

    /// <summary>A name of the user's choosing, unique in the network and unlike any default one: h3, skip4, block5.conv.</summary>
    private string ChosenName()
    {
        string stem = Pick(s_nameStems);
        string number = Int(_names++);
        return stem.Contains('.') ? stem.Replace(".", number + ".") : stem + number;
    }

    private string[] ActivationArguments(string activation, bool optional)
    {
        if (optional && activation == "Linear" && Chance(0.5))
        {
            return [];
        }

        return activation == "LeakyReLU" && Chance(0.3) ? ["Activation.LeakyReLU", "NegativeSlope = 0.2f"] : [$"Activation.{activation}"];
    }

    /// <summary>Now and then initializers and L2 penalties for a layer's weight and bias, as named arguments.</summary>
    private string[] ParameterOptions()
    {
        var options = new List<string>();
        options.AddRange(Chance(0.2) ? [$"KernelInitializer = Initializer.{Pick(s_initializers)}"] : []);
        options.AddRange(Chance(0.1) ? [$"BiasInitializer = Initializer.{Pick(s_initializers)}"] : []);
        options.AddRange(Chance(0.15) ? [$"KernelRegularizerL2 = {Pick(["1e-4f", "0.01f", "0f"])}"] : []);
        options.AddRange(Chance(0.05) ? [$"BiasRegularizerL2 = {Pick(["1e-3f", "0f"])}"] : []);
        return [.. options];
    }

    private int[] ImageShape() => [Pick([4, 5, 6, 8, 12]), Pick([4, 5, 6, 8, 12]), Pick([1, 1, 2, 3])];

    /// <summary>A sequence [steps, channels] for the 1-D layers.</summary>
    private int[] SequenceShape() => [Pick([1, 3, 7, 16, 29]), Pick([1, 1, 2, 3, 17])];

    /// <summary>The window sizes that fit an axis of <paramref name="input"/> positions: all with same padding, else those up to it.</summary>
    private static int[] Windows(int[] sizes, int input, bool same) => sizes.Where(size => same || size <= input).ToArray();

    /// <summary>Output positions along one axis: ⌊(in − window) / stride⌋ + 1 unpadded, ⌈in / stride⌉ with same padding.</summary>
    private static int Extent(int input, int window, int stride, bool same) => same ? (input + stride - 1) / stride : (input - window) / stride + 1;

    private static int Size(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    private static string Int(int value) => GraphFuzzer.Int(value);

    private bool Chance(double probability) => GraphFuzzer.Chance(_random, probability);

    private T Pick<T>(IReadOnlyList<T> items) => GraphFuzzer.Pick(_random, items);
}
