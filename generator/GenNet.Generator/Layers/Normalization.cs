using System;
using System.Collections.Generic;
using System.Globalization;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary>
/// What BatchNormalization and LayerNormalization share: reading ε and the activation, γ (weight) and β (bias) over the
/// last axis, and the shape of the backward method.
/// </summary>
internal static class NormalizationCode
{
    /// <summary>
    /// Epsilon (1e-5 unless given), Activation and NegativeSlope; GN0008 for an ε that is not positive and finite (saying
    /// <paramref name="epsilonRole"/>), a bad activation or slope, and Softmax.
    /// </summary>
    public static (float Epsilon, ActivationKind Activation, float NegativeSlope) Read(
        AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics, string epsilonRole)
    {
        float epsilon = AttributeArguments.Named(attribute, "Epsilon", 1e-5f);
        int activation = AttributeArguments.Named(attribute, "Activation", (int)ActivationKind.Linear);
        float slope = AttributeArguments.Named(attribute, "NegativeSlope", 0.01f);
        void Invalid(string problem) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where, problem));

        if (!(epsilon > 0f) || float.IsInfinity(epsilon))
        {
            Invalid($"Epsilon = {epsilon.ToString("R", CultureInfo.InvariantCulture)} must be positive and finite: {epsilonRole}");
        }

        ActivationCode.Check(activation, slope, declaration, diagnostics);
        if (activation == (int)ActivationKind.Softmax)
        {
            Invalid("Softmax is not supported on a normalisation; end with [Dense(classes, Activation.Softmax)]");
        }

        return (epsilon, (ActivationKind)activation, slope);
    }

    /// <summary>γ and β, [channels] each, with PyTorch's names.</summary>
    public static IEnumerable<TensorPlan> Parameters(LayerPlan plan, int channels, int weightOffset, int biasOffset) => new[]
    {
        new TensorPlan($"{plan.Header.Name}.weight", new[] { channels }.ToEquatableArray(), weightOffset, plan.Pascal + "Weight"),
        new TensorPlan($"{plan.Header.Name}.bias", new[] { channels }.ToEquatableArray(), biasOffset, plan.Pascal + "Bias"),
    };

    /// <summary>The inputs of ONNX's BatchNormalization after X, as generated code names them: γ, β, running mean and variance.</summary>
    public static string[] OnnxStatistics(string name) => new[]
    {
        OnnxCode.Parameter(name + ".weight"), OnnxCode.Parameter(name + ".bias"), OnnxCode.Buffer(name + ".running_mean"), OnnxCode.Buffer(name + ".running_var"),
    };

    /// <summary>γ = 1, β = 0.</summary>
    public static void EmitInitialization(SourceWriter w, LayerPlan plan, int channels)
    {
        w.Line($"parameters.Slice({plan.Pascal}Weight, {Format.Int(channels)}).Fill(1f);");
        w.Line($"parameters.Slice({plan.Pascal}Bias, {Format.Int(channels)}).Clear();");
    }

    /// <summary>
    /// The backward method: its comment (<paramref name="dxComment"/> says how dx is formed), <c>x</c>, then
    /// <paramref name="parameters"/>, the activation's saved values, <c>dy</c>, <c>dx</c> when something before it learns;
    /// the activation's backward step, then <paramref name="kernelCall"/> given "dx" or "default".
    /// </summary>
    public static void EmitBackward(SourceWriter w, LayerPlan plan, ActivationCode activation, string parameters, string dxComment, Func<string, string> kernelCall)
    {
        bool dx = plan.Header.NeedsInputGradient;
        w.Line();
        w.Line($"// {plan.Header.Name} backward: {activation.BackwardComment}; then dγ += Σ dz·x̂, dβ += Σ dz" +
               (dx ? dxComment : " (nothing before it learns: no dx)."));
        string signature = $"private void {plan.Pascal}Backward({Format.ReadOnlySpan} x, {parameters}{activation.SavedParameter}{Format.Span} dy, " +
            (dx ? $"{Format.Span} dx, " : "") + $"int batchSize, {Format.Span} gradients)";
        using (w.Block(signature))
        {
            activation.EmitBackward(w, plan.Header.OutputSize);
            w.Line(kernelCall(dx ? "dx" : "default"));
        }
    }
}
