using System;
using System.Linq;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

public sealed class InitializationTests
{
    [Fact]
    public void Same_seed_same_parameters_other_seed_other_parameters()
    {
        var a = new MnistMlp();
        var b = new MnistMlp();
        a.InitializeParameters(42);
        b.InitializeParameters(42);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        b.InitializeParameters(43);
        Assert.False(a.Parameters.SequenceEqual(b.Parameters));
    }

    [Fact]
    public void Weights_are_glorot_uniform_and_biases_zero()
    {
        var network = new MnistMlp();
        network.InitializeParameters(42);
        foreach (ParameterTensor tensor in network.ParameterTensors)
        {
            float[] values = tensor.Slice(network.Parameters).ToArray();
            if (tensor.Name.EndsWith(".bias", StringComparison.Ordinal))
            {
                Assert.All(values, v => Assert.Equal(0f, v));
                continue;
            }

            int fanOut = tensor.Shape[0], fanIn = tensor.Shape[1];
            double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
            Assert.All(values, v => Assert.InRange(v, -limit, limit));
            // U(−l, l) has mean 0 and variance l²/3; with ≥ 1,280 draws both land close.
            double mean = values.Average(v => (double)v);
            double variance = values.Average(v => (double)v * v) - mean * mean;
            Assert.InRange(mean, -0.05 * limit, 0.05 * limit);
            Assert.InRange(variance / (limit * limit / 3), 0.9, 1.1);
        }
    }

    [Fact]
    public void Seeded_random_is_the_same_sequence_for_the_same_seed()
    {
        var a = new SeededRandom(123);
        var b = new SeededRandom(123);
        var c = new SeededRandom(124);
        uint[] first = Enumerable.Range(0, 16).Select(_ => a.NextUInt32()).ToArray();
        Assert.Equal(first, Enumerable.Range(0, 16).Select(_ => b.NextUInt32()).ToArray());
        Assert.NotEqual(first, Enumerable.Range(0, 16).Select(_ => c.NextUInt32()).ToArray());
    }

    [Fact]
    public void Seeded_random_ranges_are_respected_and_roughly_uniform()
    {
        var random = new SeededRandom(9);
        int[] counts = new int[7];
        for (int i = 0; i < 70_000; i++)
        {
            float f = random.NextSingle();
            Assert.InRange(f, 0f, 0.99999994f);
            counts[random.NextInt32(7)]++;
        }

        Assert.All(counts, count => Assert.InRange(count, 9_500, 10_500));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextInt32(0));
    }
}
