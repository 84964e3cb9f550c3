using System;
using System.Linq;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// Each <see cref="Initializer"/> against Keras's formula: uniform draws within their limit with the uniform's variance,
/// normal ones with the standard deviation after truncation at ±2 of the underlying normal's, none beyond, and the
/// truncated normal's kurtosis (which an untruncated normal, 3, or a uniform, 1.8, would miss); Zeros and Ones exactly.
/// The truncated normal's moments are integrated here, independently of the constant the runtime uses.
/// </summary>
public sealed class InitializerTests
{
    private const int Large = 200_000;

    /// <summary>Standard deviation and kurtosis of a standard normal truncated to [−2, 2], by Simpson's rule.</summary>
    private static readonly (double StandardDeviation, double Kurtosis) s_truncated = TruncatedMoments();

    [Fact]
    public void The_truncated_normals_standard_deviation_is_kerass_constant()
    {
        Assert.Equal(0.87962566103423978, s_truncated.StandardDeviation, 12);
        Assert.InRange(s_truncated.Kurtosis, 2.3, 2.5); // between the uniform's 1.8 and the normal's 3
    }

    [Theory]
    [InlineData(Initializer.GlorotUniform, 300, 500)]
    [InlineData(Initializer.GlorotNormal, 300, 500)]
    [InlineData(Initializer.HeNormal, 300, 500)]
    [InlineData(Initializer.HeUniform, 300, 500)]
    [InlineData(Initializer.LeCunNormal, 300, 500)]
    [InlineData(Initializer.HeNormal, 1, 1)]
    [InlineData(Initializer.GlorotNormal, 7, 3)]
    public void Draws_follow_kerass_formula_over_a_large_layer(Initializer kind, int fanIn, int fanOut)
    {
        float[] values = new float[Large];
        var random = new SeededRandom(5);
        switch (kind)
        {
            case Initializer.GlorotUniform: Initializers.GlorotUniform(values, fanIn, fanOut, ref random); break;
            case Initializer.GlorotNormal: Initializers.GlorotNormal(values, fanIn, fanOut, ref random); break;
            case Initializer.HeNormal: Initializers.HeNormal(values, fanIn, ref random); break;
            case Initializer.HeUniform: Initializers.HeUniform(values, fanIn, ref random); break;
            case Initializer.LeCunNormal: Initializers.LeCunNormal(values, fanIn, ref random); break;
        }

        AssertFollows($"{kind} fans {fanIn}, {fanOut}", values, kind, fanIn, fanOut);
    }

    [Fact]
    public void Normal_draws_depend_only_on_the_seed()
    {
        float[] a = new float[1000], b = new float[1000];
        var first = new SeededRandom(9);
        var second = new SeededRandom(9);
        Initializers.HeNormal(a, 10, ref first);
        Initializers.HeNormal(b, 10, ref second);
        Assert.Equal(a, b);
        var other = new SeededRandom(10);
        Initializers.HeNormal(b, 10, ref other);
        Assert.NotEqual(a, b);
    }

