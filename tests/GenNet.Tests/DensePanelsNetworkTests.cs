using System;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;

namespace GenNet.Tests;

/// <summary>The trained seed MLP, trainable, starting from the same compiled-in float weights as <see cref="FashionFloat32"/>.</summary>
[Network(Weights = "fashion-mlp.safetensors")]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionFloat32Trainable;

/// <summary>
/// An inference-only network reads its compiled-in float Dense weights packed once per process into panels of 16 outputs
/// (<see cref="EmbeddedWeights.DensePanels"/>, <see cref="Kernels.Dense.ForwardPanels"/>): it gives the trainable build's
/// bits at every batch size, and once its Parameters are asked for (and written) it computes with them instead.
/// </summary>
public sealed class DensePanelsNetworkTests
{
    private static float[] Images(int count)
    {
        Dataset test = QuantizedWeightsTests.LoadTest();
        var images = new float[count * 784];
        for (int i = 0; i < count; i++)
        {
            test.CopyFeatures(i, images.AsSpan(i * 784, 784));
        }

        return images;
    }

    [Fact]
    public void The_inference_only_build_gives_the_trainable_builds_bits_at_every_batch_size()
    {
        float[] images = Images(300);
        var inference = new FashionFloat32();
        var trainable = new FashionFloat32Trainable();
        foreach (int batch in new[] { 1, 2, 3, 4, 5, 17, 64, 130, 256 })
        {
            float[] expected = new float[batch * 10], actual = new float[batch * 10];
            trainable.Forward(images.AsSpan(0, batch * 784), expected, batch);
            inference.Forward(images.AsSpan(0, batch * 784), actual, batch);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                    $"batch {batch}, y[{i / 10}, {i % 10}]: inference-only {actual[i]:R}, trainable {expected[i]:R}");
            }
        }

        // One sample at a time equals the same sample inside a batch below the packed path (the panels against the rows).
        int below = Enumerable.Range(1, 64).Last(rows => !GenNet.Kernels.Dense.TakesPackedPath(rows, 784));
        float[] batched = new float[below * 10], one = new float[10];
        inference.Forward(images.AsSpan(0, below * 784), batched, below);
        for (int s = 0; s < below; s += 5)
        {
            inference.Forward(images.AsSpan(s * 784, 784), one);
            Assert.True(one.AsSpan().SequenceEqual(batched.AsSpan(s * 10, 10)), $"sample {s}: alone and in the batch of {below} differ");
        }
    }

    [Fact]
    public void Written_parameters_are_used_instead_of_the_panels()
    {
        float[] image = Images(1);
        var network = new FashionFloat32();
        float[] before = new float[10], after = new float[10];
        network.Forward(image, before);

        Span<float> parameters = network.Parameters; // from now on the float arena
        var tensor = network.ParameterTensors[0]; // dense_0.weight [128, 784]
        Span<float> weight = tensor.Slice(parameters);
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] = -weight[i];
        }

        network.Forward(image, after);
        var reference = new FashionFloat32Trainable();
        Span<float> referenceWeight = reference.ParameterTensors[0].Slice(reference.Parameters);
        for (int i = 0; i < referenceWeight.Length; i++)
        {
            referenceWeight[i] = -referenceWeight[i];
        }

        float[] expected = new float[10];
        reference.Forward(image, expected);
        Assert.Equal(expected, after);
        Assert.False(before.AsSpan().SequenceEqual(after), "negating the first layer's weights changed nothing: the stale panels were read");
    }

    [Fact]
    public void Panels_are_packed_once_per_weights_and_match_the_values()
    {
        var tensors = new FashionFloat32().ParameterTensors;
        EmbeddedWeights weights = EmbeddedWeights.Open(typeof(FashionFloat32).Assembly, "GenNet.Weights:fashion-mlp.safetensors", tensors, FashionFloat32.ParameterCount);
        ReadOnlySpan<float> first = weights.DensePanels(0, 784, 128);
        ReadOnlySpan<float> second = weights.DensePanels(0, 784, 128);
        Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(ref MemoryMarshal.GetReference(first), ref MemoryMarshal.GetReference(second)));
        var expected = new float[Kernels.Dense.PanelLength(784, 128)];
        Kernels.Dense.PackPanels(weights.Values.Slice(tensors[0].Offset, 784 * 128), expected, 784, 128);
        Assert.True(first.SequenceEqual(expected));
        Assert.True(weights.DensePanels(2, 128, 10).Length == Kernels.Dense.PanelLength(128, 10));
        Assert.Throws<ArgumentException>(() => weights.DensePanels(2, 128, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => weights.DensePanels(9, 128, 10));
    }
}
