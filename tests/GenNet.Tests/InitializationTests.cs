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

    /// <summary>
    /// Every weight of the convnet and of every checked network (the MNIST MLP among them) lies in U(−l, l) with Keras's Glorot limit
    /// <c>l = √(6 / (fanIn + fanOut))</c>; biases start at 0 and normalisation scales at 1; a recurrent layer's four tensors
    /// lie in U(−1/√units, 1/√units), PyTorch's initialisation.
    /// </summary>
    [Fact]
    public void Weights_are_glorot_uniform_with_kerass_fans_biases_zero_and_scales_one()
    {
        // The cases include MnistMlp; their references know the depthwise kernels, whose Keras fans differ from their shape's.
        (ITrainableNetwork Network, ReferenceNetwork? Reference)[] networks =
            [(new MnistConvNet(), null), .. NetworkCases.All.Select(c => (c.Create(), (ReferenceNetwork?)c.Reference))];
        int convolutionsPinned = 0;
        foreach ((ITrainableNetwork network, ReferenceNetwork? reference) in networks)
        {
            network.InitializeParameters(42);
            foreach (ParameterTensor tensor in network.ParameterTensors)
            {
                float[] values = tensor.Slice(network.Parameters).ToArray();
                string where = $"{network.GetType().Name} {tensor.Name} [{string.Join(", ", tensor.Shape)}]";
                if (reference?.UniformLimit(tensor.Name) is { } uniform)
                {
                    AssertUniform(where, values, uniform, "PyTorch's 1/√units"); // a recurrent layer's tensors, biases too
                    continue;
                }

                if (tensor.Shape.Count == 1)
                {
                    float start = tensor.Name.EndsWith(".bias", StringComparison.Ordinal) ? 0f : 1f;
                    Assert.True(values.All(v => v == start), $"{where}: not all {start}");
                    continue;
                }

                // Keras's compute_fans: a kernel's fans are its input and output channels times its receptive field
                // (kh·kw for a convolution's [filters, channels, kh, kw], 1 for a Dense weight's [units, inputs]).
                int receptiveField = 1;
                for (int axis = 2; axis < tensor.Shape.Count; axis++)
                {
                    receptiveField *= tensor.Shape[axis];
                }

                (int fanIn, int fanOut) = reference?.KerasFans(tensor.Name) ?? (tensor.Shape[1] * receptiveField, tensor.Shape[0] * receptiveField);
                AssertGlorotUniform(where, values, fanIn, fanOut);
                if (tensor.Shape.Count == 4 && values.Length >= 200)
                {
                    convolutionsPinned++;
                }
            }
        }

        Assert.True(convolutionsPinned >= 2, $"only {convolutionsPinned} convolution kernels large enough to pin their limit from below");
    }

    private static void AssertGlorotUniform(string where, float[] values, int fanIn, int fanOut) =>
        AssertUniform(where, values, Math.Sqrt(6.0 / (fanIn + fanOut)), $"fans {fanIn}, {fanOut}");

    private static void AssertUniform(string where, float[] values, double limit, string source)
    {
        double largest = values.Max(v => Math.Abs((double)v));
        Assert.True(largest <= limit, $"{where}: |w| up to {largest}, beyond the limit {limit} ({source})");
        if (values.Length >= 200)
        {
            // Every one of n ≥ 200 draws below 0.9·l has probability 0.9ⁿ < 1e-9: a limit drawn too small shows here.
            Assert.True(largest >= 0.9 * limit, $"{where}: |w| only up to {largest}, below 0.9 × the limit {limit} ({source})");
        }

        if (values.Length >= 1280)
        {
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
