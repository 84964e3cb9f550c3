using System;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

[Network]
[Input(2, 3)]
[Flatten]
public partial class FlattenOnly;

public sealed class OutputsTests
{
    [Fact]
    public void Outputs_after_a_training_step_are_the_forward_outputs_of_that_batch()
    {
        NetworkCase c = NetworkCases.Get("Mixed");
        ITrainableNetwork network = NumericChecks.Prepare(c);
        CheckBatch batch = NumericChecks.MakeBatch(c, 5);
        var expected = new float[5 * network.OutputSize];
        network.Forward(batch.Inputs, expected, 5);

        network.ComputeGradients(batch.Inputs, batch.Targets, 5);
        Assert.Equal(expected, network.Outputs.ToArray());

        network.Forward(batch.Inputs.AsSpan(0, network.InputSize), new float[network.OutputSize]);
        Assert.Equal(expected.AsSpan(0, network.OutputSize).ToArray(), network.Outputs.ToArray());
    }

    [Fact]
    public void A_network_of_only_flatten_passes_its_input_through()
    {
        var network = new FlattenOnly();
        Assert.Equal(0, FlattenOnly.ParameterCount);
        Assert.Equal(Loss.MeanSquaredError, network.Loss);
        float[] input = [1, 2, 3, 4, 5, 6];
        var output = new float[6];
        network.Forward(input, output);
        Assert.Equal(input, output);
        Assert.Equal(input, network.Outputs.ToArray());
        float loss = network.ComputeGradients(input, new float[] { 1, 2, 3, 4, 5, 8 }, batchSize: 1);
        Assert.Equal(4f / 6, loss, 6);
    }

    [Fact]
    public void Summary_lists_every_layer_with_its_shape_and_parameters()
    {
        ITrainableNetwork network = new MnistMlp();
        Assert.Equal(MnistMlp.Summary, network.Summary);
        Assert.Contains("flatten (Flatten)   [784]                0", network.Summary);
        Assert.Contains("dense_0 (Dense)     [128]          100,480   ReLU", network.Summary);
        Assert.Contains("Total params: 101,770 (397.54 KB)", network.Summary);
    }
}
