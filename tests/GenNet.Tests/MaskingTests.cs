using System;
using System.Linq;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// Padding under <c>Embedding(MaskZero = true)</c>: a sequence padded with id 0 (before, after, or both) up to a longer
/// declaration gives the outputs and the parameter gradients that the same sequence gives in the network declared at its
/// own length; a fully padded sample leaves the recurrent state at zero and sends no gradient to the embedding or the
/// recurrent layers; a sequence output is zero at padded steps; the masked steps allocate nothing.
/// </summary>
[Collection(SerialCollection.Name)] // counts allocations
public sealed class MaskingTests
{
    public enum Placement
    {
        After,
        Before,
        Around,
    }

    /// <summary>The stacked pairs (a sequence into a second recurrent layer, the mask passed on) by kind and declared steps.</summary>
    private static ITrainableNetwork Create(string kind, int steps) => (kind, steps) switch
    {
        ("LSTM", 7) => new PaddedLstm7(),
        ("LSTM", 2) => new PaddedLstm2(),
        ("LSTM", 1) => new PaddedLstm1(),
        ("GRU", 7) => new PaddedGru7(),
        ("GRU", 2) => new PaddedGru2(),
        ("GRU", 1) => new PaddedGru1(),
        ("SimpleRNN", 7) => new PaddedRnn7(),
        ("SimpleRNN", 2) => new PaddedRnn2(),
        ("SimpleRNN", 1) => new PaddedRnn1(),
        _ => throw new ArgumentException($"{kind} at {steps} steps"),
    };

