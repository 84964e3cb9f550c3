using System.Collections.Generic;
using System.Linq;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;

namespace GenNet.Generator.Layers;

/// <summary>
/// What the layers' <see cref="LayerPlan.EmitOnnx"/> overrides share: C# for the runtime's <c>OnnxGraph</c> calls (names as
/// literals, node attributes, a window's kernel_shape/strides/pads, the activation and the layer's registration). Each
/// layer kind writes its own nodes; nothing here knows a kind.
/// </summary>
internal static class OnnxCode
{
    private const string Attribute = "global::GenNet.OnnxAttribute";

    /// <summary>A C# string literal of <paramref name="text"/> (layer and tensor names are the user's).</summary>
    public static string Literal(string text) => Format.Literal(text);

    /// <summary><c>[a, b, c]</c>: a collection expression of the given C# expressions.</summary>
    public static string List(IEnumerable<string> items) => "[" + string.Join(", ", items) + "]";

    public static string Int(string name, long value) => $"{Attribute}.Int(\"{name}\", {value.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

    public static string Ints(string name, IEnumerable<int> values) => $"{Attribute}.Ints(\"{name}\", {string.Join(", ", values.Select(Format.Int))})";

    public static string Float(string name, float value) => $"{Attribute}.Float(\"{name}\", {Format.Float(value)})";

    /// <summary><c>graph.Parameter("dense_0.weight")</c>.</summary>
    public static string Parameter(string tensor) => $"graph.Parameter({Literal(tensor)})";

    /// <summary><c>graph.Buffer("bn_0.running_mean")</c>.</summary>
    public static string Buffer(string tensor) => $"graph.Buffer({Literal(tensor)})";

    /// <summary>
    /// The name of a layer's main node: the layer's own when nothing follows it, otherwise <c>{name}/{op}</c>, so that the
    /// layer's last node carries the layer's name.
    /// </summary>
    public static string Target(LayerPlan plan, ActivationCode activation, string op) =>
        Literal(activation.Kind == ActivationKind.Linear ? plan.Header.Name : plan.Header.Name + "/" + op);

    /// <summary>
    /// <c>{assign} = graph.Node("Op", [inputs…], "output",</c> with the attributes on a line of their own when the call would be long: <paramref name="assign"/>
    /// is <c>string conv0</c> for the layer's first node, <c>conv0</c> after; <paramref name="output"/> is a C# literal.
    /// </summary>
    public static void EmitNode(SourceWriter w, string assign, string op, IEnumerable<string> inputs, string output, params string[] attributes)
    {
        string call = $"{assign} = graph.Node(\"{op}\", {List(inputs)}, {output}";
        string line = attributes.Length == 0 ? call + ");" : $"{call}, {string.Join(", ", attributes)});";
        if (attributes.Length == 0 || line.Length <= 160)
        {
            w.Line(line);
            return;
        }

        w.Line(call + ",");
        w.Line("    " + string.Join(", ", attributes) + ");");
    }

    /// <summary><c>{variable} = graph.Activation({variable}, "{output}", Activation.X);</c>, nothing for Linear.</summary>
    public static void EmitActivation(SourceWriter w, string variable, ActivationCode activation, string output)
    {
        if (activation.Kind == ActivationKind.Linear)
        {
            return;
        }

        string slope = activation.Kind == ActivationKind.LeakyReLU ? ", " + Format.Float(activation.NegativeSlope) : "";
        w.Line($"{variable} = graph.Activation({variable}, {Literal(output)}, global::GenNet.Activation.{activation.Kind}{slope});");
    }

    /// <summary><c>graph.Layer("conv_0", conv0, [4, 3, 3], channelsFirst: true);</c></summary>
    public static void EmitLayer(SourceWriter w, LayerPlan plan, string variable, bool channelsFirst) =>
        w.Line($"graph.Layer({Literal(plan.Header.Name)}, {variable}, {Format.Shape(plan.Header.OutputShape)}{(channelsFirst ? ", channelsFirst: true" : "")});");

    /// <summary>The activation under the layer's name, then the layer's registration.</summary>
    public static void EmitActivatedLayer(SourceWriter w, LayerPlan plan, string variable, ActivationCode activation, bool channelsFirst)
    {
        EmitActivation(w, variable, activation, plan.Header.Name);
        EmitLayer(w, plan, variable, channelsFirst);
    }

    /// <summary>
    /// A window's attributes for ONNX's Conv, MaxPool and AveragePool: kernel_shape, strides, and pads as
    /// [begin…, end…] (Keras's same padding puts the odd row or column at the end); over a sequence, one axis.
    /// </summary>
    public static IEnumerable<string> Window(WindowPlan window)
    {
        int padBottom = System.Math.Max((window.OutHeight - 1) * window.Stride + window.WindowHeight - window.Height, 0) - window.PadTop;
        int padRight = System.Math.Max((window.OutWidth - 1) * window.Stride + window.WindowWidth - window.Width, 0) - window.PadLeft;
        if (window.Padding == PaddingKind.Valid)
        {
            padBottom = padRight = 0; // the rows and columns past the last window are left out, as ONNX leaves them
        }

        if (window.Sequence)
        {
            return new[]
            {
                Ints("kernel_shape", new[] { window.WindowWidth }),
                Ints("strides", new[] { window.Stride }),
                Ints("pads", new[] { window.PadLeft, padRight }),
            };
        }

        return new[]
        {
            Ints("kernel_shape", new[] { window.WindowHeight, window.WindowWidth }),
            Ints("strides", new[] { window.Stride, window.Stride }),
            Ints("pads", new[] { window.PadTop, window.PadLeft, padBottom, padRight }),
        };
    }

    /// <summary>"[6, 5, 2] → [4, 3, 3]": the comment's shapes.</summary>
    public static string Shapes(LayerPlan plan) =>
        string.Join(", ", plan.Header.SourceShapes.Select(s => Format.Shape(s))) + " → " + Format.Shape(plan.Header.OutputShape);
}

/// <summary>What a layer's ONNX description can refer to: its sources by name, as C# literals.</summary>
/// <param name="Sources">The names of the layers (or inputs) it reads, in order.</param>
internal sealed record OnnxSite(IReadOnlyList<string> Sources)
{
    /// <summary>Source <paramref name="i"/>'s name as a C# literal.</summary>
    public string Source(int i = 0) => OnnxCode.Literal(Sources[i]);
}