    /// <summary>
    /// The draws themselves, pinned: they involve only exactly rounded arithmetic (no library exp or log), so a change here
    /// means the seeded weights of every network declared with a normal initializer changed.
    /// </summary>
    [Fact]
    public void Seeded_normal_draws_are_pinned()
    {
        float[] values = new float[4];
        var random = new SeededRandom(1);
        Initializers.GlorotNormal(values, 3, 5, ref random); // σ = √(2/8) = 0.5, so |w| ≤ 2 · 0.5 / 0.8796 ≈ 1.137
        Assert.Equal(["-0.23948257", "-0.8009087", "0.3763808", "-0.2124108"], values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>A generated network passes each layer's declared initializer Keras's fans: a kernel's channels times its receptive field, a bias's length.</summary>
    [Fact]
    public void A_network_initialises_each_tensor_as_declared_with_kerass_fans()
    {
        var network = new EveryInitializer();
        network.InitializeParameters(3);
        (string Tensor, Initializer Kind, int FanIn, int FanOut)[] expected =
        [
            ("conv_0.weight", Initializer.HeNormal, 8 * 3 * 3, 16 * 3 * 3),
            ("conv_0.bias", Initializer.Ones, 16, 16),
            ("dense_0.weight", Initializer.GlorotNormal, 1600, 64),
            ("dense_0.bias", Initializer.HeUniform, 64, 64),
            ("dense_1.weight", Initializer.LeCunNormal, 64, 48),
            ("dense_1.bias", Initializer.GlorotNormal, 48, 48),
            ("dense_2.weight", Initializer.HeUniform, 48, 40),
            ("dense_2.bias", Initializer.Zeros, 40, 40),
            ("dense_3.weight", Initializer.Zeros, 40, 32),
            ("dense_3.bias", Initializer.Ones, 32, 32),
            ("dense_4.weight", Initializer.Ones, 32, 8),
            ("dense_4.bias", Initializer.Zeros, 8, 8),
        ];
        Assert.Equal(expected.Select(e => e.Tensor), network.ParameterTensors.Select(t => t.Name));
        foreach ((string name, Initializer kind, int fanIn, int fanOut) in expected)
        {
            ParameterTensor tensor = network.ParameterTensors.Single(t => t.Name == name);
            AssertFollows(name, tensor.Slice(network.Parameters).ToArray(), kind, fanIn, fanOut);
        }

        float[] first = network.Parameters.ToArray();
        network.InitializeParameters(3);
        Assert.Equal(first, network.Parameters.ToArray());
    }

    private static void AssertFollows(string where, float[] values, Initializer kind, int fanIn, int fanOut)
    {
        switch (kind)
        {
            case Initializer.Zeros: Assert.True(values.All(v => v == 0f), $"{where}: not all 0"); break;
            case Initializer.Ones: Assert.True(values.All(v => v == 1f), $"{where}: not all 1"); break;
            case Initializer.GlorotUniform: AssertUniform(where, values, Math.Sqrt(6.0 / (fanIn + fanOut))); break;
            case Initializer.HeUniform: AssertUniform(where, values, Math.Sqrt(6.0 / fanIn)); break;
            case Initializer.GlorotNormal: AssertTruncatedNormal(where, values, Math.Sqrt(2.0 / (fanIn + fanOut))); break;
            case Initializer.HeNormal: AssertTruncatedNormal(where, values, Math.Sqrt(2.0 / fanIn)); break;
            case Initializer.LeCunNormal: AssertTruncatedNormal(where, values, Math.Sqrt(1.0 / fanIn)); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>U(−l, l): |w| ≤ l, reaching near l; mean 0, standard deviation l/√3, kurtosis 1.8.</summary>
    private static void AssertUniform(string where, float[] values, double limit)
    {
        (double mean, double deviation, double kurtosis, double largest) = Moments(values);
        Assert.True(largest <= limit * (1 + 1e-6), $"{where}: |w| up to {largest}, beyond the limit {limit}");
        if (values.Length >= 200)
        {
            Assert.True(largest >= 0.9 * limit, $"{where}: |w| only up to {largest}, below 0.9 × the limit {limit}");
        }

        AssertSpread(where, values.Length, mean, deviation, kurtosis, limit / Math.Sqrt(3), expectedKurtosis: 1.8);
    }

    /// <summary>
    /// Keras's truncated normal: σ after truncation, so the underlying normal's deviation is σ/0.8796… and no value lies
    /// beyond twice that; values reach close to the bound; mean 0, kurtosis that of the truncated normal.
    /// </summary>
    private static void AssertTruncatedNormal(string where, float[] values, double sigma)
    {
        (double mean, double deviation, double kurtosis, double largest) = Moments(values);
        double bound = 2 * sigma / s_truncated.StandardDeviation;
        Assert.True(largest <= bound * (1 + 1e-6), $"{where}: |w| up to {largest}, beyond the truncation at {bound} (σ {sigma})");
        if (values.Length >= 1000)
        {
            // 1.25% of a truncated normal's draws lie within 5% of the bound: 1,000 draws miss it with probability < 1e-5.
            Assert.True(largest >= 0.95 * bound, $"{where}: |w| only up to {largest}, well inside the truncation at {bound} (σ {sigma})");
        }

        AssertSpread(where, values.Length, mean, deviation, kurtosis, sigma, s_truncated.Kurtosis);
    }

    /// <summary>Mean and standard deviation within five standard errors; the kurtosis too when there are enough values to pin it.</summary>
    private static void AssertSpread(string where, int n, double mean, double deviation, double kurtosis, double expectedDeviation, double expectedKurtosis)
    {
        if (n < 30)
        {
            return;
        }

        Assert.True(Math.Abs(mean) <= 5 * expectedDeviation / Math.Sqrt(n), $"{where}: mean {mean}, expected 0 ± {5 * expectedDeviation / Math.Sqrt(n)}");
        double relative = 5 * Math.Sqrt((expectedKurtosis - 1) / (4.0 * n)); // the standard error of a standard deviation
        Assert.True(Math.Abs(deviation / expectedDeviation - 1) <= relative,
            $"{where}: standard deviation {deviation}, expected {expectedDeviation} within {relative:P1}");
        if (n >= 50_000)
        {
            Assert.True(Math.Abs(kurtosis - expectedKurtosis) <= 0.1, $"{where}: kurtosis {kurtosis}, expected {expectedKurtosis}");
        }
    }

    private static (double Mean, double Deviation, double Kurtosis, double Largest) Moments(float[] values)
    {
        double mean = values.Average(v => (double)v);
        double variance = values.Average(v => ((double)v - mean) * ((double)v - mean));
        double fourth = values.Average(v => Math.Pow((double)v - mean, 4));
        return (mean, Math.Sqrt(variance), fourth / (variance * variance), values.Max(v => Math.Abs((double)v)));
    }

    private static (double, double) TruncatedMoments()
    {
        const int steps = 20_000; // even
        double h = 4.0 / steps, m0 = 0, m2 = 0, m4 = 0;
        for (int i = 0; i <= steps; i++)
        {
            double z = -2 + i * h;
            double weight = i == 0 || i == steps ? 1 : i % 2 == 1 ? 4 : 2;
            double density = weight * Math.Exp(-z * z / 2);
            m0 += density;
            m2 += density * z * z;
            m4 += density * z * z * z * z;
        }

        double variance = m2 / m0;
        return (Math.Sqrt(variance), m4 / m0 / (variance * variance));
    }
}