    public static TheoryData<string, int, int, Placement> Pairs()
    {
        var data = new TheoryData<string, int, int, Placement>();
        foreach (string kind in new[] { "LSTM", "GRU", "SimpleRNN" })
        {
            foreach ((int declared, int length) in new[] { (7, 1), (7, 2), (2, 1), (7, 7), (2, 2), (1, 1) })
            {
                foreach (Placement placement in Enum.GetValues<Placement>())
                {
                    if (declared > length || placement == Placement.After)
                    {
                        data.Add(kind, declared, length, placement);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void A_padded_sequence_gives_the_outputs_and_gradients_of_the_unpadded_one(string kind, int declared, int length, Placement placement)
    {
        const int batch = 5;
        ITrainableNetwork padded = Create(kind, declared), alone = Create(kind, length);
        padded.InitializeParameters(3);
        padded.Parameters.CopyTo(alone.Parameters);
        var random = new Random(declared * 31 + length);
        float[] ids = Enumerable.Range(0, batch * length).Select(_ => (float)random.Next(1, 5)).ToArray(); // real tokens: 1 … 4
        float[] paddedIds = Pad(ids, batch, length, declared, placement);
        float[] targets = Enumerable.Range(0, batch).Select(i => MathF.Sin(i + 1)).ToArray();

        float[] expected = new float[batch], actual = new float[batch];
        alone.Forward(ids, expected, batch);
        padded.Forward(paddedIds, actual, batch);
        AssertClose(expected, actual, "outputs");
        float[] single = new float[1];
        padded.Forward(paddedIds.AsSpan(0, declared), single);
        AssertClose([expected[0]], single, "one sample's output");

        float expectedLoss = alone.ComputeGradients(ids, targets, batch);
        float actualLoss = padded.ComputeGradients(paddedIds, targets, batch);
        Assert.Equal(expectedLoss, actualLoss, 6);
        AssertClose(alone.Gradients.ToArray(), padded.Gradients.ToArray(), "gradients");
    }

    [Theory]
    [InlineData("LSTM", 7)]
    [InlineData("GRU", 7)]
    [InlineData("SimpleRNN", 7)]
    [InlineData("LSTM", 1)]
    [InlineData("GRU", 2)]
    [InlineData("SimpleRNN", 1)]
    public void A_fully_padded_sample_keeps_the_zero_state_and_sends_no_gradient_back(string kind, int steps)
    {
        ITrainableNetwork network = Create(kind, steps);
        network.InitializeParameters(11);
        ParameterTensor denseBias = network.ParameterTensors.Single(t => t.Name == "dense_0.bias");
        float[] output = new float[1];
        network.Forward(new float[steps], output);
        Assert.Equal(network.Parameters[denseBias.Offset], output[0]); // Dense over a zero state: its bias

        network.ComputeGradients(new float[steps], [0.5f], 1);
        foreach (ParameterTensor tensor in network.ParameterTensors.Where(t => !t.Name.StartsWith("dense_0", StringComparison.Ordinal)))
        {
            Assert.True(network.Gradients.Slice(tensor.Offset, tensor.Length).ToArray().All(g => g == 0), $"{tensor.Name} has a gradient from padding alone");
        }

        // Beside a real sample, it changes nothing but the batch's mean: the recurrent gradients halve.
        float[] real = Enumerable.Range(0, steps).Select(t => (float)(1 + t % 4)).ToArray();
        network.ComputeGradients(real, [0.5f], 1);
        float[] alone = network.Gradients.ToArray();
        network.ComputeGradients([.. real, .. new float[steps]], [0.5f, 0.5f], 2);
        foreach (ParameterTensor tensor in network.ParameterTensors.Where(t => !t.Name.StartsWith("dense_0", StringComparison.Ordinal)))
        {
            AssertClose(alone.AsSpan(tensor.Offset, tensor.Length).ToArray().Select(g => g / 2).ToArray(), network.Gradients.Slice(tensor.Offset, tensor.Length).ToArray(), tensor.Name);
        }
    }

    [Fact]
    public void A_sequence_output_is_zero_at_padded_steps_and_the_unpadded_ones_at_real_steps()
    {
        var padded = new PaddedLstmSequence7();
        var alone = new PaddedLstmSequence2();
        padded.InitializeParameters(5);
        padded.Parameters.CopyTo(alone.Parameters);
        float[] ids = [3, 1, 2, 4];
        float[] paddedIds = [0, 3, 0, 0, 1, 0, 0, /**/ 2, 0, 0, 0, 0, 0, 4];
        float[] expected = new float[2 * 2 * 3], actual = new float[2 * 7 * 3];
        alone.Forward(ids, expected, 2);
        padded.Forward(paddedIds, actual, 2);
        int[][] realSteps = [[1, 4], [0, 6]];
        for (int b = 0; b < 2; b++)
        {
            for (int t = 0; t < 7; t++)
            {
                int at = Array.IndexOf(realSteps[b], t);
                float[] row = actual.AsSpan((b * 7 + t) * 3, 3).ToArray();
                AssertClose(at >= 0 ? expected.AsSpan((b * 2 + at) * 3, 3).ToArray() : new float[3], row, $"sample {b}, step {t}");
            }
        }
    }

    [Fact]
    public void Masked_training_steps_and_forward_allocate_nothing()
    {
        var network = new MaskedGruSeventeen();
        network.InitializeParameters(1);
        const int batch = 9;
        float[] inputs = Enumerable.Range(0, batch * MaskedGruSeventeen.InputSize).Select(i => (float)(i * 7 % 3)).ToArray();
        float[] targets = new float[batch], outputs = new float[batch];
        var sequence = new PaddedLstm7();
        sequence.InitializeParameters(2);
        float[] sequenceInputs = Enumerable.Range(0, batch * 7).Select(i => (float)(i % 5)).ToArray();
        var floats = new MaskedFloats();
        floats.InitializeParameters(3);
        float[] floatInputs = Enumerable.Range(0, batch * MaskedFloats.InputSize).Select(i => i % 7 < 3 ? 0f : MathF.Sin(i)).ToArray();
        float[] floatTargets = new float[batch * MaskedFloats.OutputSize], floatOutputs = new float[floatTargets.Length];
        var adam = new Adam();
        long allocated = AllocationTests.Allocated(() =>
        {
            floats.ComputeGradients(floatInputs, floatTargets, batch);
            floats.Forward(floatInputs, floatOutputs, batch);
            network.ComputeGradients(inputs, targets, batch);
            adam.Step(network.Parameters, network.Gradients);
            network.Forward(inputs, outputs, batch);
            network.Forward(inputs.AsSpan(0, MaskedGruSeventeen.InputSize), outputs.AsSpan(0, 1));
            sequence.ComputeGradients(sequenceInputs, targets, batch);
            sequence.Forward(sequenceInputs, outputs, batch);
        });
        Assert.Equal(0, allocated);
    }

    /// <summary>Each sample's <paramref name="length"/> ids placed among <paramref name="declared"/> − length zeros.</summary>
    private static float[] Pad(float[] ids, int batch, int length, int declared, Placement placement)
    {
        var padded = new float[batch * declared];
        int padding = declared - length;
        int before = placement switch
        {
            Placement.After => 0,
            Placement.Before => padding,
            _ => padding / 2,
        };
        for (int b = 0; b < batch; b++)
        {
            ids.AsSpan(b * length, length).CopyTo(padded.AsSpan(b * declared + before));
        }

        return padded;
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-6f * (1 + MathF.Abs(expected[i])),
                $"{what}[{i}]: {actual[i]:R} where the unpadded sequence gives {expected[i]:R}");
        }
    }
}
