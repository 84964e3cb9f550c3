using System;

namespace GenNet;

/// <summary>
/// Parameter initialisers used by generated <c>InitializeParameters</c>, one per random <see cref="Initializer"/>. Each
/// is Keras's <c>VarianceScaling</c> with its scale, fan and distribution; every draw comes from a <see cref="SeededRandom"/>
/// through arithmetic that IEEE 754 rounds exactly, so a seed gives the same weights on every machine.
/// </summary>
/// <remarks>
/// The normal variants draw <c>z</c> from a standard normal truncated to [−2, 2] (by rejection from U(−2, 2), accepting
/// with probability <c>exp(−z²/2)</c>) and return <c>z · σ / 0.87962566103423978</c>, where 0.8796… is the standard
/// deviation of that truncated normal: the values' standard deviation is <c>σ</c> and none lies beyond
/// <c>2σ / 0.8796… ≈ 2.27σ</c>, as in Keras (whose documentation gives σ as "the standard deviation after truncation").
/// </remarks>
public static class Initializers
{
    /// <summary>The standard deviation of a standard normal truncated to [−2, 2].</summary>
    private const double TruncatedStandardDeviation = 0.87962566103423978;

    /// <summary>
    /// Glorot (Xavier) uniform: each weight drawn from U(−l, l) with <c>l = √(6 / (fanIn + fanOut))</c>,
    /// Keras's default for Dense kernels.
    /// </summary>
    public static void GlorotUniform(Span<float> weights, int fanIn, int fanOut, ref SeededRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanOut);
        Uniform(weights, MathF.Sqrt(6f / (fanIn + fanOut)), ref random);
    }

    /// <summary>Glorot (Xavier) normal: a truncated normal (see the remarks) with standard deviation <c>√(2 / (fanIn + fanOut))</c>.</summary>
    public static void GlorotNormal(Span<float> weights, int fanIn, int fanOut, ref SeededRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanOut);
        TruncatedNormal(weights, Math.Sqrt(2.0 / ((double)fanIn + fanOut)), ref random);
    }

    /// <summary>He (Kaiming) normal: a truncated normal (see the remarks) with standard deviation <c>√(2 / fanIn)</c>.</summary>
    public static void HeNormal(Span<float> weights, int fanIn, ref SeededRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        TruncatedNormal(weights, Math.Sqrt(2.0 / fanIn), ref random);
    }

    /// <summary>He (Kaiming) uniform: each weight drawn from U(−l, l) with <c>l = √(6 / fanIn)</c>.</summary>
    public static void HeUniform(Span<float> weights, int fanIn, ref SeededRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        Uniform(weights, MathF.Sqrt(6f / fanIn), ref random);
    }

    /// <summary>LeCun normal: a truncated normal (see the remarks) with standard deviation <c>√(1 / fanIn)</c>.</summary>
    public static void LeCunNormal(Span<float> weights, int fanIn, ref SeededRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        TruncatedNormal(weights, Math.Sqrt(1.0 / fanIn), ref random);
    }

    /// <summary>
    /// Each weight drawn from U(−<paramref name="limit"/>, <paramref name="limit"/>): PyTorch's initialisation of its
    /// recurrent layers' weights and biases, with the limit 1/√units.
    /// </summary>
    public static void Uniform(Span<float> weights, float limit, ref SeededRandom random)
    {
        if (!(limit > 0f) || float.IsInfinity(limit))
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit must be positive and finite.");
        }

        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (2f * random.NextSingle() - 1f) * limit;
        }
    }

    private static void TruncatedNormal(Span<float> weights, double standardDeviation, ref SeededRandom random)
    {
        double scale = standardDeviation / TruncatedStandardDeviation;
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)(StandardNormalWithinTwo(ref random) * scale);
        }
    }

    /// <summary>A standard normal draw conditioned on |z| ≤ 2: z from U(−2, 2), kept with probability exp(−z²/2) (about 60% are).</summary>
    private static double StandardNormalWithinTwo(ref SeededRandom random)
    {
        while (true)
        {
            double z = 4.0 * Unit(ref random) - 2.0;
            if (Unit(ref random) < ExpOfNonPositive(-0.5 * z * z))
            {
                return z;
            }
        }
    }

    /// <summary>A double in (0, 1) from 32 random bits.</summary>
    private static double Unit(ref SeededRandom random) => (random.NextUInt32() + 0.5) * (1.0 / 4294967296.0);

    /// <summary>
    /// e^x for x in [−2, 0], to about 1e-16 relative, with additions and multiplications only: <see cref="Math.Exp"/> comes
    /// from the platform's C library and may differ in its last bit between machines, which would change which draws are
    /// kept. e^x = (e^(x/16))^16, with e^(x/16) (|x/16| ≤ 1/8) from its Taylor series to the 10th power.
    /// </summary>
    private static double ExpOfNonPositive(double x)
    {
        double t = x / 16.0;
        double sum = 1.0;
        for (int k = 10; k >= 1; k--)
        {
            sum = 1.0 + sum * t / k;
        }

        for (int i = 0; i < 4; i++)
        {
            sum *= sum;
        }

        return sum;
    }
}
