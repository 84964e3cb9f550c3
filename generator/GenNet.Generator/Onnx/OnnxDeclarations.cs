using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Layers;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis.Text;

namespace GenNet.Generator.Onnx;

/// <summary>
/// What the build made of one ONNX file (<c>obj/GenNet/NAME.onnx.gennet</c>, written by the GenNetImportOnnx task in
/// src/GenNet/build/GenNetOnnxImport.cs): the file name and the description's text.
/// </summary>
internal sealed record OnnxDescription(string FileName, string Text)
{
    public const string Suffix = ".gennet";

    public static OnnxDescription Read(string path, SourceText? text)
    {
        string name = System.IO.Path.GetFileName(path);
        return new OnnxDescription(name.Substring(0, name.Length - Suffix.Length), text?.ToString() ?? "");
    }
}

/// <summary>
/// Fills an imported network's spec from its ONNX description: the inputs and layers become the same
/// <see cref="InputSpec"/>s and <see cref="LayerSpec"/>s the attribute parser makes, so planning and emitting are shared;
/// or the description's problems become GN0031–GN0035 on the [Network] attribute.
/// </summary>
internal static class OnnxDeclarations
{
    public static ParseResult Apply(ParseResult parsed, ImmutableArray<OnnxDescription> descriptions)
    {
        if (parsed.Spec is not { Onnx: { } onnx } spec)
        {
            return parsed;
        }

        LocationInfo? location = spec.NetworkLocation;
        OnnxDescription? description = descriptions.FirstOrDefault(d => string.Equals(d.FileName, onnx.FileName, System.StringComparison.OrdinalIgnoreCase));
        if (description is null)
        {
            return Fail(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxFileNotInProject, location, spec.TypeName, onnx.Path));
        }

