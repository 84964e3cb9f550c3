using System.Linq;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;

namespace GenNet.Generator.Layers;

/// <summary>
/// The product over compiled-in 16- or 8-bit weights (Dense layers and convolutions of an inference-only network with a
/// WeightPrecision): the stored weights while the network reads them in place, the float arena once Parameters has been
/// asked for (and so may have been written or loaded).
/// </summary>
internal static class ReducedPrecisionCode
{
    /// <summary>
    /// Emits <c>Dense.ForwardBFloat16</c>/<c>ForwardHalf</c>/<c>ForwardInt8</c> over tensor <paramref name="tensorName"/>, else
    /// <c>Dense.Forward(<paramref name="floatProduct"/>)</c>. With <paramref name="channelsLast"/> ("channels, kh, kw") the
    /// stored weights are read reordered to a convolution's channels-last columns.
    /// </summary>
    /// <remarks>
    /// With <paramref name="panels"/> ("inputs, outputs": a Dense layer) bfloat16 weights are also read packed into panels of 32
    /// outputs (<c>EmbeddedWeights.BFloat16Panels</c>), which single samples stream.
    /// </remarks>
    public static void EmitProduct(
        SourceWriter w, MethodSite site, string tensorName, string x, string bias, string y, string sizes, string floatProduct, string? channelsLast = null,
        string? panels = null, (int Inputs, int Outputs)? quantizedSizes = null)
    {
        int tensor = site.ParameterTensorNames.ToList().IndexOf(tensorName);
        if (quantizedSizes is { } dense && site.QuantizedInputs.Contains(tensorName))
        {
            EmitIntegerProduct(w, tensor, x, bias, y, dense.Inputs, dense.Outputs, floatProduct);
            return;
        }

        string order = channelsLast is null ? $"({tensor})" : $"ChannelsLast({tensor}, {channelsLast})";
        (string stored, string call) = (site.WeightPrecision, panels) switch
        {
            (WeightPrecisionKind.BFloat16, { } shape) => ("bfloat16 weights", $"ForwardBFloat16({x}, stored.BFloat16{order}, stored.BFloat16Panels({tensor}, {shape}), {bias}, {y}, {sizes})"),
            (WeightPrecisionKind.BFloat16, _) => ("bfloat16 weights", $"ForwardBFloat16({x}, stored.BFloat16{order}, {bias}, {y}, {sizes})"),
            (WeightPrecisionKind.Half, _) => ("half-precision weights", $"ForwardHalf({x}, stored.Half{order}, {bias}, {y}, {sizes})"),
            _ => ("int8 weights with one scale per output", $"ForwardInt8({x}, stored.Int8{order}, stored.Int8Scales({tensor}), {bias}, {y}, {sizes})"),
        };
        bool packed = panels is not null && site.WeightPrecision == WeightPrecisionKind.BFloat16;
        using (w.Block("if (StoredWeights is { } stored)"))
        {
            w.Line(channelsLast is not null
                ? $"// the compiled-in {stored}, reordered once (per process) to the columns' order"
                : packed
                    ? $"// the compiled-in {stored}, read where they lie, and for single samples packed once per process into panels of 32 outputs"
                    : $"// the compiled-in {stored}, read where they lie");
            w.Line($"{Format.Kernels}.Dense.{call};");
        }

        EmitFloatArena(w, floatProduct);
    }

    /// <summary>
    /// A Dense layer of an inference-only network with compiled-in float weights: while they are read in place they are
    /// also packed once per process into panels of 16 outputs (<c>Dense.ForwardPanels</c>, the same bits as <c>Dense.Forward</c>).
    /// </summary>
    public static void EmitFloatPanels(SourceWriter w, MethodSite site, string tensorName, string floatProduct, string shape)
    {
        int tensor = site.ParameterTensorNames.ToList().IndexOf(tensorName);
        int comma = floatProduct.IndexOf(", ", System.StringComparison.Ordinal);
        using (w.Block("if (StoredWeights is { } stored)"))
        {
            w.Line("// the compiled-in weights, also packed once per process into panels of 16 outputs, which single samples stream");
            w.Line($"{Format.Kernels}.Dense.ForwardPanels({floatProduct.Substring(0, comma)}, stored.DensePanels({tensor}, {shape}), {floatProduct.Substring(comma + 2)});");
        }

        EmitFloatArena(w, floatProduct);
    }

    private static void EmitFloatArena(SourceWriter w, string floatProduct)
    {
        using (w.Block("else"))
        {
            w.Line("// the float arena, once Parameters has been asked for (and so may have been changed)");
            w.Line($"{Format.Kernels}.Dense.Forward({floatProduct});");
        }
    }

    // A Dense layer whose file carries its input's calibrated 8-bit quantization: integer products over the codes packed once.
    private static void EmitIntegerProduct(SourceWriter w, int tensor, string x, string bias, string y, int inputs, int outputs, string floatProduct)
    {
        using (w.Block("if (StoredWeights is { } stored)"))
        {
            w.Line("// the compiled-in int8 weights (packed once per process) times the input quantized to 8 bits as calibrated: int32 sums");
            w.Line($"{Format.Kernels}.Dense.ForwardQuantized({x}, stored.QuantizedDense({tensor}, {Format.Int(inputs)}, {Format.Int(outputs)}), {bias}, {y}, batchSize);");
        }

        EmitFloatArena(w, floatProduct);
    }
}
