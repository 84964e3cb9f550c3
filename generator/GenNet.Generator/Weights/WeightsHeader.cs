using System.Collections.Generic;
using System.Linq;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis.Text;

namespace GenNet.Generator.Weights;

/// <summary>One tensor as a safetensors header declares it.</summary>
internal sealed record TensorHeader(string Name, string DType, EquatableArray<int> Shape);

/// <summary>
/// What the build can know of a weights file: its tensors from the JSON header, or why the header cannot be read.
/// The bytes travel as an embedded resource. The compiler refuses binary additional files, so GenNet's MSBuild
/// targets copy each file's header to <c>obj/GenNet/NAME.safetensors.header.json</c> — the JSON, then a line
/// <c>data-length: N</c> — or a line <c>error: …</c> when the file cannot be read.
/// </summary>
internal sealed record WeightsHeader(string FileName, string? Problem, EquatableArray<TensorHeader> Tensors)
{
    public const string Suffix = ".header.json";

    public static WeightsHeader Read(string headerFileName, SourceText? text)
    {
        string fileName = headerFileName.EndsWith(Suffix, System.StringComparison.OrdinalIgnoreCase)
            ? headerFileName.Substring(0, headerFileName.Length - Suffix.Length)
            : headerFileName;
        string content = text?.ToString() ?? "";
        if (content.StartsWith("error: ", System.StringComparison.Ordinal))
        {
            return new WeightsHeader(fileName, content.Substring("error: ".Length).Trim(), EquatableArray<TensorHeader>.Empty);
        }

        int start = content.IndexOf('{');
        if (start < 0 || MiniJson.Parse(content, start, out int end) is not Dictionary<string, object?> root)
        {
            return new WeightsHeader(fileName, "its header is not valid JSON", EquatableArray<TensorHeader>.Empty);
        }

        long? dataLength = null;
        foreach (string line in content.Substring(end).Split('\n'))
        {
            if (line.StartsWith("data-length: ", System.StringComparison.Ordinal) &&
                long.TryParse(line.Substring("data-length: ".Length).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n))
            {
                dataLength = n;
            }
        }

        return FromJson(fileName, root, dataLength);
    }

    private static WeightsHeader FromJson(string fileName, Dictionary<string, object?> root, long? dataLength)
    {
        var tensors = new List<TensorHeader>();
        foreach (KeyValuePair<string, object?> entry in root.OrderBy(e => e.Key, System.StringComparer.Ordinal))
        {
            if (entry.Key == "__metadata__")
            {
                continue;
            }

            if (entry.Value is not Dictionary<string, object?> tensor ||
                tensor.TryGetValue("dtype", out object? dtype) is false || dtype is not string dtypeName ||
                tensor.TryGetValue("shape", out object? shape) is false || shape is not List<object?> dimensions ||
                dimensions.Any(d => d is not long n || n < 0 || n > int.MaxValue) ||
                tensor.TryGetValue("data_offsets", out object? offsets) is false || offsets is not List<object?> { Count: 2 } range ||
                range[0] is not long begin || range[1] is not long finish || begin < 0 || finish < begin)
            {
                return new WeightsHeader(fileName, $"tensor '{entry.Key}' needs a \"dtype\", a \"shape\" of sizes and two \"data_offsets\"", EquatableArray<TensorHeader>.Empty);
            }

            if (dataLength is { } available && finish > available)
            {
                return new WeightsHeader(fileName, $"tensor '{entry.Key}' ends at byte {finish} of the data, but the file holds {available} data bytes", EquatableArray<TensorHeader>.Empty);
            }

            tensors.Add(new TensorHeader(entry.Key, dtypeName, dimensions.Select(d => (int)(long)d!).ToEquatableArray()));
        }

        return new WeightsHeader(fileName, null, tensors.ToEquatableArray());
    }

    /// <summary>The suffix of an I8 tensor's per-output-channel scales (as the runtime's SafeTensors writes them).</summary>
    public const string ScaleSuffix = "_scale";

