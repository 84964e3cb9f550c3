using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace GenNet.Generator.Emit;

/// <summary>Invariant-culture formatting for everything that lands in generated code.</summary>
internal static class Format
{
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A name as it must be written in code: a reserved keyword gets its verbatim <c>@</c> (a class named <c>@event</c>).</summary>
    public static string Identifier(string name) => SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None ? name : "@" + name;

    /// <summary>A dotted namespace with each part written as an identifier.</summary>
    public static string Namespace(string name) => string.Join(".", name.Split('.').Select(Identifier));

    public static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

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
    public static string Pascal(LayerPlan layer) => char.ToUpperInvariant(layer.Variable[0]) + layer.Variable.Substring(1);

    public static string Weight(LayerPlan layer) => Pascal(layer) + "Weight";

    public static string Bias(LayerPlan layer) => Pascal(layer) + "Bias";

    public static string Output(LayerPlan layer) => Pascal(layer) + "Output";

    public static string PreActivation(LayerPlan layer) => Pascal(layer) + "PreActivation";

    /// <summary>A convolution's offset in the reordered kernels.</summary>
    public static string Kernel(LayerPlan layer) => Pascal(layer) + "Kernel";

    /// <summary>What a layer keeps for its backward pass besides its output: max pooling's argmax, dropout's mask.</summary>
    public static string Saved(LayerPlan layer) => Pascal(layer) + (layer.Kind == LayerKind.MaxPool2D ? "Argmax" : "Mask");
}

/// <summary>Names the generated half of a network declares, which the network class itself cannot take (CS0542).</summary>
internal static class GeneratedMembers
{
    private static readonly HashSet<string> s_fixed = new(System.StringComparer.Ordinal)
    {
        "InputSize", "OutputSize", "ParameterCount", "Summary", "InputShape", "OutputShape", "Loss", "Parameters", "Gradients",
        "Outputs", "ParameterTensors", "InitializeParameters", "Forward", "ComputeGradients", "Propagate", "Backpropagate", "Scratch",
        "NetworkOutput", "ActivationsPerSample", "GradientWidth", "ScratchPerSample", "Columns", "ColumnsPerSample", "GradientBuffers", "KernelsSize", "KernelGradientSize", "ReorderKernels", "_kernels", "_kernelSources", "DropoutSeed",
        "ParameterValues", "CompiledWeights", "WeightsResource", "Threads", "Train", "PrepareShards", "FlopsPerSample",
        "s_parameterTensors", "s_weights", "_parameters", "_gradients", "_scratch", "_outputBatchSize",
        "_threads", "_shards", "_shardBatchSize", "_shardScratch", "_shardGradients", "_shardOutputs", "_dropoutSeed", "_dropoutStep",
    };

    private static readonly string[] s_layerPrefixes = { "Dense", "Conv", "MaxPool", "AveragePool", "Dropout", "Flatten" };

    private static readonly string[] s_layerSuffixes = { "Weight", "Bias", "Output", "PreActivation", "Argmax", "Mask", "Kernel", "Forward", "Backward" };

    /// <summary>True for a member GenNet may generate: a fixed name, or a layer's <c>{Kind}{n}{Suffix}</c> such as <c>Dense0Weight</c>.</summary>
    public static bool IsReserved(string name)
    {
        if (s_fixed.Contains(name))
        {
            return true;
        }

        foreach (string prefix in s_layerPrefixes)
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

            if (digits > prefix.Length && s_layerSuffixes.Contains(name.Substring(digits)))
            {
                return true;
            }
        }

        return false;
    }
}
