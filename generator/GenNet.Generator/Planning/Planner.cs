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

    public static PlanResult Plan(ParseResult parsed)
    {
        if (parsed.Spec is not { } spec)
        {
            return new PlanResult(null, parsed.Diagnostics);
        }

        var diagnostics = new List<DiagnosticInfo>();
        PlanResult Fail() => new(null, diagnostics.ToEquatableArray());

        if (spec.InputShape.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, spec.InputLocation, "[Input]", "the shape needs at least one dimension, for example [Input(28, 28)]"));
            return Fail();
        }

        for (int i = 0; i < spec.InputShape.Count; i++)
        {
            if (spec.InputShape[i] <= 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, spec.InputLocation, "[Input]", $"dimension {i + 1}", spec.InputShape[i]));
            }
        }

        if (spec.Layers.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, spec.NetworkLocation, spec.TypeName));
        }

        if (diagnostics.Count > 0)
        {
            return Fail();
        }

        long inputSize = Product(spec.InputShape);
        if (!Fits(inputSize, spec.InputLocation, "[Input]", "input sample", diagnostics))
        {
            return Fail();
        }

        // Forward walk: shapes, parameter offsets, activation buffers.
        var layers = new List<LayerPlan>();
        int[] shape = spec.InputShape.ToArray();
        int source = LayerPlan.NetworkInput;
        long parameters = 0;
        long arena = 0;
        int denseIndex = 0;
        foreach (LayerSpec layer in spec.Layers)
        {
            string where = $"Layer {layer.Position} ({layer.Kind})";
            int inSize = (int)Product(shape);
            switch (layer.Kind)
            {
                case LayerKind.Flatten:
                    layers.Add(new LayerPlan(LayerKind.Flatten, layer.Position, "flatten", "flatten", shape.ToEquatableArray(), new[] { inSize }.ToEquatableArray(),
                        inSize, inSize, ActivationKind.Linear, 0f, 0, 0, source, source, LayerPlan.None, false, false));
                    shape = new[] { inSize };
                    break;

                case LayerKind.Dense:
                    if (layer.Units <= 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, layer.Location, where, "units", layer.Units));
                        return Fail();
                    }

                    if (shape.Length != 1)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NeedsFlatInput, layer.Location, where, string.Join(", ", shape)));
                        return Fail();
                    }

                    if (layer.Activation == ActivationKind.Softmax)
                    {
                        if (layer.Units == 1)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxOfOneOutput, layer.Location, where));
                        }
                        else if (spec.Layers.FirstOrDefault(l => l.Position > layer.Position && l.Kind == LayerKind.Dense) is { } next)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxBeforeLastLayer, layer.Location, where, $"Layer {next.Position} ({next.Kind})"));
                        }
                    }

                    long weights = (long)inSize * layer.Units;
                    if (!Fits(weights, layer.Location, where, "weight", diagnostics))
                    {
                        return Fail();
                    }

                    int weightOffset = (int)parameters;
                    int biasOffset = (int)(parameters + weights);
                    parameters += weights + layer.Units;
                    int preActivation = LayerPlan.None;
                    if (layer.Activation == ActivationKind.Gelu)
                    {
                        preActivation = (int)arena; // GELU's backward needs x, not just y
                        arena += layer.Units;
                    }

                    int output = (int)arena;
                    arena += layer.Units;
                    string name = $"dense_{denseIndex}";
                    layers.Add(new LayerPlan(LayerKind.Dense, layer.Position, name, $"dense{denseIndex}", shape.ToEquatableArray(), new[] { layer.Units }.ToEquatableArray(),
                        inSize, layer.Units, layer.Activation, layer.NegativeSlope, weightOffset, biasOffset, source, output, preActivation,
                        NeedsInputGradient: weightOffset > 0, FusedWithLoss: false));
                    denseIndex++;
                    source = output;
                    shape = new[] { layer.Units };
                    break;
            }

            if (!Fits(parameters, spec.NetworkLocation, spec.TypeName, "parameter arena", diagnostics) ||
                !Fits(arena, spec.NetworkLocation, spec.TypeName, "activation arena per sample", diagnostics))
            {
                return Fail();
            }
        }

        LayerPlan? last = layers.LastOrDefault(l => l.Kind == LayerKind.Dense);
        ActivationKind lastActivation = last?.Activation ?? ActivationKind.Linear;
        LossKind loss = ResolveLoss(spec.Loss, lastActivation);
        string? misfit = Misfit(loss, lastActivation);
        if (misfit is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LossDoesNotFitActivation, spec.NetworkLocation, loss, spec.TypeName, lastActivation, misfit));
            return Fail();
        }

        string? poorFit = PoorFit(loss, lastActivation);
        if (poorFit is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LossFitsPoorly, spec.NetworkLocation, loss, spec.TypeName, lastActivation, poorFit));
        }

        if (last is not null && loss != LossKind.MeanSquaredError)
        {
            layers[layers.IndexOf(last)] = last with { FusedWithLoss = true };
        }

        int outputSize = (int)Product(shape);
        bool copiesInput = source == LayerPlan.NetworkInput; // only Flatten layers: the output is the input, kept for Outputs
        if (copiesInput)
        {
            source = (int)arena;
            arena += outputSize;
        }

        int gradientWidth = layers.Where(l => l.Kind == LayerKind.Dense).Select(l => l.NeedsInputGradient ? System.Math.Max(l.InputSize, l.OutputSize) : l.OutputSize).DefaultIfEmpty(outputSize).Max();
        var plan = new NetworkPlan(
            spec, loss, spec.InputShape, shape.ToEquatableArray(), (int)inputSize, outputSize, (int)parameters,
            OutputOffset: source, CopiesInputToOutput: copiesInput, ActivationsPerSample: (int)arena, GradientWidth: gradientWidth, Layers: layers.ToEquatableArray());
        return new PlanResult(plan, diagnostics.ToEquatableArray()); // warnings only: errors returned above
    }

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

        LayerPlan largest = plan.Layers.Where(l => l.Kind == LayerKind.Dense).OrderByDescending(l => (long)l.WeightCount + l.OutputSize).First();
        System.Globalization.CultureInfo invariant = System.Globalization.CultureInfo.InvariantCulture;
        return DiagnosticInfo.Create(
            DiagnosticDescriptors.LargeNetwork,
            plan.Spec.NetworkLocation,
            plan.Spec.TypeName,
            plan.ParameterCount.ToString("N0", invariant),
            (plan.ParameterCount * 4.0 / (1024 * 1024)).ToString("N1", invariant),
            options.MaxParameters.ToString("N0", invariant),
            $"Layer {largest.Position} ({largest.Kind})",
            ((long)largest.WeightCount + largest.OutputSize).ToString("N0", invariant),
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
            file.Misfit(ExpectedTensors(plan)) is { } misfit ? DiagnosticInfo.Create(DiagnosticDescriptors.WeightsDoNotFit, spec.NetworkLocation, weights.Path, spec.TypeName, misfit) :
            null;
        return problem is null ? result : new PlanResult(null, new[] { problem }.ToEquatableArray());
    }

    private static List<(string Name, int[] Shape)> ExpectedTensors(NetworkPlan plan) =>
        plan.Layers.Where(l => l.Kind == LayerKind.Dense)
            .SelectMany(l => new[] { ($"{l.Name}.weight", new[] { l.OutputSize, l.InputSize }), ($"{l.Name}.bias", new[] { l.OutputSize }) })
            .ToList();

    /// <summary>Auto follows the last activation, as Keras users expect.</summary>
    public static LossKind ResolveLoss(LossKind declared, ActivationKind lastActivation) => declared switch
    {
        LossKind.Auto when lastActivation == ActivationKind.Softmax => LossKind.SparseCategoricalCrossEntropy,
        LossKind.Auto when lastActivation == ActivationKind.Sigmoid => LossKind.BinaryCrossEntropy,
        LossKind.Auto => LossKind.MeanSquaredError,
        _ => declared,
    };

    /// <summary>Why <paramref name="loss"/> cannot train an output with <paramref name="activation"/>, or null when it can.</summary>
    private static string? Misfit(LossKind loss, ActivationKind activation) => loss switch
    {
        LossKind.CategoricalCrossEntropy or LossKind.SparseCategoricalCrossEntropy when activation != ActivationKind.Softmax =>
            "cross-entropy reads class probabilities, so the last layer needs Activation.Softmax",
        LossKind.BinaryCrossEntropy when activation != ActivationKind.Sigmoid =>
            "binary cross-entropy reads probabilities in (0, 1), so the last layer needs Activation.Sigmoid",
        _ => null,
    };

    /// <summary>Why <paramref name="loss"/> trains an output with <paramref name="activation"/> badly though it can, or null.</summary>
    private static string? PoorFit(LossKind loss, ActivationKind activation) => loss switch
    {
        LossKind.MeanSquaredError when activation == ActivationKind.Softmax =>
            "mean squared error on class probabilities learns slowly, because the softmax gradient vanishes as the outputs saturate; " +
            "use Loss.SparseCategoricalCrossEntropy for class labels or Loss.CategoricalCrossEntropy for target distributions",
        _ => null,
    };

    private static long Product(IEnumerable<int> shape)
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

    private static bool Fits(long elements, LocationInfo? location, string where, string what, List<DiagnosticInfo> diagnostics)
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
