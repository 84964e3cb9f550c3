namespace GenNet;

/// <summary>
/// How the weight matrices of a saved or compiled-in network are stored. Biases, normalisation parameters and buffers stay
/// 32-bit floats at every precision; activations are always 32-bit floats (weight-only quantization).
/// </summary>
public enum WeightPrecision
{
    /// <summary>32-bit floats (safetensors dtype <c>F32</c>): what training uses.</summary>
    Float32 = 0,

    /// <summary>
    /// bfloat16 (<c>BF16</c>): a float's sign, 8-bit exponent and top 7 mantissa bits, rounded to nearest even. Half the
    /// bytes, a float's range, a relative error of at most 2⁻⁸ per weight (half a unit of its 7 stored mantissa bits).
    /// </summary>
    BFloat16 = 1,

    /// <summary>
    /// IEEE half precision (<c>F16</c>): 10 mantissa bits, a relative error of at most 2⁻¹¹ per weight, but values only up
    /// to 65,504 in magnitude (larger weights are refused when the file is written).
    /// </summary>
    Half = 2,

    /// <summary>
    /// Symmetric 8-bit integers (<c>I8</c>) with one float scale per output channel (a tensor <c>NAME_scale</c>, shape
    /// [outputs]): <c>w ≈ q · scale</c>, <c>q</c> in [−127, 127], <c>scale = max|w| / 127</c> over the channel. A quarter
    /// of the bytes; an error of at most half a scale per weight.
    /// </summary>
    Int8 = 3,
}