    /// <summary>
    /// Why these weights cannot fill a network with <paramref name="expected"/> tensors, or null when they can. With a
    /// reduced <paramref name="precision"/>, every weight matrix the kernels read stored (<paramref name="reduced"/>: Dense and convolution weights) must be in its dtype.
    /// </summary>
    public string? Misfit(IReadOnlyList<(string Name, int[] Shape)> expected, WeightPrecisionKind precision = WeightPrecisionKind.Float32, IReadOnlyCollection<string>? reduced = null)
    {
        var byName = Tensors.ToDictionary(t => t.Name);
        foreach ((string name, int[] shape) in expected)
        {
            if (!byName.TryGetValue(name, out TensorHeader? tensor))
            {
                return $"tensor '{name}' is missing";
            }

            if (!tensor.Shape.SequenceEqual(shape))
            {
                return $"tensor '{name}' has shape [{string.Join(", ", tensor.Shape)}] in the file, the declaration needs [{string.Join(", ", shape)}]";
            }

            if (tensor.DType is not ("F32" or "F16" or "BF16" or "I64" or "I8"))
            {
                return $"tensor '{name}' has dtype {tensor.DType}; GenNet reads F32, F16, BF16, I8 (with scales) and I64";
            }

            if (tensor.DType == "I8" && (shape.Length == 0 ||
                !byName.TryGetValue(name + ScaleSuffix, out TensorHeader? scale) || scale.DType != "F32" || !scale.Shape.SequenceEqual(new[] { shape[0] })))
            {
                return $"tensor '{name}' is I8 but has no F32 scales '{name}{ScaleSuffix}' of shape [{(shape.Length == 0 ? "" : shape[0].ToString(System.Globalization.CultureInfo.InvariantCulture))}]";
            }

            if (byName.TryGetValue(name + InputQuantizationSuffix, out TensorHeader? quantization) &&
                (tensor.DType != "I8" || shape.Length != 2 || quantization.DType != "F32" || !quantization.Shape.SequenceEqual(new[] { 2 })))
            {
                return $"tensor '{name}{InputQuantizationSuffix}' is {quantization.DType} [{string.Join(", ", quantization.Shape)}] beside {tensor.DType} [{string.Join(", ", shape)}]; " +
                    "an input quantization is F32 [2] (scale, zero point) beside an I8 Dense weight [outputs, inputs]";
            }

            string wanted = Format(precision);
            if (reduced is not null && reduced.Contains(name) && tensor.DType != wanted)
            {
                return $"tensor '{name}' is {tensor.DType} in the file, and WeightPrecision.{precision} needs {wanted}; write the file with network.Save(path, WeightPrecision.{precision})";
            }
        }

        string[] extra = Tensors.Select(t => t.Name)
            .Where(n => expected.All(e => e.Name != n) && !AccompaniesInt8(n, ScaleSuffix, byName) && !AccompaniesInt8(n, InputQuantizationSuffix, byName))
            .ToArray();
        return extra.Length > 0 ? $"the file has tensor{(extra.Length == 1 ? "" : "s")} {string.Join(", ", extra.Select(e => $"'{e}'"))} that the declaration does not" : null;
    }

    /// <summary>The suffix of an I8 Dense weight's calibrated input quantization, F32 [2]: scale, zero point.</summary>
    public const string InputQuantizationSuffix = "_input_quant";

    /// <summary>True when <paramref name="name"/> is <c>X + suffix</c> for an I8 tensor X of the file.</summary>
    private static bool AccompaniesInt8(string name, string suffix, Dictionary<string, TensorHeader> byName) =>
        name.EndsWith(suffix, System.StringComparison.Ordinal) &&
        byName.TryGetValue(name.Substring(0, name.Length - suffix.Length), out TensorHeader? quantized) && quantized.DType == "I8";

    /// <summary>The safetensors dtype of weights stored at <paramref name="precision"/>.</summary>
    public static string Format(WeightPrecisionKind precision) => precision switch
    {
        WeightPrecisionKind.BFloat16 => "BF16",
        WeightPrecisionKind.Half => "F16",
        WeightPrecisionKind.Int8 => "I8",
        _ => "F32",
    };
}
