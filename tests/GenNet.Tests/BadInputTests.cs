using System;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>Misuse gets an exception that names the network, the argument and the numbers.</summary>
public sealed class BadInputTests
{
    private readonly MnistMlp _network = new();

    [Fact]
    public void Forward_rejects_a_sample_of_the_wrong_length()
    {
        var exception = Assert.Throws<ArgumentException>(() => _network.Forward(new float[783], new float[10]));
        Assert.Equal("input", exception.ParamName);
        Assert.Contains("MnistMlp takes 784 input floats per sample, but the input span has 783", exception.Message);

        exception = Assert.Throws<ArgumentException>(() => _network.Forward(new float[784], new float[9]));
        Assert.Equal("output", exception.ParamName);
        Assert.Contains("10 output floats", exception.Message);
    }

    [Fact]
    public void Batch_calls_reject_mismatched_lengths()
    {
        var exception = Assert.Throws<ArgumentException>(() => _network.Forward(new float[784 * 3], new float[30], batchSize: 2));
        Assert.Contains("batchSize × InputSize = 2 × 784 = 1568", exception.Message);
        Assert.Contains("has 2352", exception.Message);

        exception = Assert.Throws<ArgumentException>(() => _network.Forward(new float[784 * 2], new float[10], batchSize: 2));
        Assert.Equal("outputs", exception.ParamName);

        exception = Assert.Throws<ArgumentException>(() => _network.ComputeGradients(new float[784 * 2], new float[10], batchSize: 2));
        Assert.Equal("targets", exception.ParamName);
        Assert.Contains("2 × 10 = 20", exception.Message);

        exception = Assert.Throws<ArgumentException>(() => _network.ComputeGradients(new float[784 * 2], new int[3], batchSize: 2));
        Assert.Equal("labels", exception.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Batch_size_must_be_positive(int batchSize)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => _network.ComputeGradients(ReadOnlySpan<float>.Empty, ReadOnlySpan<int>.Empty, batchSize));
        Assert.Equal("batchSize", exception.ParamName);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(-1)]
    public void Labels_must_name_a_class(int label)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => _network.ComputeGradients(new float[784 * 2], [3, label], batchSize: 2));
        Assert.Contains($"label {label} of sample 1 is outside [0, 9]", exception.Message);
    }

    [Fact]
    public void A_single_sigmoid_output_takes_binary_labels()
    {
        var network = new BinaryLabels();
        network.InitializeParameters(1);
        float loss = network.ComputeGradients(new float[10], [0, 1], batchSize: 2);
        Assert.True(loss > 0);
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => network.ComputeGradients(new float[10], [0, 2], batchSize: 2));
        Assert.Contains("outside [0, 1]", exception.Message);
    }

    [Fact]
    public void A_rejected_training_step_leaves_the_last_steps_gradients_and_outputs()
    {
        // ComputeGradients never writes Parameters; what a late check would lose is the last step's Gradients and the
        // Outputs it left in the scratch arena, so those are compared, after a step on other inputs and batch size.
        _network.InitializeParameters(4);
        float[] images = new float[784 * 2];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = i % 13 / 13f;
        }

        _network.ComputeGradients(images, [3, 7], batchSize: 2);
        float[] gradients = _network.Gradients.ToArray();
        float[] outputs = _network.Outputs.ToArray();
        Assert.Contains(gradients, g => g != 0f);

        float[] other = new float[784];
        Array.Fill(other, 0.5f);
        Assert.Throws<ArgumentOutOfRangeException>(() => _network.ComputeGradients(other, [11], batchSize: 1));
        Assert.Throws<ArgumentException>(() => _network.ComputeGradients(other, new float[9], batchSize: 1));
        Assert.Throws<ArgumentException>(() => _network.ComputeGradients(other, [1, 2], batchSize: 1));
        Assert.Equal(gradients, _network.Gradients.ToArray());
        Assert.Equal(outputs, _network.Outputs.ToArray());
    }
}
