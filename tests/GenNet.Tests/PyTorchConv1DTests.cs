using System.Linq;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>The sequence network tests/fixtures/make_conv1d_fixture.py computes with PyTorch's 1-D operations, declared in GenNet.</summary>
[Network]
[Input(29, 3)]
[Conv1D(4, 5, Activation.Tanh, Stride = 2, Padding = Padding.Same)]
[MaxPool1D(3, Stride = 2, Padding = Padding.Same)]
[Conv1D(17, 2, Activation.ReLU, Padding = Padding.Same)]
[AveragePool1D(3, Padding = Padding.Same)]
[Conv1D(3, 1, Activation.Tanh)]
[Flatten]
[Dense(4, Activation.Softmax)]
public partial class PyTorchConv1D;

/// <summary>
/// Conv1D, MaxPool1D and AveragePool1D against PyTorch's <c>F.conv1d</c>, <c>F.max_pool1d</c> and <c>F.avg_pool1d</c>
/// (TensorFlow's same padding, strides 1 and 2, even and 1-step kernels, clipped windows): the float64 reference, whose 1-D
/// layers are its 2-D ones one step high, and the generated network loading PyTorch's file.
/// </summary>
public sealed class PyTorchConv1DTests(ITestOutputHelper output)
{
    private static JsonElement Network() => PyTorchFixture.Read("pytorch_conv1d_io.json").GetProperty("network");

    /// <summary>The fixture's network as the reference declares it.</summary>
    private static ReferenceNetwork Reference { get; } = new(
        [29, 3], Loss.SparseCategoricalCrossEntropy,
        new ReferenceConv1D(4, 5, Activation.Tanh, Stride: 2, Padding: Padding.Same),
        new ReferenceMaxPool1D(3, Stride: 2, Padding: Padding.Same),
        new ReferenceConv1D(17, 2, Activation.ReLU, Padding: Padding.Same),
        new ReferenceAveragePool1D(3, Padding: Padding.Same),
        new ReferenceConv1D(3, 1, Activation.Tanh),
        new ReferenceFlatten(),
        new ReferenceLayer(4, Activation.Softmax));

    [Fact]
    public void The_reference_reproduces_pytorch_outputs_loss_and_gradients() =>
        ReferenceNetworkTests.CheckAgainstPyTorch(Reference, "pytorch_conv1d.safetensors", Network(), output);

    [Fact]
    public void The_parameter_layout_is_pytorchs_conv1d()
    {
        Assert.Equal(
            Reference.Tensors().Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] at {t.Offset}"),
            new PyTorchConv1D().ParameterTensors.Select(t => t.ToString()));
        Assert.Equal(
            Network().GetProperty("tensors").EnumerateArray().Select(t => $"{t.GetProperty("name").GetString()} {t.GetProperty("shape")}"),
            new PyTorchConv1D().ParameterTensors.Select(t => $"{t.Name} [{string.Join(",", t.Shape.ToArray())}]"));
    }

    [Fact]
    public void A_pytorch_file_loads_and_reproduces_pytorch_outputs_loss_and_gradients()
    {
        JsonElement json = Network();
        int batch = json.GetProperty("batch").GetInt32();
        float[] inputs = PyTorchFixture.Floats(json.GetProperty("inputs"));
        int[] labels = json.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var network = new PyTorchConv1D();
        network.Load(System.IO.Path.Combine(PyTorchFixture.Directory, "pytorch_conv1d.safetensors"));

        (double worstBatch, double worstSingle) = PyTorchFixture.WorstOutputs(network, inputs, PyTorchFixture.Doubles(json.GetProperty("outputs")), batch);
        float loss = network.ComputeGradients(inputs, labels, batch);
        (double gradient, string where) = PyTorchFixture.WorstGradient(network, json.GetProperty("gradients"), relative: 1e-4, absolute: 1e-6);
        output.WriteLine($"outputs: worst {worstBatch:G3} (batch), {worstSingle:G3} (one sample); loss {loss} against {json.GetProperty("loss").GetDouble()}");
        output.WriteLine($"gradients: worst {gradient:G3} of the bound at {where}");
        Assert.True(worstBatch <= 1e-5 && worstSingle <= 1e-5, $"outputs off by {worstBatch} (batch), {worstSingle} (one sample)");
        Assert.Equal(json.GetProperty("loss").GetDouble(), loss, 1e-5);
        Assert.True(gradient <= 1, $"gradients: worst {gradient} of the bound at {where}");
    }
}
