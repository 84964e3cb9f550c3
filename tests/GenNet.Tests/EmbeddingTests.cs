using System;
using System.Linq;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// Embedding's token ids: every id that is not a whole number in [0, vocabulary) is an exception naming the network, the
/// sample and the step, in Forward, in a training step and in the kernels themselves (with a shard's first sample), and
/// never a read or write outside the table; a network reading ids allocates nothing in its training step or inference.
/// </summary>
[Collection(SerialCollection.Name)] // one test counts allocations
public sealed class EmbeddingTests
{
    [Theory]
    [InlineData(2.5f, "2.5")]
    [InlineData(-1f, "-1")]
    [InlineData(7f, "7")]
    [InlineData(1e9f, "1E+09")]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void A_bad_token_id_is_an_exception_naming_the_sample_and_step(float id, string shown)
    {
        var network = new PyTorchEmbedding();
        network.InitializeParameters(1);
        float[] inputs = Enumerable.Range(0, 3 * 5).Select(i => (float)(i % 7)).ToArray();
        inputs[2 * 5 + 3] = id; // sample 2, step 3
        float[] outputs = new float[3 * PyTorchEmbedding.OutputSize];

        var forward = Assert.Throws<ArgumentException>(() => network.Forward(inputs, outputs, 3));
        Assert.Equal($"PyTorchEmbedding: sample 2, step 3 gives embedding the token id {shown}, which is not a whole number in [0, 7). (Parameter 'inputs')", forward.Message);
        var training = Assert.Throws<ArgumentException>(() => network.ComputeGradients(inputs, [0, 1, 0], 3));
        Assert.Equal(forward.Message, training.Message);
        var single = Assert.Throws<ArgumentException>(() => network.Forward(inputs.AsSpan(10, 5), outputs.AsSpan(0, 2)));
        Assert.Contains("sample 0, step 3", single.Message);
    }

    [Fact]
    public void The_kernel_names_the_sample_in_the_callers_batch_and_touches_no_row_outside_the_table()
    {
        float[] table = Enumerable.Range(0, 3 * 2).Select(i => (float)i).ToArray();
        float[] y = new float[2 * 4 * 2];
        float[] ids = [0, 1, 2, 1, 2, 2, 3, 0]; // sample 1, step 2 is 3: one past the table
        var forward = Assert.Throws<ArgumentException>(() =>
            Kernels.Embedding.Forward("Net", "words", ids, table, y, batchSize: 2, firstSample: 10, steps: 4, dimensions: 2, vocabulary: 3));
        Assert.StartsWith("Net: sample 11, step 2 gives words the token id 3,", forward.Message);

        float[] gradient = new float[3 * 2 + 2]; // a guard row after the table's
        Assert.Throws<ArgumentException>(() => Kernels.Embedding.Backward(ids, y, gradient.AsSpan(0, 6), batchSize: 2, steps: 4, dimensions: 2, vocabulary: 3));
        Assert.Equal([0f, 0f], gradient[6..]);

        // Good ids: the rows gathered, and the gradient scattered back with repeats added.
        ids[6] = 0;
        Kernels.Embedding.Forward("Net", "words", ids, table, y, batchSize: 2, firstSample: 0, steps: 4, dimensions: 2, vocabulary: 3);
        Assert.Equal(ids.SelectMany(id => new[] { table[(int)id * 2], table[(int)id * 2 + 1] }), y);
        float[] dy = Enumerable.Repeat(1f, y.Length).ToArray();
        Array.Clear(gradient);
        Kernels.Embedding.Backward(ids, dy, gradient.AsSpan(0, 6), batchSize: 2, steps: 4, dimensions: 2, vocabulary: 3);
        Assert.Equal([3f, 3f, 2f, 2f, 3f, 3f, 0f, 0f], gradient); // id 0 three times, 1 twice, 2 three times
    }

    [Fact]
    public void Training_and_inference_on_token_ids_allocate_nothing()
    {
        var network = new PyTorchEmbedding();
        network.InitializeParameters(2);
        const int batch = 9;
        float[] inputs = Enumerable.Range(0, batch * 5).Select(i => (float)(i * 3 % 7)).ToArray();
        int[] labels = Enumerable.Range(0, batch).Select(b => b % 2).ToArray();
        float[] outputs = new float[batch * PyTorchEmbedding.OutputSize];
        var adam = new Adam();
        Assert.Equal(0, AllocationTests.Allocated(() => network.Forward(inputs, outputs, batch)));
        Assert.Equal(0, AllocationTests.Allocated(() =>
        {
            network.ComputeGradients(inputs, labels, batch);
            adam.Step(network.Parameters, network.Gradients);
        }));
    }
}
