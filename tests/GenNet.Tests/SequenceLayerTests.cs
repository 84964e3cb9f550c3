using System;
using System.Linq;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>SequenceSeventeen's layers, inference only: the same forward pass without argmax or backward methods.</summary>
[Network(Training = false)]
[Input(7, 17)]
[Conv1D(17, 3, Activation.Tanh, Padding = Padding.Same)]
[MaxPool1D(3, Stride = 2, Padding = Padding.Same)]
[AveragePool1D(3, Padding = Padding.Same)]
[GlobalMaxPooling1D]
[Dense(1, Activation.Sigmoid)]
public partial class SequenceSeventeenInference;

/// <summary>The 1-D layers in use: no allocation after warm-up, training and inference forms agreeing, and their summary.</summary>
[Collection(SerialCollection.Name)] // counts allocations of training steps, which a contended worker-pool wait can make
public sealed class SequenceLayerTests
{
    [Fact]
    public void Training_steps_and_forward_allocate_nothing()
    {
        var network = new SequenceStridedSame();
        network.InitializeParameters(1);
        const int batch = 9;
        float[] inputs = Enumerable.Range(0, batch * SequenceStridedSame.InputSize).Select(i => MathF.Sin(i)).ToArray();
        float[] targets = new float[batch * SequenceStridedSame.OutputSize], outputs = new float[targets.Length];
        var adam = new Adam();
        var inference = new SequenceSeventeenInference();
        float[] sequence = new float[SequenceSeventeenInference.InputSize];
        float[] probability = new float[1];

        long allocated = Allocated(() =>
        {
            network.ComputeGradients(inputs, targets, batch);
            adam.Step(network.Parameters, network.Gradients);
            network.Forward(inputs, outputs, batch);
            network.Forward(inputs.AsSpan(0, SequenceStridedSame.InputSize), outputs.AsSpan(0, SequenceStridedSame.OutputSize));
            inference.Forward(sequence, probability);
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void An_inference_only_network_computes_what_the_trainable_one_does()
    {
        var trainable = new SequenceSeventeen();
        trainable.InitializeParameters(5);
        var inference = new SequenceSeventeenInference();
        trainable.Parameters.CopyTo(inference.Parameters);
        float[] inputs = Enumerable.Range(0, 3 * SequenceSeventeen.InputSize).Select(i => MathF.Cos(0.37f * i)).ToArray();
        float[] expected = new float[3], actual = new float[3];
        trainable.Forward(inputs, expected, 3);
        inference.Forward(inputs, actual, 3);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Layers_take_kerass_names_and_pytorchs_layouts()
    {
        Assert.Equal(
            ["conv1d.weight [17, 17, 3] at 0", "conv1d.bias [17] at 867", "dense_0.weight [1, 17] at 884", "dense_0.bias [1] at 901"],
            new SequenceSeventeen().ParameterTensors.Select(t => t.ToString()));
        Assert.Matches(@"conv1d \(Conv1D\) +\[7, 17\] +884 +Tanh", SequenceSeventeen.Summary);
        Assert.Matches(@"max_pooling1d \(MaxPool1D\) +\[4, 17\]", SequenceSeventeen.Summary);
        Assert.Matches(@"average_pooling1d \(AveragePool1D\) +\[2, 17\]", SequenceSeventeen.Summary);
        Assert.Matches(@"global_max_pooling1d \(GlobalMaxPooling1D\) +\[17\]", SequenceSeventeen.Summary);
        // A named Conv1D ("wide") still counts: the next unnamed one is conv1d_1.
        Assert.Contains("conv1d_1.weight [2, 3, 1] at 20", new SequenceBranches().ParameterTensors.Select(t => t.ToString()));
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
