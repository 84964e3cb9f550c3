using System;
using System.Threading.Tasks;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>Large feature maps and a large fully connected layer: its weights (5.5 MB) rule out chunks.</summary>
[Network(Training = false)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[Flatten]
[Dense(64, Activation.Softmax)]
public partial class WideHeadConvNet;

/// <summary>
/// Inference batches whose layer outputs would not fit L2 run in chunks (<see cref="NetworkBase.SamplesPerChunk"/>):
/// each chunk must give what the same samples give as a batch of their own, <c>Outputs</c> must still show the whole
/// batch, and nothing may allocate once the arena has grown.
/// </summary>
[Collection(SerialCollection.Name)] // one test counts allocations: like the other such classes, it runs after the parallel ones
public sealed class ChunkedInferenceTests
{
    private const int Batch = 67; // chunks of mnist_convnet's size and a shorter last one

    private static float[] Images(int count, int seed) => ConvNetworkTests.Images(count, seed);

    private static MnistConvNet Trained()
    {
        var network = new MnistConvNet();
        network.InitializeParameters(5);
        return network;
    }

    [Fact]
    public void Mnist_convnet_batches_are_cut_into_chunks_that_fit_l2_and_small_or_weight_heavy_networks_are_not()
    {
        var convnet = new MnistConvNet();
        int chunk = convnet.SamplesPerChunk(Batch);
        // mnist_convnet's layer outputs take 48,202 floats (193 KB) per image, so five images fill the 1 MB budget.
        Assert.Equal(NetworkBase.ChunkBytes / ((MnistConvNet.OutputSize + 48192) * sizeof(float)), chunk);
        Assert.InRange(chunk, 2, 8);
        Assert.Equal(5, chunk); // the figure the docs give
        Assert.Equal(4, convnet.SamplesPerChunk(4)); // a batch that fits runs whole
        Assert.Equal(1, convnet.SamplesPerChunk(1));

        Assert.Equal(256, new MnistMlp().SamplesPerChunk(256)); // 138 floats of outputs per sample: 256 fit
        Assert.Equal(Batch, new WideHeadConvNet().SamplesPerChunk(Batch)); // 5.5 MB of weights: read once per batch
    }

    [Fact]
    public void A_chunked_batch_gives_each_chunk_s_own_results_bit_for_bit_and_outputs_shows_the_whole_batch()
    {
        MnistConvNet network = Trained();
        float[] images = Images(Batch, 11);
        var outputs = new float[Batch * 10];
        network.Forward(images, outputs, Batch);
        Assert.Equal(outputs, network.Outputs.ToArray());

        int chunk = network.SamplesPerChunk(Batch);
        Assert.Equal(chunk, network.LastChunk); // the batch really ran in chunks (its results alone would not show it)
        MnistConvNet alone = Trained();
        for (int first = 0; first < Batch; first += chunk)
        {
            int count = Math.Min(chunk, Batch - first);
            var expected = new float[count * 10];
            alone.Forward(images.AsSpan(first * 784, count * 784), expected, count);
            Assert.Equal(expected, outputs.AsSpan(first * 10, count * 10).ToArray());
        }

        // Every sample as it would come alone, to the float32 rounding of the convolutions (whose sums do not depend on the batch here).
        for (int i = 0; i < Batch; i++)
        {
            var single = new float[10];
            alone.Forward(images.AsSpan(i * 784, 784), single);
            Assert.Equal(single, outputs.AsSpan(i * 10, 10).ToArray());
        }

        // A training step on the same instance afterwards: the arena grows and Outputs follows the step.
        int[] labels = ConvNetworkTests.Labels(Batch);
        network.ComputeGradients(images, labels, Batch);
        Assert.Equal(Batch * 10, network.Outputs.Length);
        network.Forward(images, outputs, Batch);
        Assert.Equal(outputs, network.Outputs.ToArray());
    }

    [Fact]
    public void The_inference_only_build_chunks_the_same_way_and_agrees_bit_for_bit_from_several_threads()
    {
        MnistConvNet trainable = Trained();
        var inference = new MnistConvNetInference();
        trainable.Parameters.CopyTo(inference.Parameters);
        float[] images = Images(Batch, 12);
        var expected = new float[Batch * 10];
        trainable.Forward(images, expected, Batch);

        var actual = new float[Batch * 10];
        inference.Forward(images, actual, Batch);
        Assert.Equal(expected, actual);
        Assert.Equal(expected, inference.Outputs.ToArray());
        Assert.Equal(inference.SamplesPerChunk(Batch), inference.LastChunk);
        Assert.True(inference.LastChunk < Batch, "the inference-only build ran the batch whole");

        float[][] results = new float[4][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            var mine = new float[Batch * 10];
            for (int repeat = 0; repeat < 5; repeat++)
            {
                inference.Forward(images, mine, Batch);
            }

            results[t] = mine;
        });
        Assert.All(results, result => Assert.Equal(expected, result));
    }

    [Fact]
    public void Bad_input_lengths_are_refused_before_any_chunk_runs()
    {
        MnistConvNet network = Trained();
        var outputs = new float[Batch * 10];
        Assert.Throws<ArgumentException>(() => network.Forward(new float[(Batch - 1) * 784 + 5], outputs, Batch));
        Assert.Throws<ArgumentException>(() => network.Forward(Images(Batch, 1), new float[Batch * 10 - 1], Batch));
        Assert.All(outputs, value => Assert.Equal(0f, value));
    }

    [Fact]
    public void Chunked_batches_allocate_nothing_after_warm_up()
    {
        MnistConvNet network = Trained();
        var inference = new MnistConvNetInference();
        network.Parameters.CopyTo(inference.Parameters);
        float[] images = Images(Batch, 13);
        var outputs = new float[Batch * 10];
        Assert.Equal(0, AllocationTests.Allocated(() => network.Forward(images, outputs, Batch)));
        Assert.Equal(0, AllocationTests.Allocated(() => inference.Forward(images, outputs, Batch)));
    }
}
