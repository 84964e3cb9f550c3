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
        long columns = 0;
        int kernels = 0, kernelGradient = 0; // convolutions' weights reordered for channels-last columns
        var kindCounts = new Dictionary<LayerKind, int>();
        LayerSpec? lastWeighted = spec.Layers.LastOrDefault(l => l.Kind is LayerKind.Dense or LayerKind.Conv2D);
        foreach (LayerSpec layer in spec.Layers)
        {
            string where = $"Layer {layer.Position} ({layer.Kind})";
            int inSize = (int)Product(shape);
            kindCounts.TryGetValue(layer.Kind, out int kindIndex);
            kindCounts[layer.Kind] = kindIndex + 1;
            int Allocate(long floats)
            {
                int offset = (int)arena;
                arena += floats;
                return offset;
            }

            LayerPlan? planned = null;
            switch (layer.Kind)
            {
                case LayerKind.Flatten:
                {
                    bool reorders = shape.Length == 3 && shape[2] > 1;
                    int output = reorders ? Allocate(inSize) : source;
                    planned = new LayerPlan(LayerKind.Flatten, layer.Position, kindIndex == 0 ? "flatten" : $"flatten_{kindIndex}", $"flatten{kindIndex}", shape.ToEquatableArray(), new[] { inSize }.ToEquatableArray(),
                        inSize, inSize, ActivationKind.Linear, 0f, 0, 0, source, output, LayerPlan.None, false, false, KindIndex: kindIndex);
                    break;
                }

                case LayerKind.Dense:
                {
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

                    CheckSoftmax(spec, layer, where, diagnostics);
                    long weights = (long)inSize * layer.Units;
                    if (!Fits(weights, layer.Location, where, "weight", diagnostics))
                    {
                        return Fail();
                    }

                    int weightOffset = (int)parameters;
                    int biasOffset = (int)(parameters + weights);
                    parameters += weights + layer.Units;
                    int preActivation = layer.Activation == ActivationKind.Gelu ? Allocate(layer.Units) : LayerPlan.None; // GELU's backward needs x
                    int output = Allocate(layer.Units);
                    planned = new LayerPlan(LayerKind.Dense, layer.Position, $"dense_{kindIndex}", $"dense{kindIndex}", shape.ToEquatableArray(), new[] { layer.Units }.ToEquatableArray(),
                        inSize, layer.Units, layer.Activation, layer.NegativeSlope, weightOffset, biasOffset, source, output, preActivation,
                        NeedsInputGradient: weightOffset > 0, FusedWithLoss: false, KindIndex: kindIndex);
                    break;
                }

                case LayerKind.Conv2D:
                {
                    if (Slide(layer, where, shape, "kernel", diagnostics) is not { } window)
                    {
                        return Fail();
                    }

                    if (layer.Units <= 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, layer.Location, where, "filters", layer.Units));
                        return Fail();
                    }

                    long weights = (long)layer.Units * window.PatchSize;
                    long outSize = (long)window.Pixels * layer.Units;
                    if (!Fits(weights, layer.Location, where, "weight", diagnostics) ||
                        !Fits(outSize, layer.Location, where, "output", diagnostics) ||
                        !Fits((long)window.Pixels * window.PatchSize, layer.Location, where, "im2col matrix per sample", diagnostics))
                    {
                        return Fail();
                    }

                    int weightOffset = (int)parameters;
                    int biasOffset = (int)(parameters + weights);
                    parameters += weights + layer.Units;
                    int preActivation = layer.Activation == ActivationKind.Gelu ? Allocate(outSize) : LayerPlan.None;
                    int output = Allocate(outSize);
                    columns = System.Math.Max(columns, window.ColumnsPerSample);
                    int kernelOffset = LayerPlan.None;
                    if (window.ChannelsLastColumns)
                    {
                        kernelOffset = kernels;
                        kernels += (int)weights;
                        kernelGradient = System.Math.Max(kernelGradient, (int)weights);
                    }

                    int[] outShape = { window.OutHeight, window.OutWidth, layer.Units };
                    planned = new LayerPlan(LayerKind.Conv2D, layer.Position, $"conv_{kindIndex}", $"conv{kindIndex}", shape.ToEquatableArray(), outShape.ToEquatableArray(),
                        inSize, (int)outSize, layer.Activation, layer.NegativeSlope, weightOffset, biasOffset, source, output, preActivation,
                        NeedsInputGradient: weightOffset > 0, FusedWithLoss: false, Window: window, KindIndex: kindIndex, KernelOffset: kernelOffset);
                    break;
                }

                case LayerKind.MaxPool2D:
                case LayerKind.AveragePool2D:
                {
                    if (Slide(layer, where, shape, "pool window", diagnostics) is not { } window)
                    {
                        return Fail();
                    }

                    int outSize = window.Pixels * window.Channels;
                    int output = Allocate(outSize);
                    int argmax = layer.Kind == LayerKind.MaxPool2D && spec.Training ? Allocate(outSize) : LayerPlan.None; // where each maximum was
                    bool max = layer.Kind == LayerKind.MaxPool2D;
                    planned = new LayerPlan(layer.Kind, layer.Position, $"{(max ? "max_pool" : "average_pool")}_{kindIndex}", $"{(max ? "maxPool" : "averagePool")}{kindIndex}",
                        shape.ToEquatableArray(), new[] { window.OutHeight, window.OutWidth, window.Channels }.ToEquatableArray(),
                        inSize, outSize, ActivationKind.Linear, 0f, 0, 0, source, output, LayerPlan.None, false, false, Window: window, SavedOffset: argmax, KindIndex: kindIndex);
                    break;
                }

                case LayerKind.Dropout:
                {
                    if (lastWeighted is null || lastWeighted.Position < layer.Position)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, layer.Location, where,
                            "dropout must come before a Dense or Conv2D layer: after the last one it would zero the outputs the loss compares; put it before the last Dense or Conv2D layer"));
                        return Fail();
                    }

                    // Dropout only acts in training steps; an inference-only network has no use for it.
                    int output = spec.Training ? Allocate(inSize) : source;
                    int mask = spec.Training ? Allocate(inSize) : LayerPlan.None;
                    planned = new LayerPlan(LayerKind.Dropout, layer.Position, $"dropout_{kindIndex}", $"dropout{kindIndex}", shape.ToEquatableArray(), shape.ToEquatableArray(),
                        inSize, inSize, ActivationKind.Linear, 0f, 0, 0, source, output, LayerPlan.None, false, false, SavedOffset: mask, Rate: (float)layer.Rate, KindIndex: kindIndex);
                    break;
                }
            }

            layers.Add(planned!);
            source = planned!.OutputOffset;
            shape = planned.OutputShape.ToArray();

            if (!Fits(parameters, spec.NetworkLocation, spec.TypeName, "parameter arena", diagnostics) ||
                !Fits(arena, spec.NetworkLocation, spec.TypeName, "activation arena per sample", diagnostics))
            {
                return Fail();
            }
        }

        // The layer whose activation the loss sees: the last one that computes something. A Flatten only reorders, and the
        // activations a convolution may end with (not Softmax) act element by element, so the loss sees through it.
        LayerPlan? last = layers.LastOrDefault(l => !l.IsView && l.Kind != LayerKind.Flatten);
        ActivationKind lastActivation = last is { HasParameters: true } ? last.Activation : ActivationKind.Linear;
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

        if (last is { HasParameters: true } && loss != LossKind.MeanSquaredError)
        {
            layers[layers.IndexOf(last)] = last with { FusedWithLoss = true };
        }

        // Backward: a layer passes a gradient to its input only when a layer with parameters lies before it.
        bool parametersBefore = false;
        for (int i = 0; i < layers.Count; i++)
        {
            if (!layers[i].HasParameters)
            {
                layers[i] = layers[i] with { NeedsInputGradient = parametersBefore && !layers[i].IsView };
            }

            parametersBefore |= layers[i].HasParameters;
        }

        int outputSize = (int)Product(shape);
        bool copiesInput = source == LayerPlan.NetworkInput; // only Flatten layers: the output is the input, kept for Outputs
        if (copiesInput)
        {
            source = (int)arena;
            arena += outputSize;
        }

        int gradientWidth = layers.Where(l => l.HasParameters || l.NeedsInputGradient)
            .Select(l => l.NeedsInputGradient ? System.Math.Max(l.InputSize, l.OutputSize) : l.OutputSize)
            .Concat(new[] { outputSize }).Max();
        if (!Fits(arena + columns + (spec.Training ? 2L * gradientWidth : 0), spec.NetworkLocation, spec.TypeName, "scratch arena per sample", diagnostics))
        {
            return Fail();
        }

        var plan = new NetworkPlan(
            spec, loss, spec.InputShape, shape.ToEquatableArray(), (int)inputSize, outputSize, (int)parameters,
            OutputOffset: source, CopiesInputToOutput: copiesInput, ActivationsPerSample: (int)arena, ColumnsPerSample: (int)columns,
            GradientWidth: gradientWidth, Layers: layers.ToEquatableArray(), KernelsSize: kernels, KernelGradientSize: spec.Training ? kernelGradient : 0);
        return new PlanResult(plan, diagnostics.ToEquatableArray()); // warnings only: errors returned above
    }

    /// <summary>GN0011/GN0012 for a softmax that is not the output or has a single output.</summary>
    private static void CheckSoftmax(NetworkSpec spec, LayerSpec layer, string where, List<DiagnosticInfo> diagnostics)
    {
        if (layer.Activation != ActivationKind.Softmax)
        {
            return;
        }

        if (layer.Units == 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxOfOneOutput, layer.Location, where));
        }
        else if (spec.Layers.FirstOrDefault(l => l.Position > layer.Position && l.Kind is LayerKind.Dense or LayerKind.Conv2D) is { } next)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxBeforeLastLayer, layer.Location, where, $"Layer {next.Position} ({next.Kind})"));
        }
    }

    /// <summary>
    /// A convolution's or pooling layer's window over its input: padding resolved as Keras and TensorFlow do ("same": output
    /// ⌈in / stride⌉, the odd padding row or column at the bottom or right), or a diagnostic on the attribute.
    /// </summary>
    private static WindowPlan? Slide(LayerSpec layer, string where, int[] shape, string what, List<DiagnosticInfo> diagnostics)
    {
        if (shape.Length != 3)
        {
            string hint = shape.Length == 2
                ? $"declare the channels too, for example [Input({shape[0]}, {shape[1]}, 1)] for a grayscale image"
                : shape.Length == 1
                    ? "it must come before [Flatten] and Dense layers"
                    : "give the input as [Input(height, width, channels)]";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NeedsImageInput, layer.Location, where, string.Join(", ", shape), hint));
            return null;
        }

        string size = layer.Kind == LayerKind.Conv2D ? "kernel size" : "pool size";
        if (layer.WindowHeight <= 0 || layer.WindowWidth <= 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, layer.Location, where, size, layer.WindowHeight <= 0 ? layer.WindowHeight : layer.WindowWidth));
            return null;
        }

        int stride = layer.Kind != LayerKind.Conv2D && layer.Stride == 0 ? layer.WindowHeight : layer.Stride; // pooling: 0 means the pool size
        if (stride <= 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, layer.Location, where, "Stride", layer.Stride));
            return null;
        }

        int height = shape[0], width = shape[1], channels = shape[2];
        if ((long)layer.WindowHeight * layer.WindowWidth > MaxElements || (long)channels * layer.WindowHeight * layer.WindowWidth > MaxElements)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, layer.Location, where,
                $"the window would cover more than {MaxElements} floats (1 GiB), more than GenNet supports"));
            return null;
        }

        if (layer.Padding == PaddingKind.Valid && (layer.WindowHeight > height || layer.WindowWidth > width))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WindowDoesNotFit, layer.Location, where, layer.WindowHeight, layer.WindowWidth,
                layer.Kind == LayerKind.Conv2D ? "kernel" : "pool window", string.Join(", ", shape),
                "use a smaller window, Padding = Padding.Same, or fewer downsampling layers before it"));
            return null;
        }

        (int outHeight, int padTop) = Extent(height, layer.WindowHeight, stride, layer.Padding);
        (int outWidth, int padLeft) = Extent(width, layer.WindowWidth, stride, layer.Padding);
        return new WindowPlan(height, width, channels, layer.WindowHeight, layer.WindowWidth, stride, layer.Padding, padTop, padLeft, outHeight, outWidth);
    }

    private static (int Output, int PadBefore) Extent(int input, int window, int stride, PaddingKind padding)
    {
        if (padding == PaddingKind.Valid)
        {
            return ((input - window) / stride + 1, 0);
        }

        int output = (int)((input + (long)stride - 1) / stride);
        long total = System.Math.Max((output - 1L) * stride + window - input, 0L);
        return (output, (int)(total / 2));
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

        LayerPlan largest = plan.Layers.OrderByDescending(l => l.ParameterCount).First();
        System.Globalization.CultureInfo invariant = System.Globalization.CultureInfo.InvariantCulture;
        return DiagnosticInfo.Create(
            DiagnosticDescriptors.LargeNetwork,
            plan.Spec.NetworkLocation,
            plan.Spec.TypeName,
            plan.ParameterCount.ToString("N0", invariant),
            (plan.ParameterCount * 4.0 / (1024 * 1024)).ToString("N1", invariant),
            options.MaxParameters.ToString("N0", invariant),
            $"Layer {largest.Position} ({largest.Kind})",
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
            file.Misfit(ExpectedTensors(plan)) is { } misfit ? DiagnosticInfo.Create(DiagnosticDescriptors.WeightsDoNotFit, spec.NetworkLocation, weights.Path, spec.TypeName, misfit) :
            null;
        return problem is null ? result : new PlanResult(null, new[] { problem }.ToEquatableArray());
    }

    private static List<(string Name, int[] Shape)> ExpectedTensors(NetworkPlan plan) =>
        plan.Layers.Where(l => l.HasParameters)
            .SelectMany(l => new[] { ($"{l.Name}.weight", l.WeightShape), ($"{l.Name}.bias", new[] { l.Units }) })
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
