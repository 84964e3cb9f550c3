using System;

namespace GenNet;

/// <summary>Parameter initialisers used by generated <c>InitializeParameters</c>.</summary>
public static class Initializers
{
    /// <summary>
    /// Glorot (Xavier) uniform: each weight drawn from U(−l, l) with <c>l = √(6 / (fanIn + fanOut))</c>,
    /// Keras's default for Dense kernels.
    /// </summary>
    public static void GlorotUniform(Span<float> weights, int fanIn, int fanOut, ref SeededRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanOut);
        float limit = MathF.Sqrt(6f / (fanIn + fanOut));
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (2f * random.NextSingle() - 1f) * limit;
        }
    }
}
