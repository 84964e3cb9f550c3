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

    private static readonly string s_fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures");

    private static JsonElement Fixture() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(s_fixtures, "pytorch_residual_io.json"))).RootElement;

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

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
        float[] inputs = Floats(json.GetProperty("inputs"));
        int[] labels = json.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var network = new PyTorchResidual();
        network.Load(Path.Combine(s_fixtures, "pytorch_residual.safetensors"));

        double[] expected = json.GetProperty("outputs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var outputs = new float[expected.Length];
        network.Forward(inputs, outputs, batch);
        var single = new float[PyTorchResidual.OutputSize];
        network.Forward(inputs.AsSpan(PyTorchResidual.InputSize, PyTorchResidual.InputSize), single);
        double worstOutput = expected.Select((e, i) => Math.Abs(outputs[i] - e)).Max();
        double worstSingle = single.Select((s, i) => Math.Abs(s - expected[PyTorchResidual.OutputSize + i])).Max();
        output.WriteLine($"outputs: worst |generated − torch| {worstOutput:G3} (batch), {worstSingle:G3} (one sample)");
        Assert.True(worstOutput <= Tolerance && worstSingle <= Tolerance, $"outputs differ by {worstOutput} (batch), {worstSingle} (one sample)");

        float loss = network.ComputeGradients(inputs, labels, batch);
        double torchLoss = json.GetProperty("loss").GetDouble();
        output.WriteLine($"loss: generated {loss:R}, torch {torchLoss:R}");
        Assert.True(Math.Abs(loss - torchLoss) <= Tolerance * Math.Abs(torchLoss), $"loss {loss} against {torchLoss}");

        double worst = 0;
        string where = "-";
        foreach (ParameterTensor tensor in network.ParameterTensors)
        {
            double[] torch = json.GetProperty("gradients").GetProperty(tensor.Name).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            ReadOnlySpan<float> gradients = tensor.Slice(network.Gradients);
            Assert.Equal(torch.Length, gradients.Length);
            for (int i = 0; i < torch.Length; i++)
            {
                double ratio = Math.Abs(gradients[i] - torch[i]) / (Tolerance * Math.Abs(torch[i]) + GradientAbsolute);
                if (!(ratio <= worst))
                {
                    worst = double.IsNaN(ratio) ? double.PositiveInfinity : ratio;
                    where = $"{tensor.Name}[{i}]: generated {gradients[i]:R}, torch {torch[i]:R}";
                }
            }
        }

        output.WriteLine($"gradients: worst {worst:G3} of the bound at {where}");
        Assert.True(worst <= 1, $"gradients: worst {worst} of the bound at {where}");
    }
}
