using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>The convnet tests/fixtures/make_conv_fixture.py builds in PyTorch (ReferenceNetworkTests.ConvNet), declared in GenNet.</summary>
[Network]
[Input(9, 8, 2)]
[Conv2D(4, 3, Activation.ReLU, Padding = Padding.Same)]
[MaxPool2D(2, Padding = Padding.Same)]
[Conv2D(5, 2, 3, Activation.Tanh, Stride = 2, Padding = Padding.Same)]
[AveragePool2D(2, Stride = 1, Padding = Padding.Same)]
[Flatten]
[Dense(5, Activation.Softmax)]
public partial class PyTorchConvNet;

/// <summary>
/// Max pooling's tie rule, observable through parameter gradients: a 1x1 convolution of two channels with equal weights
/// maps pixel (1, 0) and pixel (0, 1) to exactly the same value, so which pixel the gradient goes to shows in which
/// channel's weight receives it.
/// </summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2, 2, 2)]
[Conv2D(1, 1, Activation.Linear)]
[MaxPool2D(2)]
[Flatten]
[Dense(1, Activation.Linear)]
public partial class MaxPoolTie;

/// <summary>GenNet's convolutions against PyTorch's: a state_dict written by PyTorch, its outputs, loss and gradients.</summary>
public sealed class PyTorchConvFixtureTests(ITestOutputHelper output)
{
    private static readonly string s_fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures");

    private static JsonElement Network() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(s_fixtures, "pytorch_convnet_io.json"))).RootElement.GetProperty("network");

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    [Fact]
    public void The_parameter_layout_is_the_references()
    {
        var network = new PyTorchConvNet();
        Assert.Equal(
            ReferenceNetworkTests.ConvNet.Tensors().Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] at {t.Offset}"),
            network.ParameterTensors.Select(t => t.ToString()));
        Assert.Equal(PyTorchConvNet.ParameterCount, ReferenceNetworkTests.ConvNet.ParameterCount);
    }

    [Fact]
    public void A_pytorch_file_loads_and_reproduces_pytorch_outputs_loss_and_gradients()
    {
        JsonElement json = Network();
        int batch = json.GetProperty("batch").GetInt32();
        float[] inputs = Floats(json.GetProperty("inputs"));
        int[] labels = json.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var network = new PyTorchConvNet();
        network.Load(Path.Combine(s_fixtures, "pytorch_convnet.safetensors"));

        float[] expected = Floats(json.GetProperty("outputs"));
        var outputs = new float[expected.Length];
        network.Forward(inputs, outputs, batch);
        Assert.Equal(expected, outputs, (a, b) => Math.Abs(a - b) <= 1e-5f);

        float loss = network.ComputeGradients(inputs, labels, batch);
        Assert.Equal(json.GetProperty("loss").GetDouble(), loss, 1e-5);
        double worst = 0;
        foreach (ParameterTensor tensor in network.ParameterTensors)
        {
            float[] torch = Floats(json.GetProperty("gradients").GetProperty(tensor.Name));
            ReadOnlySpan<float> gradients = tensor.Slice(network.Gradients);
            for (int i = 0; i < torch.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(gradients[i] - torch[i]) / (1e-4 * Math.Abs(torch[i]) + 1e-6));
            }
        }

        output.WriteLine($"gradients: worst {worst:G3} of the bound");
        Assert.True(worst <= 1, $"gradients: worst {worst} of the bound");
    }

    [Fact]
    public void Max_pooling_sends_a_tied_gradient_to_the_first_maximum_in_row_major_order()
    {
        var network = new MaxPoolTie();
        Span<float> p = network.Parameters; // conv_0.weight [1, 2, 1, 1], conv_0.bias, dense_0.weight [1, 1], dense_0.bias
        p[0] = 0.5f;
        p[1] = 0.5f;
        p[2] = 0;
        p[3] = 1;
        p[4] = 0;
        // Pixels (y, x) = (channel 0, channel 1). Sample 0: (0, 1) holds (1, 0) and (1, 0) holds (0, 1), both 0.5; the
        // first maximum is (0, 1), channel 0. Sample 1: (0, 0) holds (0, 1) and (1, 1) holds (1, 0); the first is (0, 0), channel 1.
        float[] inputs =
        [
            0, 0, 1, 0, 0, 1, 0, 0,
            0, 1, 0, 0, 0, 0, 1, 0,
        ];
        float[] targets = [0, 0.25f];
        float loss = network.ComputeGradients(inputs, targets, 2);
        Assert.Equal((0.25f + 0.0625f) / 2, loss);
        // dL/dy = y − t = (0.5, 0.25): channel 0's weight gets sample 0's, channel 1's sample 1's (reversed if the last maximum won).
        Assert.Equal([0.5f, 0.25f, 0.75f, 0.375f, 0.75f], network.Gradients.ToArray());
    }
}
