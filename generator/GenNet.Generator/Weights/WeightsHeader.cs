using System.Collections.Generic;
using System.Linq;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis.Text;

namespace GenNet.Generator.Weights;

/// <summary>One tensor as a safetensors header declares it.</summary>
internal sealed record TensorHeader(string Name, string DType, EquatableArray<int> Shape);

/// <summary>
/// What the build can know of a weights file: its tensors from the JSON header, or why the header cannot be read.
/// The bytes themselves travel as an embedded resource; Roslyn hands additional files to generators as text, which
/// keeps the (ASCII) JSON header intact, and the header is all the compile-time check needs.
/// </summary>
internal sealed record WeightsHeader(string FileName, string? Problem, EquatableArray<TensorHeader> Tensors)
{
    private const int FirstRead = 1 << 16;

    public static WeightsHeader Read(string fileName, SourceText? text)
    {
        if (text is null || text.Length < 10)
        {
            return new WeightsHeader(fileName, "the file is empty or unreadable", EquatableArray<TensorHeader>.Empty);
        }

        // The header is JSON right after an 8-byte little-endian length, which decodes to a few arbitrary characters.
        // Try each '{' among them; read a first block of the file, and all of it only for a huge header.
        foreach (int limit in new[] { System.Math.Min(text.Length, FirstRead), text.Length }.Distinct())
        {
            string head = text.ToString(new TextSpan(0, limit));
            for (int start = 0; start < System.Math.Min(head.Length, 12); start++)
            {
                if (head[start] == '{' && MiniJson.Parse(head, start, out _) is Dictionary<string, object?> root)
                {
                    return FromJson(fileName, root);
                }
            }
        }

        return new WeightsHeader(fileName, "no JSON header was found after the 8-byte length; is it a safetensors file?", EquatableArray<TensorHeader>.Empty);
    }

    private static WeightsHeader FromJson(string fileName, Dictionary<string, object?> root)
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
                dimensions.Any(d => d is not long n || n < 0 || n > int.MaxValue))
            {
                return new WeightsHeader(fileName, $"tensor '{entry.Key}' needs a \"dtype\" and a \"shape\" of sizes", EquatableArray<TensorHeader>.Empty);
            }

            tensors.Add(new TensorHeader(entry.Key, dtypeName, dimensions.Select(d => (int)(long)d!).ToEquatableArray()));
        }

        return new WeightsHeader(fileName, null, tensors.ToEquatableArray());
    }

    /// <summary>Why these weights cannot fill a network with <paramref name="expected"/> tensors, or null when they can.</summary>
    public string? Misfit(IReadOnlyList<(string Name, int[] Shape)> expected)
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

            if (tensor.DType is not ("F32" or "F16" or "BF16"))
            {
                return $"tensor '{name}' has dtype {tensor.DType}; GenNet reads F32, F16 and BF16";
            }
        }

        string[] extra = Tensors.Select(t => t.Name).Where(n => expected.All(e => e.Name != n)).ToArray();
        return extra.Length > 0 ? $"the file has tensor{(extra.Length == 1 ? "" : "s")} {string.Join(", ", extra.Select(e => $"'{e}'"))} that the declaration does not" : null;
    }
}
