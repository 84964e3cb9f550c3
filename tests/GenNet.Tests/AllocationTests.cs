using System;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>After warm-up, inference, training steps and optimizer steps allocate nothing.</summary>
[Collection(SerialCollection.Name)]
public sealed class AllocationTests
{
    internal static long Allocated(Action action)
    {
        // Warm-up: JIT, tiering, the scratch arena, optimizer state, and a trainable network's Dense panels, packed (once)
        // when its weights have served PackAfterCalls calls unchanged.
        for (int i = 0; i < NetworkBase.PackAfterCalls + 1; i++)
        {
            action();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            action();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Mnist_mlp_forward_and_training_step_allocate_nothing()
    {
        var network = new MnistMlp();
        network.InitializeParameters(1);
        const int batch = 32;
        float[] images = new float[batch * MnistMlp.InputSize];
        new Random(1).NextBytes(new byte[1]);
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = i % 255 / 255f;
        }

        int[] labels = new int[batch];
        float[] targets = new float[batch * MnistMlp.OutputSize];
        for (int b = 0; b < batch; b++)
        {
            labels[b] = b % 10;
            targets[b * 10 + b % 10] = 1;
        }

        float[] probabilities = new float[batch * MnistMlp.OutputSize];
        var adam = new Adam();

        Assert.Equal(0, Allocated(() => network.Forward(images.AsSpan(0, MnistMlp.InputSize), probabilities.AsSpan(0, MnistMlp.OutputSize))));
        Assert.Equal(0, Allocated(() => network.Forward(images, probabilities, batch)));
        Assert.Equal(0, Allocated(() => network.ComputeGradients(images, labels, batch)));
        Assert.Equal(0, Allocated(() => network.ComputeGradients(images, targets, batch)));
        Assert.Equal(0, Allocated(() => adam.Step(network.Parameters, network.Gradients)));
    }

    [Fact]
    public void Depthwise_and_separable_forward_and_training_step_allocate_nothing()
    {
        // Multipliers 1 and 2 (the lanes read one by one use stack memory only), the reordered kernels' refresh, Adam.
        var network = new PyTorchDepthwise();
        network.InitializeParameters(3);
        const int batch = 7;
        float[] images = new float[batch * PyTorchDepthwise.InputSize];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = i % 17 / 17f - 0.5f;
        }

        int[] labels = [0, 1, 2, 3, 0, 1, 2];
        float[] outputs = new float[batch * PyTorchDepthwise.OutputSize];
        var adam = new Adam();

        Assert.Equal(0, Allocated(() => network.Forward(images.AsSpan(0, PyTorchDepthwise.InputSize), outputs.AsSpan(0, PyTorchDepthwise.OutputSize))));
        Assert.Equal(0, Allocated(() => network.Forward(images, outputs, batch)));
        Assert.Equal(0, Allocated(() =>
        {
            network.ComputeGradients(images, labels, batch);
            adam.Step(network.Parameters, network.Gradients); // the weights change, so each step reorders the depthwise kernels
        }));
    }

    [Fact]
    public void Smaller_batches_reuse_the_arena()
    {
        var network = new Mixed();
        network.InitializeParameters(2);
        float[] inputs = new float[16 * Mixed.InputSize];
        float[] targets = new float[16 * Mixed.OutputSize];
        network.ComputeGradients(inputs, targets, 16); // sizes the arena for 16

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int batch = 1; batch <= 16; batch++)
        {
            network.ComputeGradients(inputs.AsSpan(0, batch * Mixed.InputSize), targets.AsSpan(0, batch * Mixed.OutputSize), batch);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
