using System;
using System.Linq;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>The network tests/fixtures/make_depthwise_fixture.py builds as a PyTorch nn.Module (grouped convolutions and a Separable module).</summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(7, 6, 3)]
[DepthwiseConv2D(3, Activation.ReLU, DepthMultiplier = 2, Padding = Padding.Same, Name = "dw")]
[SeparableConv2D(5, 3, 2, Activation.Tanh, DepthMultiplier = 2, Stride = 2, Padding = Padding.Same, Name = "sep")]
[DepthwiseConv2D(2, Activation.Linear, Stride = 2)]
[Flatten]
[Dense(4, Activation.Softmax, Name = "head")]
public partial class PyTorchDepthwise;

/// <summary>The same, inference only, with PyTorch's file compiled in.</summary>
[Network(Training = false, Weights = "pytorch_depthwise.safetensors")]
[Input(7, 6, 3)]
[DepthwiseConv2D(3, Activation.ReLU, DepthMultiplier = 2, Padding = Padding.Same, Name = "dw")]
[SeparableConv2D(5, 3, 2, Activation.Tanh, DepthMultiplier = 2, Stride = 2, Padding = Padding.Same, Name = "sep")]
[DepthwiseConv2D(2, Activation.Linear, Stride = 2)]
[Flatten]
[Dense(4, Activation.Softmax, Name = "head")]
public partial class CompiledPyTorchDepthwise;

/// <summary>
/// Depthwise and separable convolutions against PyTorch: the float64 reference reproduces PyTorch's float64 outputs, loss
/// and gradients (within <c>ReferenceNetworkTests</c>' bounds) on the network and on single-layer probes, and the generated
/// network loads PyTorch's state_dict by name and reproduces its outputs (1e-5), loss (1e-5) and gradients (1e-4 relative
/// plus 1e-6).
/// </summary>
public sealed class PyTorchDepthwiseTests(ITestOutputHelper output)
{
    private const string Weights = "pytorch_depthwise.safetensors";

    private static JsonElement Fixture() => PyTorchFixture.Read("pytorch_depthwise_io.json");

    /// <summary>PyTorchDepthwise in GenNet's float64 reference.</summary>
    private static ReferenceNetwork Reference { get; } = new(
        [7, 6, 3], Loss.SparseCategoricalCrossEntropy,
        new ReferenceDepthwiseConv2D(3, 3, Activation.ReLU, Multiplier: 2, Padding: Padding.Same) { Name = "dw" },
        new ReferenceSeparableConv2D(5, 3, 2, Activation.Tanh, Multiplier: 2, Stride: 2, Padding: Padding.Same) { Name = "sep" },
        new ReferenceDepthwiseConv2D(2, 2, Activation.Linear, Stride: 2),
        new ReferenceFlatten(),
        new ReferenceLayer(4, Activation.Softmax) { Name = "head" });

    public static TheoryData<string> Probes() => new(Fixture().GetProperty("probes").EnumerateArray().Select(p => p.GetProperty("name").GetString()!));

