using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;
using static GenNet.Tests.ReferenceNetworkTests;

namespace GenNet.Tests;

/// <summary>
/// The float64 reference as a graph: named outputs, <c>From</c>, several inputs, Add / Multiply / Concatenate, and tensor
/// names, on values worked out by hand and against PyTorch in float64 (tests/fixtures/make_graph_fixture.py): outputs and
/// loss within 1e-12, gradients by the reference's central differences against autograd (bounds of <see cref="ReferenceNetworkTests"/>).
/// </summary>
public sealed class ReferenceGraphTests(ITestOutputHelper output)
{
    private static readonly string s_fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures");
    private static readonly Lazy<JsonDocument> s_graphs = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(s_fixtures, "pytorch_graphs_io.json"))));

    /// <summary>The fixture's networks (their GenNet declarations are in the JSON and in make_graph_fixture.py).</summary>
    private static readonly Dictionary<string, ReferenceNetwork> s_networks = new()
    {
        ["residual mlp"] = new(Loss.SparseCategoricalCrossEntropy,
            new ReferenceInput(5),
            new ReferenceLayer(6, Activation.ReLU) { Name = "h" },
            new ReferenceLayer(6, Activation.Tanh),
            new ReferenceAdd("h"),
            new ReferenceLayer(6, Activation.Gelu) { Name = "mid" },
            new ReferenceAdd("h") { Activation = Activation.ReLU },
            new ReferenceLayer(3, Activation.Softmax)),
        ["two inputs"] = new(Loss.MeanSquaredError,
            new ReferenceInput(5, 4, 2) { Name = "image" },
            new ReferenceInput(3) { Name = "features" },
            new ReferenceConv2D(3, 3, 3, Activation.Tanh),
            new ReferenceFlatten { Name = "flat" },
            new ReferenceLayer(4, Activation.Sigmoid) { From = "features", Name = "side" },
            new ReferenceConcatenate("flat"),
            new ReferenceLayer(2, Activation.Linear)),
        ["multiply gate"] = new(Loss.BinaryCrossEntropy,
            new ReferenceInput(6) { Name = "x" },
            new ReferenceLayer(4, Activation.Sigmoid) { Name = "gate" },
            new ReferenceLayer(4, Activation.Tanh) { From = "x", Name = "value" },
            new ReferenceMultiply("gate") { Name = "gated" },
            new ReferenceLayer(4, Activation.Linear) { From = "x", Name = "skip" },
            new ReferenceAdd("gated", "skip", "value") { Activation = Activation.Tanh },
            new ReferenceConcatenate("x") { Activation = Activation.ReLU },
            new ReferenceLayer(2, Activation.Sigmoid)),
        ["conv block"] = new(Loss.CategoricalCrossEntropy,
            new ReferenceInput(6, 5, 3),
            new ReferenceConv2D(4, 3, 3, Activation.ReLU, Padding: Padding.Same) { Name = "stem" },
            new ReferenceConv2D(4, 3, 3, Activation.ReLU, Padding: Padding.Same) { Name = "block.conv1" },
            new ReferenceConv2D(4, 3, 3, Activation.Linear, Padding: Padding.Same) { Name = "block.conv2" },
            new ReferenceAdd("stem") { Activation = Activation.ReLU, Name = "res" },
            new ReferenceConv2D(2, 3, 3, Activation.Tanh, Stride: 2, Padding: Padding.Same) { Name = "left" },
            new ReferenceConv2D(3, 1, 1, Activation.Sigmoid, Stride: 2, Padding: Padding.Same) { From = "res" },
            new ReferenceConcatenate("left"),
            new ReferenceFlatten(),
            new ReferenceLayer(4, Activation.Softmax)),
        ["global pools"] = new(Loss.SparseCategoricalCrossEntropy,
            new ReferenceInput(5, 4, 3),
            new ReferenceConv2D(4, 3, 3, Activation.Tanh, Padding: Padding.Same) { Name = "features" },
            new ReferenceGlobalAveragePool2D { Name = "avg" },
            new ReferenceGlobalMaxPool2D { From = "features" },
            new ReferenceConcatenate("avg"),
            new ReferenceLayer(3, Activation.Softmax)),
    };

    public static IEnumerable<object[]> Networks() =>
        s_graphs.Value.RootElement.GetProperty("networks").EnumerateArray().Select(n => new object[] { n.GetProperty("name").GetString()! });

    [Theory]
    [MemberData(nameof(Networks))]
    public void A_graph_reproduces_pytorch_outputs_loss_and_gradients(string name)
    {
        JsonElement net = s_graphs.Value.RootElement.GetProperty("networks").EnumerateArray().Single(n => n.GetProperty("name").GetString() == name);
        ReferenceNetwork reference = s_networks[name];
        output.WriteLine(string.Join(Environment.NewLine, net.GetProperty("declaration").EnumerateArray().Select(d => d.GetString())));
        Assert.Equal(net.GetProperty("loss_kind").GetString(), reference.Loss.ToString());
        Assert.Equal(net.GetProperty("input_shapes").EnumerateArray().Select(Ints), reference.InputShapes);
        Assert.Equal(Ints(net.GetProperty("output_shape")), reference.OutputShape);
        Assert.Equal(
            net.GetProperty("tensors").EnumerateArray().Select(t => $"{t.GetProperty("name").GetString()} [{string.Join(", ", Ints(t.GetProperty("shape")))}]"),
            reference.Tensors().Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}]"));

        var parameters = new double[reference.ParameterCount];
        var expected = new double[reference.ParameterCount];
        foreach ((string tensor, int[] shape, int offset) in reference.Tensors())
        {
            Floats32(net.GetProperty("parameters").GetProperty(tensor)).CopyTo(parameters, offset);
            Doubles(net.GetProperty("gradients").GetProperty(tensor)).CopyTo(expected, offset);
        }

        int batch = net.GetProperty("batch").GetInt32();
        double[] inputs = Floats32(net.GetProperty("inputs"));
        Assert.Equal(batch * reference.InputSize, inputs.Length);
        double[] targets = net.TryGetProperty("labels", out JsonElement labels)
            ? reference.TargetsFromLabels(Ints(labels))
            : Floats32(net.GetProperty("targets"));
        double forward = ForwardRatio(reference.Forward(parameters, inputs, batch), Doubles(net.GetProperty("outputs")), out string where);
        double loss = ForwardRatio([reference.LossValue(parameters, inputs, targets, batch)], [net.GetProperty("loss").GetDouble()], out _);
        (double gradient, string gradientWhere) = GradientRatio(reference, parameters, inputs, targets, batch, expected);
        output.WriteLine($"outputs: worst {forward:G3} of the bound at {where}");
        output.WriteLine($"loss: {loss:G3} of the bound");
        output.WriteLine($"gradients ({parameters.Length}): worst {gradient:G3} of the bound at {gradientWhere}");
        Assert.True(forward <= 1 && loss <= 1 && gradient <= 1, $"outputs {forward} at {where}, loss {loss}, gradients {gradient} at {gradientWhere}");
    }

    /// <summary>The residual convnet PyTorch wrote to pytorch_residual.safetensors, declared as GenNet declares PyTorchResidual.</summary>
    public static ReferenceNetwork Residual { get; } = new(
        [8, 8, 3], Loss.SparseCategoricalCrossEntropy,
        new ReferenceConv2D(8, 3, 3, Activation.ReLU, Padding: Padding.Same) { Name = "stem" },
        new ReferenceConv2D(8, 3, 3, Activation.ReLU, Padding: Padding.Same) { Name = "block.conv1" },
        new ReferenceConv2D(8, 3, 3, Activation.Linear, Padding: Padding.Same) { Name = "block.conv2" },
        new ReferenceAdd("stem") { Activation = Activation.ReLU },
        new ReferenceMaxPool2D(2),
        new ReferenceFlatten(),
        new ReferenceLayer(5, Activation.Softmax) { Name = "head" });

    [Fact]
    public void The_pytorch_residual_network_reproduces_pytorch_outputs_loss_and_gradients()
    {
        JsonElement net = JsonDocument.Parse(File.ReadAllText(Path.Combine(s_fixtures, "pytorch_residual_io.json"))).RootElement;
        Assert.Equal(Ints(net.GetProperty("input_shape")), Residual.InputShape);
        Assert.Equal(
            ["stem.weight [8, 3, 3, 3] at 0", "stem.bias [8] at 216", "block.conv1.weight [8, 8, 3, 3] at 224", "block.conv1.bias [8] at 800",
             "block.conv2.weight [8, 8, 3, 3] at 808", "block.conv2.bias [8] at 1384", "head.weight [5, 128] at 1392", "head.bias [5] at 2032"],
            Residual.Tensors().Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] at {t.Offset}"));
        CheckAgainstPyTorch(Residual, "pytorch_residual.safetensors", net, output);
    }

    [Fact]
    public void The_fixture_covers_every_graph_network_declared_here() =>
        Assert.Equal(s_networks.Keys.Order(), Networks().Select(n => (string)n[0]).Order());

    [Fact]
    public void Tensors_are_named_after_their_layer_or_numbered_among_every_layer_of_their_kind()
    {
        var reference = new ReferenceNetwork(
            Loss.MeanSquaredError,
            new ReferenceInput(4, 3, 2) { Name = "image" },
            new ReferenceInput(5) { Name = "features" },
            new ReferenceConv2D(3, 3, 3, Activation.ReLU, Padding: Padding.Same) { Name = "block.conv1" },
            new ReferenceConv2D(3, 1, 1, Activation.Linear),
            new ReferenceAdd("block.conv1"),
            new ReferenceFlatten { Name = "flat" },
            new ReferenceLayer(2, Activation.Tanh) { From = "features" },
            new ReferenceLayer(4, Activation.Tanh) { Name = "head.side" },
            new ReferenceConcatenate("flat"),
            new ReferenceLayer(3, Activation.Linear));
        Assert.Equal(
            ["block.conv1.weight [3, 2, 3, 3] at 0", "block.conv1.bias [3] at 54", "conv_1.weight [3, 3, 1, 1] at 57", "conv_1.bias [3] at 66",
             "dense_0.weight [2, 5] at 69", "dense_0.bias [2] at 79", "head.side.weight [4, 2] at 81", "head.side.bias [4] at 89",
             "dense_2.weight [3, 40] at 93", "dense_2.bias [3] at 213"],
            reference.Tensors().Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] at {t.Offset}"));
        Assert.Equal(216, reference.ParameterCount);
        Assert.Equal(29, reference.InputSize);
        Assert.Equal([[4, 3, 2], [5]], reference.InputShapes);
        Assert.Throws<InvalidOperationException>(() => reference.InputShape);
        Assert.Equal([3], reference.OutputShape);
        Assert.Equal(10, reference.Declarations.Count);
        Assert.Equal(8, reference.Layers.Count);
    }

    [Fact]
    public void A_chain_declared_as_a_graph_is_the_chain()
    {
        var chain = new ReferenceNetwork([5, 4, 2], Loss.MeanSquaredError,
            new ReferenceConv2D(3, 2, 2, Activation.Tanh), new ReferenceFlatten(), new ReferenceLayer(3, Activation.Gelu), new ReferenceLayer(2, Activation.Linear));
        var graph = new ReferenceNetwork(Loss.MeanSquaredError,
            new ReferenceInput(5, 4, 2), new ReferenceConv2D(3, 2, 2, Activation.Tanh) { Name = "c" }, new ReferenceFlatten { From = "c" },
            new ReferenceLayer(3, Activation.Gelu), new ReferenceLayer(2, Activation.Linear));
        var random = new Random(4);
        double[] parameters = Enumerable.Range(0, chain.ParameterCount).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] inputs = Enumerable.Range(0, 3 * chain.InputSize).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        Assert.Equal(["c.weight", "c.bias", "dense_0.weight", "dense_0.bias", "dense_1.weight", "dense_1.bias"], graph.Tensors().Select(t => t.Name));
        Assert.Equal(chain.Tensors().Select(t => (t.Shape, t.Offset)), graph.Tensors().Select(t => (t.Shape, t.Offset)));
        Assert.Equal(chain.Forward(parameters, inputs, 3), graph.Forward(parameters, inputs, 3));
        Assert.Equal(chain.InputShape, graph.InputShape);
        Assert.Equal(chain.OutputShape, graph.OutputShape);
    }

    [Fact]
    public void Concatenate_joins_channels_per_pixel_and_flatten_then_reads_channel_major()
    {
        // a: [1, 2, 2], b: [1, 2, 1] → [1, 2, 3]: pixel 0 is (a₀, a₁, b₀), pixel 1 (a₂, a₃, b₁); Flatten reads channel by channel.
        var reference = new ReferenceNetwork(Loss.MeanSquaredError,
            new ReferenceInput(1, 2, 2) { Name = "a" }, new ReferenceInput(1, 2, 1) { Name = "b" },
            new ReferenceConcatenate("a", "b"), new ReferenceFlatten());
        Assert.Equal([6], reference.OutputShape);
        Assert.Equal([1.0, 3, 2, 4, 5, 6, 11, 13, 12, 14, 15, 16], reference.Forward([], [1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16], 2));
    }

    [Fact]
    public void A_merge_with_one_name_puts_the_previous_output_first_and_applies_its_activation()
    {
        var reference = new ReferenceNetwork(Loss.MeanSquaredError,
            new ReferenceInput(2) { Name = "x" }, new ReferenceInput(1) { Name = "y" },
            new ReferenceMultiply("x", "x") { Name = "square" },
            new ReferenceAdd("x") { Activation = Activation.Tanh, Name = "sum" },   // tanh(x² + x)
            new ReferenceConcatenate("sum") { From = "y" },                       // [y, sum₀, sum₁]
            new ReferenceConcatenate("square") { Activation = Activation.ReLU }); // relu([y, sum₀, sum₁, x₀², x₁²])
        double x0 = -0.5, x1 = 0.25, y = -2;
        Assert.Equal([0, Math.Max(Math.Tanh(x0 * x0 + x0), 0), Math.Tanh(x1 * x1 + x1), x0 * x0, x1 * x1], reference.Forward([], [x0, x1, y], 1));
        Assert.True(Math.Tanh(x0 * x0 + x0) < 0 && Math.Tanh(x1 * x1 + x1) > 0);
    }

    [Fact]
    public void Add_and_multiply_join_any_number_of_named_outputs_in_order()
    {
        var reference = new ReferenceNetwork(Loss.MeanSquaredError,
            new ReferenceInput(3) { Name = "a" }, new ReferenceInput(3) { Name = "b" }, new ReferenceInput(3) { Name = "c" },
            new ReferenceAdd("a", "b", "c") { Name = "sum" },
            new ReferenceMultiply("sum", "a", "c") { Activation = Activation.LeakyReLU, NegativeSlope = 0.5 });
        Assert.Equal([(1 + 4 + 7) * 1 * 7.0, (2 - 5 + 8) * 2 * 8.0, 0.5 * (-3 + 6 - 9) * -3 * -9.0], reference.Forward([], [1, 2, -3, 4, -5, 6, 7, 8, -9], 1));
    }

    [Fact]
    public void A_layer_reads_the_declaration_before_it_and_the_first_layer_the_first_input()
    {
        var first = new ReferenceNetwork(Loss.MeanSquaredError,
            new ReferenceInput(2) { Name = "x" }, new ReferenceInput(1) { Name = "y" }, new ReferenceFlatten());
        Assert.Equal([1.0, 2], first.Forward([], [1, 2, 3], 1));
        var interleaved = new ReferenceNetwork(Loss.MeanSquaredError,
            new ReferenceInput(2) { Name = "x" }, new ReferenceFlatten(), new ReferenceInput(1) { Name = "y" }, new ReferenceFlatten());
        Assert.Equal([3.0], interleaved.Forward([], [1, 2, 3], 1));
    }

    [Fact]
    public void Bad_graphs_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new ReferenceNetwork([3], Loss.MeanSquaredError, new ReferenceAdd("later"), new ReferenceLayer(3, Activation.Linear) { Name = "later" }));
        Assert.Throws<InvalidOperationException>(() => new ReferenceNetwork([3], Loss.MeanSquaredError, new ReferenceLayer(3, Activation.Linear) { Name = "h" }, new ReferenceLayer(3, Activation.Linear) { Name = "h" }));
        Assert.Throws<InvalidOperationException>(() => new ReferenceNetwork([3], Loss.MeanSquaredError, new ReferenceLayer(3, Activation.Linear) { Name = "h" }, new ReferenceLayer(2, Activation.Linear), new ReferenceAdd("h")));
        Assert.Throws<InvalidOperationException>(() => new ReferenceNetwork(Loss.MeanSquaredError,
            new ReferenceInput(5, 4, 2) { Name = "image" }, new ReferenceConv2D(2, 3, 3, Activation.Linear) { Name = "c" }, new ReferenceConcatenate("c") { From = "image" }));
        Assert.Throws<InvalidOperationException>(() => new ReferenceNetwork([3], Loss.MeanSquaredError,
            new ReferenceLayer(3, Activation.Linear) { Name = "h" }, new ReferenceLayer(3, Activation.Linear), new ReferenceAdd("h", "h") { From = "h" }));
        Assert.Throws<InvalidOperationException>(() => new ReferenceNetwork(Loss.MeanSquaredError,
            new ReferenceInput(3) { Name = "a" }, new ReferenceInput(1, 1, 3) { Name = "b" }, new ReferenceConcatenate("a", "b")));
        Assert.Throws<InvalidOperationException>(() => new ReferenceNetwork(Loss.MeanSquaredError,
            new ReferenceInput(2, 2, 3) { Name = "a" }, new ReferenceAdd("a", "a") { Activation = Activation.Softmax }));
        Assert.Throws<InvalidOperationException>(() => new ReferenceNetwork(Loss.MeanSquaredError, new ReferenceLayer(3, Activation.Linear)));
    }
}