        string[] lines = description.Text.Replace("\r", "").Split('\n').Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0 || lines[0] != "gennet-onnx 1")
        {
            return Fail(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxFileUnreadable, location, onnx.Path, spec.TypeName,
                "the build's description of it is missing or from another GenNet version; rebuild"));
        }

        var unsupported = new List<string>();
        var diagnostics = new List<DiagnosticInfo>();
        var inputs = new List<InputSpec>();
        var layers = new List<LayerSpec>();
        int order = 0;
        foreach (string line in lines.Skip(1))
        {
            string[] fields = line.Split('\t');
            string rest = string.Join("\t", fields.Skip(1));
            switch (fields[0])
            {
                case "unreadable":
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxFileUnreadable, location, onnx.Path, spec.TypeName, rest));
                    break;
                case "shape":
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxShapeNotFixed, location, onnx.Path, spec.TypeName, rest));
                    break;
                case "attribute":
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxUnsupportedAttribute, location, onnx.Path, spec.TypeName, rest));
                    break;
                case "unsupported":
                    unsupported.Add(fields.Length > 2 ? $"{fields[1]} '{fields[2]}'" : rest);
                    break;
                case "input":
                {
                    Dictionary<string, string> args = Arguments(fields, 1);
                    inputs.Add(new InputSpec(args.TryGetValue("name", out string? name) ? name : null, Ints(args, "shape").ToEquatableArray(), order++, location));
                    break;
                }

                case "layer" when fields.Length > 1:
                {
                    Dictionary<string, string> args = Arguments(fields, 2);
                    LayerSpec? layer = Layer(fields[1], args, new Declaration(fields[1], layers.Count + 1, order, location,
                        args.TryGetValue("name", out string? name) ? name : null, args.TryGetValue("from", out string? from) ? from : null));
                    if (layer is null)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxFileUnreadable, location, onnx.Path, spec.TypeName,
                            $"the build's description names a layer kind this generator does not know ({fields[1]}); rebuild"));
                    }
                    else
                    {
                        layers.Add(layer);
                        order++;
                    }

                    break;
                }
            }
        }

        if (unsupported.Count > 0)
        {
            diagnostics.Insert(0, DiagnosticInfo.Create(DiagnosticDescriptors.OnnxUnsupportedNodes, location, onnx.Path, spec.TypeName,
                unsupported.Count, unsupported.Count == 1 ? "" : "s", string.Join(", ", unsupported)));
        }

        if (diagnostics.Count > 0)
        {
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }

        return new ParseResult(spec with { Inputs = inputs.ToEquatableArray(), Layers = layers.ToEquatableArray() }, EquatableArray<DiagnosticInfo>.Empty);
    }

    private static ParseResult Fail(DiagnosticInfo diagnostic) => new(null, new[] { diagnostic }.ToEquatableArray());

    /// <summary>The spec of one described layer, as its attribute would give it; null for a kind this generator does not know.</summary>
    private static LayerSpec? Layer(string kind, Dictionary<string, string> args, Declaration declaration)
    {
        ActivationKind activation = args.TryGetValue("activation", out string? a) && System.Enum.TryParse(a, out ActivationKind parsed) ? parsed : ActivationKind.Linear;
        float slope = Float(args, "slope", 0.01f);
        PaddingKind padding = args.TryGetValue("padding", out string? p) && p == "Same" ? PaddingKind.Same : PaddingKind.Valid;
        switch (kind)
        {
            case "Dense":
                return new DenseSpec(declaration, Int(args, "units"), activation, slope, ParameterOptions.Default);
            case "Conv2D":
            {
                int[] kernel = Ints(args, "kernel");
                return kernel.Length != 2 ? null : new Conv2DSpec(declaration, Int(args, "filters"), kernel[0], kernel[1], activation, slope, Int(args, "stride"), padding, ParameterOptions.Default);
            }

            case "DepthwiseConv2D":
            {
                int[] kernel = Ints(args, "kernel");
                return kernel.Length != 2 ? null : new DepthwiseConv2DSpec(declaration, kernel[0], kernel[1], Int(args, "multiplier"), activation, slope, Int(args, "stride"), padding, ParameterOptions.Default);
            }

            case "Normalization":
                return new NormalizationSpec(declaration);
            case "SeparableConv2D":
            {
                int[] kernel = Ints(args, "kernel");
                return kernel.Length != 2 ? null : new SeparableConv2DSpec(declaration, Int(args, "filters"), kernel[0], kernel[1], Int(args, "multiplier"), activation, slope, Int(args, "stride"), padding);
            }

            case "LayerNormalization":
                return new LayerNormalizationSpec(declaration, Float(args, "epsilon", 1e-3f), activation, slope);
            case "Conv1D":
                return new Conv1DSpec(declaration, Int(args, "filters"), Int(args, "kernel"), activation, slope, Int(args, "stride"), padding, ParameterOptions.Default);
            case "MaxPool2D" or "AveragePool2D" or "MaxPool1D" or "AveragePool1D":
                return new PoolSpec(declaration, kind.StartsWith("Max", System.StringComparison.Ordinal), Int(args, "pool"), Int(args, "stride"), padding, kind.EndsWith("1D", System.StringComparison.Ordinal));
            case "GlobalMaxPooling2D" or "GlobalAveragePooling2D" or "GlobalMaxPooling1D" or "GlobalAveragePooling1D":
                return new GlobalPoolSpec(declaration, kind.StartsWith("GlobalMax", System.StringComparison.Ordinal), kind.EndsWith("1D", System.StringComparison.Ordinal));
            case "Flatten":
                return new FlattenSpec(declaration);
            case "BatchNormalization":
                return new BatchNormalizationSpec(declaration, Float(args, "momentum", 0.1f), Float(args, "epsilon", 1e-5f), activation, slope);
            case "Add" or "Multiply" or "Concatenate":
            {
                MergeOperation operation = kind == "Add" ? MergeOperation.Add : kind == "Multiply" ? MergeOperation.Multiply : MergeOperation.Concatenate;
                string[] joins = args.TryGetValue("joins", out string? j) ? j.Split(',') : System.Array.Empty<string>();
                return new MergeSpec(declaration, operation, joins.ToEquatableArray(), activation, slope);
            }

            case "LSTM" or "GRU" or "SimpleRNN":
                return new RecurrentSpec(declaration, (RecurrentKind)System.Enum.Parse(typeof(RecurrentKind), kind), Int(args, "units"),
                    args.TryGetValue("sequences", out string? s) && s == "true");
            case "Embedding":
                return new EmbeddingSpec(declaration, Int(args, "vocabulary"), Int(args, "dimensions"));
            default:
                return null;
        }
    }

    private static Dictionary<string, string> Arguments(string[] fields, int start)
    {
        var args = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (string field in fields.Skip(start))
        {
            int equals = field.IndexOf('=');
            if (equals > 0)
            {
                args[field.Substring(0, equals)] = field.Substring(equals + 1);
            }
        }

        return args;
    }

    private static int Int(Dictionary<string, string> args, string key) =>
        args.TryGetValue(key, out string? text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : 0;

    private static int[] Ints(Dictionary<string, string> args, string key) =>
        args.TryGetValue(key, out string? text) && text.Length > 0
            ? text.Split(',').Select(t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : 0).ToArray()
            : System.Array.Empty<int>();

    private static float Float(Dictionary<string, string> args, string key, float fallback) =>
        args.TryGetValue(key, out string? text) && float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) ? value : fallback;
}