    [Fact]
    public void Parameters_are_the_modules_state_dict_in_order()
    {
        JsonElement tensors = Fixture().GetProperty("network").GetProperty("tensors");
        Assert.Equal(
            tensors.EnumerateArray().Select(t => $"{t.GetProperty("name").GetString()} [{string.Join(", ", t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()))}]"),
            new PyTorchDepthwise().ParameterTensors.Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}]"));
    }

    [Fact]
    public void The_reference_reproduces_pytorch_outputs_loss_and_gradients() =>
        ReferenceNetworkTests.CheckAgainstPyTorch(Reference, Weights, Fixture().GetProperty("network"), output);

    [Theory]
    [MemberData(nameof(Probes))]
    public void A_single_layer_of_the_reference_reproduces_pytorch(string name)
    {
        JsonElement probe = Fixture().GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
        JsonElement layer = probe.GetProperty("layer");
        int batch = probe.GetProperty("batch").GetInt32();
        Activation activation = Enum.Parse<Activation>(layer.GetProperty("activation").GetString()!);
        Padding padding = layer.GetProperty("padding").GetString() == "same" ? Padding.Same : Padding.Valid;
        int kh = layer.GetProperty("kh").GetInt32(), kw = layer.GetProperty("kw").GetInt32();
        int multiplier = layer.GetProperty("multiplier").GetInt32(), stride = layer.GetProperty("stride").GetInt32();
        ReferenceNetworkLayer reference = layer.GetProperty("type").GetString() == "DepthwiseConv2D"
            ? new ReferenceDepthwiseConv2D(kh, kw, activation, multiplier, stride, padding)
            : new ReferenceSeparableConv2D(layer.GetProperty("filters").GetInt32(), kh, kw, activation, multiplier, stride, padding);
        var network = new ReferenceNetwork(ReferenceNetworkTests.Ints(probe.GetProperty("input_shape")), Loss.MeanSquaredError, reference);
        Assert.Equal(ReferenceNetworkTests.Ints(probe.GetProperty("output_shape")), network.OutputShape);

        double[] inputs = ReferenceNetworkTests.Floats32(probe.GetProperty("inputs"));
        double[] targets = ReferenceNetworkTests.Floats32(probe.GetProperty("targets"));
        double[] parameters = ReferenceNetworkTests.Floats32(probe.GetProperty("parameters"));
        Assert.Equal(network.ParameterCount, parameters.Length);
        double forward = ReferenceNetworkTests.ForwardRatio(network.Forward(parameters, inputs, batch), ReferenceNetworkTests.Doubles(probe.GetProperty("outputs")), out string where);
        double loss = ReferenceNetworkTests.ForwardRatio([network.LossValue(parameters, inputs, targets, batch)], [probe.GetProperty("loss").GetDouble()], out _);
        (double gradient, string gradientWhere) = ReferenceNetworkTests.GradientRatio(
            network, parameters, inputs, targets, batch, ReferenceNetworkTests.Doubles(probe.GetProperty("gradients")));
        output.WriteLine($"outputs: worst {forward:G3} of the bound at {where}; loss {loss:G3}; gradients ({parameters.Length}): worst {gradient:G3} at {gradientWhere}");
        Assert.True(forward <= 1 && loss <= 1 && gradient <= 1, $"outputs {forward} at {where}, loss {loss}, gradients {gradient} at {gradientWhere}");
    }

    [Fact]
    public void A_pytorch_file_loads_and_reproduces_pytorch_outputs_loss_and_gradients()
    {
        JsonElement json = Fixture().GetProperty("network");
        int batch = json.GetProperty("batch").GetInt32();
        float[] inputs = PyTorchFixture.Floats(json.GetProperty("inputs"));
        int[] labels = ReferenceNetworkTests.Ints(json.GetProperty("labels"));
        var network = new PyTorchDepthwise();
        network.Load(System.IO.Path.Combine(PyTorchFixture.Directory, Weights));

        (double batchOutputs, double single) = PyTorchFixture.WorstOutputs(network, inputs, PyTorchFixture.Doubles(json.GetProperty("outputs")), batch);
        float loss = network.ComputeGradients(inputs, labels, batch);
        (double gradient, string where) = PyTorchFixture.WorstGradient(network, json.GetProperty("gradients"), relative: 1e-4, absolute: 1e-6);
        output.WriteLine($"outputs: worst {batchOutputs:G3} (one sample alone {single:G3}); loss {loss} against {json.GetProperty("loss").GetDouble()}; gradients: worst {gradient:G3} of the bound at {where}");
        Assert.True(batchOutputs <= 1e-5 && single <= 1e-5, $"outputs off by {batchOutputs}, one sample alone by {single}");
        Assert.Equal(json.GetProperty("loss").GetDouble(), loss, 1e-5);
        Assert.True(gradient <= 1, $"gradients: worst {gradient} of the bound at {where}");
    }

    [Fact]
    public void An_inference_only_network_with_the_file_compiled_in_reproduces_pytorch_outputs()
    {
        JsonElement json = Fixture().GetProperty("network");
        (double batchOutputs, double single) = PyTorchFixture.WorstOutputs(
            new CompiledPyTorchDepthwise(), PyTorchFixture.Floats(json.GetProperty("inputs")), PyTorchFixture.Doubles(json.GetProperty("outputs")), json.GetProperty("batch").GetInt32());
        output.WriteLine($"outputs: worst {batchOutputs:G3} (one sample alone {single:G3})");
        Assert.True(batchOutputs <= 1e-5 && single <= 1e-5, $"outputs off by {batchOutputs}, one sample alone by {single}");
    }
}
