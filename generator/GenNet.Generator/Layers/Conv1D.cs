using System.Collections.Generic;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary><c>[Conv1D(filters, kernelSize, activation)]</c> over a channels-last sequence, weight [filters, channels, k] as PyTorch's.</summary>
internal sealed record Conv1DSpec(
    Declaration Declaration, int Filters, int KernelSize, ActivationKind Activation, float NegativeSlope, int Stride, PaddingKind Padding,
    ParameterOptions Options)
    : LayerSpec(Declaration)
{
    public override LayerUnit Unit => Conv1DUnit.Instance;
}

/// <summary>
/// A 1-D convolution, planned as Conv2D's over the sequence [steps, channels] read as the image [1, steps, channels] under a
/// 1×k kernel: the same bytes, and PyTorch's [filters, channels, 1, k] kernel is its [filters, channels, k]. So it shares
/// Conv2D's plan, emitter and kernels; only its names, shapes and comments are one-dimensional.
/// </summary>
internal sealed class Conv1DUnit : LayerUnit
{
    public static readonly Conv1DUnit Instance = new();

    public override string Kind => "Conv1D";

    public override string VariableStem => "conv1d";

    public override bool Learns => true;

    public override IEnumerable<string> MemberSuffixes => Conv2DUnit.Instance.MemberSuffixes;

    /// <summary>Keras's name: <c>conv1d</c> for the first, then <c>conv1d_1</c>, ….</summary>
    public override string DefaultName(int index) => index == 0 ? "conv1d" : $"conv1d_{index}";

    public override LayerSpec Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics) =>
        Conv2DUnit.ReadConvolution(attribute, declaration, diagnostics, new[] { 3 }, "a kernel size", "[Conv1D(32, 3, Activation.ReLU)]", "sequence") is { } c
            ? new Conv1DSpec(declaration, c.Values[0], c.Values[1], c.Activation, c.Slope, c.Stride, c.Padding, c.Options)
            : new Conv1DSpec(declaration, 0, 0, ActivationKind.Linear, 0.01f, 1, PaddingKind.Valid, ParameterOptions.Default);

    public override LayerPlan? Plan(LayerSpec spec, PlanContext context)
    {
        var conv = (Conv1DSpec)spec;
        return WindowPlan.SlideSequence(conv.Declaration, context, conv.KernelSize, conv.Stride, conv.Padding, kernel: true, imageKind: "Conv2D") is { } window
            ? Conv2DUnit.PlanConvolution(spec, context, window, conv.Filters, new ActivationCode(conv.Activation, conv.NegativeSlope), conv.Options)
            : null;
    }
}
