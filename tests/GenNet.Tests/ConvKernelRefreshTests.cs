using System;
using System.IO;
using System.Linq;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// The weight copies that mnist_convnet's convolutions read (conv_0's tap-major kernel for the direct convolution, conv_1's
/// Winograd transform and its channels-last reordering for the backward pass) against every way the weights change.
/// </summary>
public sealed class ConvKernelRefreshTests
{
    private static float[] Images(int count, int seed) => ConvNetworkTests.Images(count, seed);

    private static int[] Labels(int count) => ConvNetworkTests.Labels(count);

    [Fact]
    public void Convolutions_see_every_change_of_their_weights_through_steps_parameter_writes_and_load()
    {
        // conv_0 runs directly from a tap-major copy of its weight and conv_1 through Winograd's transform of it; both
        // copies must follow the parameters however they change, and the inference-only build must agree bit for bit.
        var network = new MnistConvNet();
        network.InitializeParameters(3);
        var inference = new MnistConvNetInference();
        float[] images = Images(3, 2);
        float[] actual = new float[30], expected = new float[30];

        void AgreesWithAFreshInferenceBuild()
        {
            network.Forward(images, actual, 3);
            var fresh = new MnistConvNetInference();
            network.Parameters.CopyTo(fresh.Parameters);
            fresh.Forward(images, expected, 3);
            Assert.Equal(expected, actual);
            network.Parameters.CopyTo(inference.Parameters); // the same inference instance, its weights overwritten in place
            inference.Forward(images, expected, 3);
            Assert.Equal(expected, actual);
        }

        AgreesWithAFreshInferenceBuild();
        float[] before = actual.ToArray();

        // An optimizer step.
        var adam = new Adam();
        network.ComputeGradients(images, Labels(3), 3);
        adam.Step(network.Parameters, network.Gradients);
        AgreesWithAFreshInferenceBuild();
        Assert.NotEqual(before, actual);

        // A single weight of each convolution written through the Parameters span.
        before = actual.ToArray();
        network.Parameters[0] += 0.25f; // conv_0.weight[0, 0, 0, 0]
        network.Parameters[32 * 9 + 32 + 5] -= 0.5f; // conv_1.weight[0, 0, 1, 2]
        AgreesWithAFreshInferenceBuild();
        Assert.NotEqual(before, actual);

        // Load.
        var other = new MnistConvNet();
        other.InitializeParameters(4);
        var file = new MemoryStream();
        other.Save(file);
        network.Load(new MemoryStream(file.ToArray()));
        AgreesWithAFreshInferenceBuild();
        other.Forward(images, expected, 3);
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// The trained convnet compiled in, inference only: its copies are made once from the compiled-in weights and not
    /// compared again, but once Parameters is asked for, a write through it reaches them (conv_0's tap-major copy, conv_1's
    /// Winograd transform in float; the reordered float copies the int8 build reads from then on), bit for bit as a fresh
    /// instance given the same parameters.
    /// </summary>
    [Theory]
    [InlineData("Float32")]
    [InlineData("Int8")]
    public void A_compiled_in_convnet_sees_writes_through_Parameters_after_its_first_call(string precision)
    {
        NetworkBase Create() => precision == "Int8" ? new FashionConvInt8() : new FashionConvFloat32();
        NetworkBase network = Create();
        float[] images = Images(3, 5);
        float[] first = new float[30], again = new float[30], actual = new float[30], expected = new float[30];
        network.Forward(images, first, 3);
        network.Forward(images, again, 3); // no compare now: the same copies
        Assert.Equal(first, again);

        Span<float> parameters = network.Parameters;
        parameters[0] += 0.25f; // conv_0.weight[0, 0, 0, 0]
        parameters[32 * 9 + 32 + 5] -= 0.5f; // conv_1.weight[0, 0, 1, 2]
        network.Forward(images, actual, 3);
        Assert.NotEqual(again, actual);

        NetworkBase fresh = Create();
        network.Parameters.CopyTo(fresh.Parameters);
        fresh.Forward(images, expected, 3);
        Assert.Equal(expected, actual);

        // And a second write after the copies were remade from the first.
        network.Parameters[32 * 9 + 32 + 6] += 0.125f;
        network.Forward(images, actual, 3);
        network.Parameters.CopyTo(fresh.Parameters);
        fresh.Forward(images, expected, 3);
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// The record each copy is compared against holds the weight it was made from, not room for the copy: mnist_convnet's
    /// conv_0 (32·9) and conv_1 (64·288) weights, 18,720 floats, where its copies (tap-major, Winograd's 36·32·64 and, in
    /// training, channels-last) take 92,448 and 74,016.
    /// </summary>
    [Theory]
    [InlineData("MnistConvNet", 92448)]
    [InlineData("MnistConvNetInference", 74016)]
    [InlineData("FashionConvFloat32", 74016)]
    public void The_weights_a_convnet_compares_are_the_size_of_its_weights(string name, int kernels)
    {
        INetwork network = name switch
        {
            "MnistConvNet" => new MnistConvNet(),
            "MnistConvNetInference" => new MnistConvNetInference(),
            _ => new FashionConvFloat32(),
        };
        const System.Reflection.BindingFlags Private = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;
        float[] Field(string field) => (float[])network.GetType().GetField(field, Private)!.GetValue(network)!;
        Assert.Equal(kernels, Field("_kernels").Length);
        Assert.Equal(32 * 9 + 64 * 288, Field("_kernelSources").Length);
    }
}

/// <summary>
/// While a network's parameters are written only by the library (its arena not handed out by <c>Parameters</c>), the
/// convolutions' weight copies are refreshed by version, without comparing the weights on every call
/// (<see cref="NetworkBase.RefreshKernelsIfStale"/>); every library write makes them stale.
/// </summary>
public sealed class KernelVersionTests
{
    [Fact]
    public void The_copies_follow_every_library_write_and_are_not_compared_in_between()
    {
        var network = new MnistConvNet();
        network.InitializeParameters(3);
        float[] images = ConvNetworkTests.Images(3, 2);
        int[] labels = ConvNetworkTests.Labels(3);
        float[] actual = new float[30], expected = new float[30];

        // A twin holding the same weights whose arena is handed out: it compares its weights before every call.
        void AgreesWithAComparingTwin(string when)
        {
            network.Forward(images, actual, 3);
            Assert.True(network.KernelsCurrent, $"{when}: the copies are not recorded as current");
            var twin = new MnistConvNet();
            network.ParameterValues.CopyTo(twin.Parameters);
            twin.Forward(images, expected, 3);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{when}: the network and a twin that compares differ");
        }

        Assert.False(network.KernelsCurrent, "current before any call");
        AgreesWithAComparingTwin("the first call");

        // Proof that nothing is compared between the library's writes: a write behind its back (the arena itself, no new
        // version) does not reach the convolutions' copies. Undone afterwards, bit for bit.
        float[] before = actual.ToArray();
        Span<float> arena = network.ParameterArena;
        (float conv0, float conv1) = (arena[0], arena[32 * 9 + 37]);
        arena[0] += 0.25f;
        arena[32 * 9 + 37] -= 0.5f;
        network.Forward(images, actual, 3);
        Assert.Equal(before, actual);
        (arena[0], arena[32 * 9 + 37]) = (conv0, conv1);

        network.Fit(Dataset.Create(ConvNetworkTests.Images(32, 4), ConvNetworkTests.Labels(32), 28, 28, 1), new Adam(), epochs: 1, batchSize: 16, verbosity: Verbosity.Silent);
        Assert.False(network.KernelsCurrent, "Fit's last step left the copies current");
        AgreesWithAComparingTwin("after Fit");

        var adam = new Adam();
        network.ComputeGradients(images, labels, 3);
        adam.Step(network);
        Assert.False(network.KernelsCurrent, "Optimizer.Step(network) left the copies current");
        AgreesWithAComparingTwin("after Optimizer.Step(network)");

        var other = new MnistConvNet();
        other.InitializeParameters(11);
        TrainablePanelsTests.LoadFrom(network, other);
        Assert.False(network.KernelsCurrent, "Load left the copies current");
        AgreesWithAComparingTwin("after Load");

        network.InitializeParameters(12);
        Assert.False(network.KernelsCurrent, "InitializeParameters left the copies current");
        AgreesWithAComparingTwin("after InitializeParameters");

        // Handed out: from now on every call compares, and a write through the span is seen.
        Span<float> handedOut = network.Parameters;
        Assert.False(network.KernelsCurrent);
        before = actual.ToArray();
        handedOut[32 * 9 + 37] -= 0.5f;
        network.Forward(images, actual, 3);
        Assert.NotEqual(before, actual);
    }

    [Fact]
    public void The_inference_only_build_refreshes_by_version_too()
    {
        var inference = new MnistConvNetInference();
        float[] images = ConvNetworkTests.Images(2, 5);
        var y = new float[20];
        inference.Forward(images, y, 2);
        Assert.True(inference.KernelsCurrent);

        // Not compared between the library's writes: a write behind its back is not seen.
        float[] before = y.ToArray();
        Span<float> arena = inference.ParameterArena;
        float original = arena[32 * 9 + 37];
        arena[32 * 9 + 37] -= 0.5f;
        inference.Forward(images, y, 2);
        Assert.Equal(before, y);
        arena[32 * 9 + 37] = original;

        var trained = new MnistConvNet();
        trained.InitializeParameters(13);
        TrainablePanelsTests.LoadFrom(inference, trained);
        Assert.False(inference.KernelsCurrent, "Load left an inference-only network's copies current");
        inference.Forward(images, y, 2);
        var expected = new float[20];
        trained.Forward(images, expected, 2);
        Assert.Equal(expected, y);
    }

    [Fact]
    public void A_network_with_buffers_compares_its_copies_on_every_call()
    {
        // Folded BatchNorms make the copies from the running statistics too, which Buffers hands out with no version:
        // a write to them must reach the next call.
        var network = new FoldedBatchNormNet();
        network.InitializeParameters(2);
        var x = Enumerable.Range(0, FoldedBatchNormNet.InputSize).Select(i => MathF.Cos(i)).ToArray();
        float[] before = new float[FoldedBatchNormNet.OutputSize], after = new float[FoldedBatchNormNet.OutputSize];
        network.Forward(x, before);
        network.Forward(x, before);
        Assert.False(network.KernelsCurrent);
        network.BufferTensors.Single(t => t.Name == "stem.bn.running_var").Slice(network.Buffers)[1] = 9f;
        network.Forward(x, after);
        Assert.NotEqual(before, after);
    }
}
