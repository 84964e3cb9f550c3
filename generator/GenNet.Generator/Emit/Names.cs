using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace GenNet.Generator.Emit;

/// <summary>Invariant-culture formatting for everything that lands in generated code.</summary>
internal static class Format
{
    /// <summary>A C# string literal of <paramref name="text"/>, escaped (layer and tensor names are the user's).</summary>
    public static string Literal(string text) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true);

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A name as it must be written in code: a reserved keyword gets its verbatim <c>@</c> (a class named <c>@event</c>).</summary>
    public static string Identifier(string name) => SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None ? name : "@" + name;

    /// <summary>A dotted namespace with each part written as an identifier.</summary>
    public static string Namespace(string name) => string.Join(".", name.Split('.').Select(Identifier));

    public static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

    /// <summary>The runtime's kernels namespace, as generated code names it.</summary>
    public const string Kernels = "global::GenNet.Kernels";

    public const string Span = "global::System.Span<float>";

    public const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";

    /// <summary>101770 → "101,770", for comments.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>[28, 28]: for comments, and as a C# collection expression.</summary>
    public static string Shape(IEnumerable<int> shape) => "[" + string.Join(", ", shape.Select(Int)) + "]";

    public static string Activation(ActivationKind activation) => activation switch
    {
        ActivationKind.ReLU => "ReLU",
        ActivationKind.LeakyReLU => "LeakyReLU",
        _ => activation.ToString(),
    };

    public static string Loss(LossKind loss) => loss switch
    {
        LossKind.MeanSquaredError => "mean squared error",
        LossKind.BinaryCrossEntropy => "binary cross-entropy",
        LossKind.CategoricalCrossEntropy => "categorical cross-entropy",
        LossKind.SparseCategoricalCrossEntropy => "sparse categorical cross-entropy",
        _ => loss.ToString(),
    };
}

/// <summary>Names of generated members that belong to one layer.</summary>
internal static class LayerNames
{
    /// <summary>"dense0" → "Dense0".</summary>
    public static string Pascal(string variable) => char.ToUpperInvariant(variable[0]) + variable.Substring(1);
}

/// <summary>Names the generated half of a network declares or inherits, which the network class itself cannot take (CS0542).</summary>
internal static class GeneratedMembers
{
    private static readonly HashSet<string> s_fixed = new(System.StringComparer.Ordinal)
    {
        "InputSize", "OutputSize", "ParameterCount", "Summary", "InputShape", "OutputShape", "Loss", "Parameters", "Gradients",
        "Buffers", "BufferTensors", "Outputs", "ParameterTensors", "InitializeParameters", "Forward", "ComputeGradients", "Propagate",
        "Backpropagate", "RefreshKernels", "Pack", "PackingBuffer", "Layout", "s_layout", "NetworkOutput", "ActivationsPerSample",
        "GradientWidth", "ScratchPerSample", "Columns", "ColumnsPerSample", "GradientBuffers", "KernelsSize", "KernelSourcesSize", "KernelGradientSize",
        "_kernels", "_kernelSources", "_kernelsFromStoredWeights", "StoredWeights", "DropoutSeed", "_dropoutSeed", "ParameterValues", "Threads", "TrainingStep", "RestartSteps",
        "FlopsPerSample", "BufferCount", "RegularizationLoss", "AddRegularization", "DescribeOnnx", "DensePanels", "ParametersToWrite", "ParametersWritten", "ClearGradients",
    };

    /// <summary>Every unit's stem (<c>Dense</c>) with the suffixes it generates, and the inputs' blocks (<c>Input1</c>).</summary>
    private static readonly (string Prefix, string[] Suffixes)[] s_layerMembers =
        Layers.LayerUnits.All.Select(u => (LayerNames.Pascal(u.VariableStem), u.MemberSuffixes.ToArray()))
            .Concat(Layers.LayerUnits.All.Select(u => ("_" + u.VariableStem, u.FieldSuffixes.ToArray())))
            .Concat(new[] { ("Input", new[] { "" }) })
            .ToArray();

    /// <summary>True for a member GenNet may generate: a fixed name, or a layer's <c>{Kind}{n}{Suffix}</c> such as <c>Dense0Weight</c> (or field, <c>_bn0Statistics</c>).</summary>
    public static bool IsReserved(string name)
    {
        if (s_fixed.Contains(name))
        {
            return true;
        }

        foreach ((string prefix, string[] suffixes) in s_layerMembers)
        {
            if (!name.StartsWith(prefix, System.StringComparison.Ordinal))
            {
                continue;
            }

            int digits = prefix.Length;
            while (digits < name.Length && name[digits] is >= '0' and <= '9')
            {
                digits++;
            }

            if (digits > prefix.Length && suffixes.Contains(name.Substring(digits)))
            {
                return true;
            }
        }

        return false;
    }
}
