using System;
using System.Linq;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// The float64 reference as a graph: named outputs, <c>From</c>, several inputs, Add / Multiply / Concatenate, and tensor
/// names, checked on values worked out by hand.
/// </summary>
public sealed class ReferenceGraphTests
{
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
