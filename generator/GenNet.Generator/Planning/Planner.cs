using System.Collections.Generic;
using System.Linq;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Model;

namespace GenNet.Generator.Planning;

/// <summary>Shape inference, parameter layout and scratch sizing. Pure: a spec in, a plan or diagnostics out.</summary>
internal static class Planner
{
    /// <summary>The largest tensor, arena or per-sample buffer GenNet plans (2^28 floats, 1 GiB).</summary>
    public const long MaxElements = 1L << 28;

    public static PlanResult Plan(ParseResult parsed) =>
        parsed.Spec is { } spec ? GraphPlanner.Plan(spec) : new PlanResult(null, parsed.Diagnostics);

    /// <summary>
    /// GN0015 when the network has more parameters than <see cref="BuildOptions.MaxParameters"/>, or null.
    /// Checked after emission, so that the warning can give the generated source's size too.
    /// </summary>
    public static DiagnosticInfo? CheckSize(NetworkPlan plan, BuildOptions options, int generatedBytes)
    {
        if (plan.ParameterCount <= options.MaxParameters)
        {
            return null;
        }

        Layers.LayerPlan largest = plan.Layers.OrderByDescending(l => l.ParameterCount).First();
        System.Globalization.CultureInfo invariant = System.Globalization.CultureInfo.InvariantCulture;
        return DiagnosticInfo.Create(
            DiagnosticDescriptors.LargeNetwork,
            plan.Spec.NetworkLocation,
            plan.Spec.TypeName,
            plan.ParameterCount.ToString("N0", invariant),
            (plan.ParameterCount * 4.0 / (1024 * 1024)).ToString("N1", invariant),
            options.MaxParameters.ToString("N0", invariant),
            largest.Header.Declaration.Where,
            largest.ParameterCount.ToString("N0", invariant),
            (generatedBytes / 1024.0).ToString("N1", invariant));
    }

    /// <summary>
    /// Checks a plan's compiled-in weights against the project's weights files (the headers the build can see);
    /// a plan without weights passes through unchanged.
    /// </summary>
    public static PlanResult CheckWeights(PlanResult result, System.Collections.Immutable.ImmutableArray<Weights.WeightsHeader> files)
    {
        if (result.Plan is not { Spec.Weights: { } weights } plan)
        {
            return result;
        }

        NetworkSpec spec = plan.Spec;
        Weights.WeightsHeader? file = files.FirstOrDefault(f => string.Equals(f.FileName, weights.FileName, System.StringComparison.OrdinalIgnoreCase));
        DiagnosticInfo? problem =
            file is null ? DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileNotInProject, spec.NetworkLocation, spec.TypeName, weights.Path) :
            file.Problem is { } unreadable ? DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileUnreadable, spec.NetworkLocation, weights.Path, spec.TypeName, unreadable) :
            file.Misfit(ExpectedTensors(plan), spec.WeightPrecision, ReducedPrecisionTensors(plan)) is { } misfit ? DiagnosticInfo.Create(DiagnosticDescriptors.WeightsDoNotFit, spec.NetworkLocation, weights.Path, spec.TypeName, misfit) :
            null;
        if (problem is not null)
        {
            return new PlanResult(null, new[] { problem }.ToEquatableArray());
        }

        if (spec.WeightPrecision != WeightPrecisionKind.Int8)
        {
            return result;
        }

        var quantized = plan.Layers.OfType<Layers.DensePlan>().Where(d => d.FoldedIn is null).Select(d => d.Header.Name + ".weight")
            .Where(name => file!.Tensors.Any(t => t.Name == name + Weights.WeightsHeader.InputQuantizationSuffix))
            .ToEquatableArray();
        return quantized.Count == 0 ? result : result with { Plan = plan with { QuantizedInputs = quantized } };
    }

    /// <summary>
    /// The weight tensors that a reduced WeightPrecision stores in 16 or 8 bits: those the kernels read them from, of the
    /// Dense layers and convolutions (Conv2D, Conv1D) without a normalisation folded in.
    /// </summary>
    internal static HashSet<string> ReducedPrecisionTensors(NetworkPlan plan) =>
        plan.Spec.WeightPrecision == WeightPrecisionKind.Float32
            ? new HashSet<string>()
            : new HashSet<string>(
                plan.Layers.OfType<Layers.DensePlan>().Select(d => d.Header.Name + ".weight")
                    .Concat(plan.Layers.OfType<Layers.Conv2DPlan>().Where(c => c.FoldedIn is null).Select(c => c.Header.Name + ".weight")),
                System.StringComparer.Ordinal);

    private static List<(string Name, int[] Shape)> ExpectedTensors(NetworkPlan plan) =>
        plan.ParameterTensors.Concat(plan.BufferTensors).Select(t => (t.Name, t.Shape.ToArray())).ToList();

    /// <summary>Auto follows the last activation, as Keras users expect.</summary>
    public static LossKind ResolveLoss(LossKind declared, ActivationKind lastActivation) => declared switch
    {
        LossKind.Auto when lastActivation == ActivationKind.Softmax => LossKind.SparseCategoricalCrossEntropy,
        LossKind.Auto when lastActivation == ActivationKind.Sigmoid => LossKind.BinaryCrossEntropy,
        LossKind.Auto => LossKind.MeanSquaredError,
        _ => declared,
    };

    /// <summary>Why <paramref name="loss"/> cannot train an output with <paramref name="activation"/>, or null when it can.</summary>
    internal static string? Misfit(LossKind loss, ActivationKind activation) => loss switch
    {
        LossKind.CategoricalCrossEntropy or LossKind.SparseCategoricalCrossEntropy when activation != ActivationKind.Softmax =>
            "cross-entropy reads class probabilities, so the last layer needs Activation.Softmax",
        LossKind.BinaryCrossEntropy when activation != ActivationKind.Sigmoid =>
            "binary cross-entropy reads probabilities in (0, 1), so the last layer needs Activation.Sigmoid",
        _ => null,
    };

    /// <summary>Why <paramref name="loss"/> trains an output with <paramref name="activation"/> badly though it can, or null.</summary>
    internal static string? PoorFit(LossKind loss, ActivationKind activation) => loss switch
    {
        LossKind.MeanSquaredError when activation == ActivationKind.Softmax =>
            "mean squared error on class probabilities learns slowly, because the softmax gradient vanishes as the outputs saturate; " +
            "use Loss.SparseCategoricalCrossEntropy for class labels or Loss.CategoricalCrossEntropy for target distributions",
        _ => null,
    };

    internal static long Product(IEnumerable<int> shape)
    {
        long product = 1;
        foreach (int dimension in shape)
        {
            product *= dimension;
            if (product > MaxElements)
            {
                return MaxElements + 1; // stays past the limit without overflowing
            }
        }

        return product;
    }

    internal static bool Fits(long elements, LocationInfo? location, string where, string what, List<DiagnosticInfo> diagnostics)
    {
        if (elements <= MaxElements)
        {
            return true;
        }

        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, where,
            $"the {what} would hold more than {MaxElements} floats (1 GiB), more than GenNet supports"));
        return false;
    }
}
