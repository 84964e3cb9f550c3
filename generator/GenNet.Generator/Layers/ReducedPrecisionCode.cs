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
    public static void EmitProduct(
        SourceWriter w, MethodSite site, string tensorName, string x, string bias, string y, string sizes, string floatProduct, string? channelsLast = null,
        (int Inputs, int Outputs)? quantizedSizes = null)
    {
        int tensor = site.ParameterTensorNames.ToList().IndexOf(tensorName);
        if (quantizedSizes is { } dense && site.QuantizedInputs.Contains(tensorName))
        {
            EmitIntegerProduct(w, tensor, x, bias, y, dense.Inputs, dense.Outputs, floatProduct);
            return;
        }

        string order = channelsLast is null ? $"({tensor})" : $"ChannelsLast({tensor}, {channelsLast})";
        (string stored, string call) = site.WeightPrecision switch
        {
            WeightPrecisionKind.BFloat16 => ("bfloat16 weights", $"ForwardBFloat16({x}, stored.BFloat16{order}, {bias}, {y}, {sizes})"),
            WeightPrecisionKind.Half => ("half-precision weights", $"ForwardHalf({x}, stored.Half{order}, {bias}, {y}, {sizes})"),
            _ => ("int8 weights with one scale per output", $"ForwardInt8({x}, stored.Int8{order}, stored.Int8Scales({tensor}), {bias}, {y}, {sizes})"),
        };
        using (w.Block("if (StoredWeights is { } stored)"))
        {
            w.Line(channelsLast is null
                ? $"// the compiled-in {stored}, read where they lie"
                : $"// the compiled-in {stored}, reordered once (per process) to the columns' order");
            w.Line($"{Format.Kernels}.Dense.{call};");
        }

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

        using (w.Block("else"))
        {
            w.Line("// the float arena, once Parameters has been asked for (and so may have been changed)");
            w.Line($"{Format.Kernels}.Dense.Forward({floatProduct});");
        }
    }
}
