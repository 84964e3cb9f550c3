using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>
/// The residual convnet tests/fixtures/make_graph_fixture.py builds as a PyTorch nn.Module (stem, block.conv1, block.conv2,
/// head), declared in GenNet; its reference is <see cref="ReferenceGraphTests.Residual"/>.
/// </summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(8, 8, 3)]
[Conv2D(8, 3, Activation.ReLU, Padding = Padding.Same, Name = "stem")]
[Conv2D(8, 3, Activation.ReLU, Padding = Padding.Same, Name = "block.conv1")]
[Conv2D(8, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv2")]
[Add("stem", Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(5, Activation.Softmax, Name = "head")]
public partial class PyTorchResidual;

/// <summary>
/// A state_dict written by PyTorch loads by name into the generated residual network, which reproduces PyTorch's float64
/// outputs (within 1e-5), loss (1e-5 relative) and gradients (1e-5 relative plus 1e-6 absolute: tiny gradients are sums
/// that cancel, and PyTorch's own float32 run uses 0.17 of this bound).
/// </summary>
public sealed class PyTorchResidualTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;
    private const double GradientAbsolute = 1e-6;

    private static JsonElement Fixture() => PyTorchFixture.Read("pytorch_residual_io.json");

    [Fact]
    public void The_parameter_layout_is_pytorchs_state_dict()
    {
        var network = new PyTorchResidual();
        Assert.Equal(
            ReferenceGraphTests.Residual.Tensors().Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] at {t.Offset}"),
            network.ParameterTensors.Select(t => t.ToString()));
        Assert.Equal(
            Fixture().GetProperty("tensors").EnumerateArray().Select(t => t.GetProperty("name").GetString()),
            network.ParameterTensors.Select(t => t.Name));
        Assert.Equal(2037, PyTorchResidual.ParameterCount);
        Assert.Equal(192, PyTorchResidual.InputSize);
        Assert.Equal(5, PyTorchResidual.OutputSize);
    }

    [Fact]
    public void A_pytorch_file_loads_and_reproduces_pytorch_outputs_loss_and_gradients()
    {
        JsonElement json = Fixture();
        int batch = json.GetProperty("batch").GetInt32();
        float[] inputs = PyTorchFixture.Floats(json.GetProperty("inputs"));
        int[] labels = json.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var network = new PyTorchResidual();
        network.Load(Path.Combine(PyTorchFixture.Directory, "pytorch_residual.safetensors"));

        (double worstOutput, double worstSingle) = PyTorchFixture.WorstOutputs(network, inputs, PyTorchFixture.Doubles(json.GetProperty("outputs")), batch);
        output.WriteLine($"outputs: worst |generated − torch| {worstOutput:G3} (batch), {worstSingle:G3} (one sample)");
        Assert.True(worstOutput <= Tolerance && worstSingle <= Tolerance, $"outputs differ by {worstOutput} (batch), {worstSingle} (one sample)");

        float loss = network.ComputeGradients(inputs, labels, batch);
        double torchLoss = json.GetProperty("loss").GetDouble();
        output.WriteLine($"loss: generated {loss:R}, torch {torchLoss:R}");
        Assert.True(Math.Abs(loss - torchLoss) <= Tolerance * Math.Abs(torchLoss), $"loss {loss} against {torchLoss}");

        (double worst, string where) = PyTorchFixture.WorstGradient(network, json.GetProperty("gradients"), Tolerance, GradientAbsolute);
        output.WriteLine($"gradients: worst {worst:G3} of the bound at {where}");
        Assert.True(worst <= 1, $"gradients: worst {worst} of the bound at {where}");
    }
}
