using System;
using System.Linq;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>
/// The network tests/fixtures/make_layernorm_fixture.py builds as a PyTorch nn.Module: a convolution followed by
/// nn.LayerNorm over each pixel's channels, and a Linear layer followed by nn.LayerNorm.
/// </summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(4, 4, 3)]
[Conv2D(5, 3, Activation.Linear, Padding = Padding.Same, Name = "conv")]
[LayerNormalization(Activation = Activation.ReLU, Name = "conv.ln")]
[Flatten]
[Dense(8, Activation.Linear, Name = "fc")]
[LayerNormalization(Epsilon = 1e-3f, Activation = Activation.Tanh, Name = "fc.ln")]
[Dense(3, Activation.Softmax, Name = "head")]
public partial class PyTorchLayerNorm;

/// <summary>
/// A state_dict PyTorch wrote for nn.LayerNorm loads by name into the generated network, whose Forward and training step
/// reproduce PyTorch's float64 outputs (within 1e-5), loss (1e-5 relative) and gradients (1e-5 relative plus 1e-5 of the
/// largest gradient, as PyTorchBatchNormTests: behind a normalisation a gradient is a sum made to cancel). PyTorch's own
/// float32 run uses 0.025 of the gradient bound (make_layernorm_fixture.py checks it stays under half).
/// </summary>
public sealed class PyTorchLayerNormTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static JsonElement Fixture() => PyTorchFixture.Read("pytorch_layernorm_io.json");

    private static int[] Labels(JsonElement json) => json.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static PyTorchLayerNorm Loaded()
    {
        var network = new PyTorchLayerNorm();
        network.Load(System.IO.Path.Combine(PyTorchFixture.Directory, "pytorch_layernorm.safetensors"));
        return network;
    }

    /// <summary>PyTorchLayerNorm in GenNet's float64 reference (tests/GenNet.Tests/ReferenceNetwork.cs).</summary>
    private static ReferenceNetwork Reference { get; } = new(
        [4, 4, 3], Loss.SparseCategoricalCrossEntropy,
        new ReferenceConv2D(5, 3, 3, Activation.Linear, Padding: Padding.Same) { Name = "conv" },
        new ReferenceLayerNormalization { Activation = Activation.ReLU, Name = "conv.ln" },
        new ReferenceFlatten(),
        new ReferenceLayer(8, Activation.Linear) { Name = "fc" },
        new ReferenceLayerNormalization(Epsilon: 1e-3) { Activation = Activation.Tanh, Name = "fc.ln" },
        new ReferenceLayer(3, Activation.Softmax) { Name = "head" });

    [Fact]
    public void Parameters_are_the_state_dicts_and_there_are_no_buffers()
    {
        JsonElement json = Fixture();
        var network = new PyTorchLayerNorm();
        Assert.Equal(
            json.GetProperty("parameters").EnumerateArray().Select(t => $"{t.GetProperty("name").GetString()} [{string.Join(", ", t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()))}]"),
            network.ParameterTensors.Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}]"));
        Assert.Equal(Reference.Tensors().Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] at {t.Offset}"), network.ParameterTensors.Select(t => t.ToString()));
        Assert.Equal(140 + 10 + 648 + 16 + 27, PyTorchLayerNorm.ParameterCount);
        Assert.Empty(network.BufferTensors);
    }

    [Fact]
    public void The_float64_reference_reproduces_pytorch()
    {
        JsonElement json = Fixture();
        int batch = json.GetProperty("batch").GetInt32();
        double[] inputs = ReferenceNetworkTests.Floats32(json.GetProperty("inputs"));
        double[] parameters = Loaded().Parameters.ToArray().Select(v => (double)v).ToArray();
        double[] expected = PyTorchFixture.Doubles(json.GetProperty("outputs"));
        double outputs = Reference.Forward(parameters, inputs, batch).Zip(expected, (a, e) => Math.Abs(a - e)).Max();
        double loss = Math.Abs(Reference.LossValue(parameters, inputs, Reference.TargetsFromLabels(Labels(json)), batch) - json.GetProperty("loss").GetDouble());
        output.WriteLine($"reference − torch: outputs {outputs:G3}, loss {loss:G3}");
        Assert.True(Math.Max(outputs, loss) <= 1e-12, "the float64 reference differs from PyTorch's float64");
    }

    [Fact]
    public void Forward_and_a_training_step_reproduce_pytorch()
    {
        JsonElement json = Fixture();
        int batch = json.GetProperty("batch").GetInt32();
        float[] inputs = PyTorchFixture.Floats(json.GetProperty("inputs"));
        PyTorchLayerNorm network = Loaded();
        (double worstOutput, double worstSingle) = PyTorchFixture.WorstOutputs(network, inputs, PyTorchFixture.Doubles(json.GetProperty("outputs")), batch);
        output.WriteLine($"outputs: worst |generated − torch| {worstOutput:G3} (batch), {worstSingle:G3} (one sample)");
        Assert.True(worstOutput <= Tolerance && worstSingle <= Tolerance, $"outputs differ by {worstOutput} (batch), {worstSingle} (one sample)");

        float loss = network.ComputeGradients(inputs, Labels(json), batch);
        double torchLoss = json.GetProperty("loss").GetDouble();
        output.WriteLine($"loss: generated {loss:R}, torch {torchLoss:R}");
        Assert.True(Math.Abs(loss - torchLoss) <= Tolerance * Math.Abs(torchLoss), $"loss {loss} against {torchLoss}");
        double absolute = Tolerance * network.ParameterTensors.Max(t => PyTorchFixture.Doubles(json.GetProperty("gradients").GetProperty(t.Name)).Max(Math.Abs));
        (double worst, string where) = PyTorchFixture.WorstGradient(network, json.GetProperty("gradients"), Tolerance, absolute);
        output.WriteLine($"gradients: worst {worst:G3} of the bound at {where}");
        Assert.True(worst <= 1, $"gradients: worst {worst} of the bound at {where}");
    }
}
