using System;
using System.Linq;
using GenNet.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>Keras's mnist_convnet as the tests compile it.</summary>
[Network]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class MnistConvNet;

/// <summary>The same layers, inference only.</summary>
[Network(Training = false)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class MnistConvNetInference;

/// <summary>
/// What the gradient checks do not cover for convolutional networks: the summary, dropout's training-only behaviour and
/// its reproducibility, thread-count independence, and allocation.
/// </summary>
[Collection(SerialCollection.Name)] // counts allocations of training steps, which a contended worker-pool wait can make
public sealed class ConvNetworkTests(ITestOutputHelper output)
{
    /// <summary>Random 28 × 28 images in [0, 1), the same for the same seed (also for the other mnist_convnet test classes).</summary>
    internal static float[] Images(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count * 784).Select(_ => (float)random.NextDouble()).ToArray();
    }

    /// <summary>Labels cycling through the ten classes.</summary>
    internal static int[] Labels(int count) => Enumerable.Range(0, count).Select(i => i * 7 % 10).ToArray();

    [Fact]
    public void Summary_lists_every_layer_with_its_output_shape_and_parameters_as_keras_does()
    {
        output.WriteLine(MnistConvNet.Summary);
        string[] lines = MnistConvNet.Summary.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("conv_0 (Conv2D)", StringComparison.Ordinal) && l.Contains("[26, 26, 32]") && l.Contains(" 320 ") && l.EndsWith("ReLU", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("max_pool_0 (MaxPool2D)", StringComparison.Ordinal) && l.Contains("[13, 13, 32]"));
        Assert.Contains(lines, l => l.StartsWith("conv_1 (Conv2D)", StringComparison.Ordinal) && l.Contains("[11, 11, 64]") && l.Contains("18,496"));
        Assert.Contains(lines, l => l.StartsWith("max_pool_1 (MaxPool2D)", StringComparison.Ordinal) && l.Contains("[5, 5, 64]"));
        Assert.Contains(lines, l => l.StartsWith("flatten (Flatten)", StringComparison.Ordinal) && l.Contains("[1600]"));
        Assert.Contains(lines, l => l.StartsWith("dropout_0 (Dropout)", StringComparison.Ordinal) && l.Contains("[1600]"));
        Assert.Contains(lines, l => l.StartsWith("dense_0 (Dense)", StringComparison.Ordinal) && l.Contains("[10]") && l.Contains("16,010"));
        Assert.Contains("Total params: 34,826", MnistConvNet.Summary); // Keras's model.summary() for mnist_convnet says 34,826
        Assert.Equal(34_826, MnistConvNet.ParameterCount);
        Assert.Equal(
            ["conv_0.weight [32, 1, 3, 3] at 0", "conv_0.bias [32] at 288", "conv_1.weight [64, 32, 3, 3] at 320", "conv_1.bias [64] at 18752",
             "dense_0.weight [10, 1600] at 18816", "dense_0.bias [10] at 34816"],
            new MnistConvNet().ParameterTensors.Select(t => t.ToString()));
    }

    [Fact]
    public void Dropout_acts_only_in_training_steps()
    {
        var network = new MnistConvNet();
        network.InitializeParameters(5);
        var inference = new MnistConvNetInference();
        network.Parameters.CopyTo(inference.Parameters);
        float[] images = Images(3, 1);

        // Forward ignores dropout: it agrees with the inference-only build of the same layers, bit for bit, every time.
        float[] first = new float[30], second = new float[30], reference = new float[30];
        network.Forward(images, first, 3);
        network.Forward(images, second, 3);
        inference.Forward(images, reference, 3);
        Assert.Equal(reference, first);
        Assert.Equal(first, second);

        // A training step drops: its outputs differ from Forward's, and from the next step's (new masks).
        network.ComputeGradients(images, Labels(3), 3);
        float[] trained = network.Outputs.ToArray();
        network.ComputeGradients(images, Labels(3), 3);
        Assert.NotEqual(first, trained);
        Assert.NotEqual(trained, network.Outputs.ToArray());
    }

    [Fact]
    public void Dropout_masks_are_reproducible_from_the_seed_and_independent_of_the_thread_count()
    {
        float[] images = Images(70, 2);
        int[] labels = Labels(70);
        (float Loss, float[] Outputs) Run(int seed, int threads)
        {
            var network = new MnistConvNet { Threads = threads };
            network.InitializeParameters(seed);
            network.ComputeGradients(images, labels, 70); // step 0
            float loss = network.ComputeGradients(images, labels, 70); // step 1
            Shards.AssertRan(threads, Shards.Of(network), $"MnistConvNet, batch 70, Threads = {threads}");
            return (loss, network.Outputs.ToArray());
        }

        (float loss, float[] outputs) = Run(seed: 9, threads: 1);
        Assert.Equal(outputs, Run(seed: 9, threads: 1).Outputs);
        Assert.NotEqual(outputs, Run(seed: 10, threads: 1).Outputs);

        // Two shards draw the same masks (they follow the sample's place in the batch), so the outputs agree up to the
        // summation order of the products.
        (float twoLoss, float[] twoOutputs) = Run(seed: 9, threads: 2);
        Assert.Equal(loss, twoLoss, 4);
        for (int i = 0; i < outputs.Length; i++)
        {
            Assert.True(Math.Abs(outputs[i] - twoOutputs[i]) <= 1e-5f, $"output {i}: one thread {outputs[i]}, two {twoOutputs[i]}");
        }
    }

    [Fact]
    public void Dropout_zeroes_about_its_rate_and_scales_the_rest()
    {
        const float rate = 0.3f;
        var mask = new float[100_000];
        Kernels.Dropout.Mask(seed: 1, step: 0, layer: 0, sample: 0, rate, mask);
        int zeros = mask.Count(v => v == 0f);
        Assert.All(mask, v => Assert.True(v == 0f || v == 1f / (1f - rate)));
        Assert.InRange(zeros, 29_400, 30_600); // 30 % ± 4 standard deviations

        var other = new float[100];
        var same = new float[100];
        Kernels.Dropout.Mask(1, 0, 0, 0, rate, same);
        Kernels.Dropout.Mask(1, 0, 0, 1, rate, other);
        Assert.Equal(mask.AsSpan(0, 100).ToArray(), same);
        Assert.NotEqual(same, other); // the next sample draws its own mask
    }

    [Fact]
    public void Forward_and_training_steps_allocate_nothing()
    {
        var network = new MnistConvNet();
        network.InitializeParameters(1);
        const int batch = 16;
        float[] images = Images(batch, 3);
        int[] labels = Labels(batch);
        float[] probabilities = new float[batch * 10];
        var adam = new Adam();
        var inference = new MnistConvNetInference();

        Assert.Equal(0, Allocated(() => network.Forward(images.AsSpan(0, 784), probabilities.AsSpan(0, 10))));
        Assert.Equal(0, Allocated(() => network.Forward(images, probabilities, batch)));
        Assert.Equal(0, Allocated(() => inference.Forward(images.AsSpan(0, 784), probabilities.AsSpan(0, 10))));
        Assert.Equal(0, Allocated(() => network.ComputeGradients(images, labels, batch)));
        Assert.Equal(0, Allocated(() => adam.Step(network.Parameters, network.Gradients)));
    }

    private static long Allocated(Action action)
    {
        action();
        action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            action();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
