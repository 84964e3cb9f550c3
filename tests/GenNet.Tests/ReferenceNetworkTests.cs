using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>
/// The float64 reference against PyTorch (tests/fixtures/make_conv_fixture.py, computed in float64 by PyTorch), with no
/// GenNet code involved: a convnet's outputs, loss and gradients, and single layers — convolutions with valid and same
/// padding, strides 1 to 3, even, odd and non-square kernels, pooling with clipped windows and ties, Flatten's order.
/// Gradients are the reference's central differences against PyTorch's autograd.
/// </summary>
public sealed class ReferenceNetworkTests(ITestOutputHelper output)
{
    private const double ForwardBound = 1e-12;     // |ref − torch| ≤ bound · (1 + |torch|): both float64
    private const double GradientRelative = 1e-6;  // |fd − torch| ≤ relative · |torch| + absolute (central differences, step 1e-5)
    private const double GradientAbsolute = 1e-9;

    private static readonly string s_fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures");
    private static readonly Lazy<JsonDocument> s_json = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(s_fixtures, "pytorch_convnet_io.json"))));

    /// <summary>The fixture's network, declared as GenNet will declare it.</summary>
    public static ReferenceNetwork ConvNet { get; } = new(
        [9, 8, 2], Loss.SparseCategoricalCrossEntropy,
        new ReferenceConv2D(4, 3, 3, Activation.ReLU, Padding: Padding.Same),
        new ReferenceMaxPool2D(2, Padding: Padding.Same),
        new ReferenceConv2D(5, 2, 3, Activation.Tanh, Stride: 2, Padding: Padding.Same),
        new ReferenceAveragePool2D(2, Stride: 1, Padding: Padding.Same),
        new ReferenceFlatten(),
        new ReferenceLayer(5, Activation.Softmax));

    public static IEnumerable<object[]> Probes() =>
        s_json.Value.RootElement.GetProperty("probes").EnumerateArray().Select(p => new object[] { p.GetProperty("name").GetString()! });

    [Fact]
    public void The_convnet_reproduces_pytorch_outputs_loss_and_gradients()
    {
        JsonElement net = s_json.Value.RootElement.GetProperty("network");
        Assert.Equal(Ints(net.GetProperty("input_shape")), ConvNet.InputShape);
        CheckAgainstPyTorch(ConvNet, "pytorch_convnet.safetensors", net, output);
    }

    /// <summary>
    /// A PyTorch state_dict fixture: the parameters from <paramref name="weights"/> (keys = the reference's tensor names), and
    /// in <paramref name="net"/> the batch, inputs, labels, outputs, loss, tensors in arena order and gradients by name.
    /// </summary>
    internal static void CheckAgainstPyTorch(ReferenceNetwork reference, string weights, JsonElement net, ITestOutputHelper output)
    {
        int batch = net.GetProperty("batch").GetInt32();
        Dictionary<string, (int[] Shape, double[] Values)> file = ReadSafeTensors(Path.Combine(s_fixtures, weights));
        var parameters = new double[reference.ParameterCount];
        foreach ((string name, int[] shape, int offset) in reference.Tensors())
        {
            Assert.Equal(shape, file[name].Shape);
            file[name].Values.CopyTo(parameters, offset);
        }

        Assert.Equal(file.Keys.Order(), reference.Tensors().Select(t => t.Name).Order());
        Assert.Equal(net.GetProperty("tensors").EnumerateArray().Select(t => t.GetProperty("name").GetString()), reference.Tensors().Select(t => t.Name));

        double[] inputs = Floats32(net.GetProperty("inputs"));
        double[] targets = reference.TargetsFromLabels(Ints(net.GetProperty("labels")));
        double forward = ForwardRatio(reference.Forward(parameters, inputs, batch), Doubles(net.GetProperty("outputs")), out string where);
        double loss = ForwardRatio([reference.LossValue(parameters, inputs, targets, batch)], [net.GetProperty("loss").GetDouble()], out _);

        var expected = new double[parameters.Length];
        foreach ((string name, _, int offset) in reference.Tensors())
        {
            Doubles(net.GetProperty("gradients").GetProperty(name)).CopyTo(expected, offset);
        }

        (double gradient, string gradientWhere) = GradientRatio(reference, parameters, inputs, targets, batch, expected);
        output.WriteLine($"outputs: worst {forward:G3} of the bound at {where}");
        output.WriteLine($"loss: {loss:G3} of the bound");
        output.WriteLine($"gradients ({parameters.Length}): worst {gradient:G3} of the bound at {gradientWhere}");
        Assert.True(forward <= 1 && loss <= 1 && gradient <= 1, $"outputs {forward}, loss {loss}, gradients {gradient} at {gradientWhere}");
    }

    [Theory]
    [MemberData(nameof(Probes))]
    public void A_single_layer_reproduces_pytorch(string name)
    {
        JsonElement probe = s_json.Value.RootElement.GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
        JsonElement layer = probe.GetProperty("layer");
        int batch = probe.GetProperty("batch").GetInt32();
        var reference = new ReferenceNetwork(Ints(probe.GetProperty("input_shape")), Loss.MeanSquaredError, Layer(layer));
        Assert.Equal(Ints(probe.GetProperty("output_shape")), reference.OutputShape);

        double[] inputs = Floats32(probe.GetProperty("inputs"));
        double[] targets = Floats32(probe.GetProperty("targets"));
        double[] parameters = Floats32(probe.GetProperty("parameters"));
        Assert.Equal(reference.ParameterCount, parameters.Length);
        double forward = ForwardRatio(reference.Forward(parameters, inputs, batch), Doubles(probe.GetProperty("outputs")), out string where);
        double loss = ForwardRatio([reference.LossValue(parameters, inputs, targets, batch)], [probe.GetProperty("loss").GetDouble()], out _);
        output.WriteLine($"outputs: worst {forward:G3} of the bound at {where}; loss {loss:G3}");
        Assert.True(forward <= 1 && loss <= 1, $"outputs {forward} at {where}, loss {loss}");

        if (parameters.Length > 0)
        {
            (double gradient, string gradientWhere) = GradientRatio(reference, parameters, inputs, targets, batch, Doubles(probe.GetProperty("gradients")));
            output.WriteLine($"gradients ({parameters.Length}): worst {gradient:G3} of the bound at {gradientWhere}");
            Assert.True(gradient <= 1, $"gradients {gradient} at {gradientWhere}");
        }

        if (probe.TryGetProperty("input_gradients", out JsonElement inputGradients))
        {
            // Max pooling's backward as GenNet implements it (each output's gradient to the first maximum of its window,
            // scanning rows then columns, padding skipped) against PyTorch's, ties included.
            double[] expected = Doubles(inputGradients);
            double[] routed = MaxPoolBackward(reference, layer, inputs, targets, batch);
            double worst = expected.Zip(routed, (e, r) => Math.Abs(e - r) / (ForwardBound * (1 + Math.Abs(e)))).Max();
            output.WriteLine($"max-pool input gradients, first maximum on ties: worst {worst:G3} of the bound");
            Assert.True(worst <= 1, $"max-pool input gradients: {worst}");
        }
    }

    [Fact]
    public void Same_and_valid_output_sizes_and_padding_follow_tensorflow()
    {
        // (size, window, stride) → (valid size), (same size, padding before); the extra padding row goes after.
        Assert.Equal((3, 0), ReferenceNetwork.Window(8, 3, 2, Padding.Valid));   // ⌊5 / 2⌋ + 1: the last row unused
        Assert.Equal((1, 0), ReferenceNetwork.Window(5, 5, 1, Padding.Valid));
        Assert.Equal((4, 1), ReferenceNetwork.Window(7, 3, 2, Padding.Same));    // total 3·2 + 3 − 7 = 2: 1 before, 1 after
        Assert.Equal((3, 0), ReferenceNetwork.Window(5, 2, 2, Padding.Same));    // total 1: 0 before, 1 after
        Assert.Equal((6, 1), ReferenceNetwork.Window(6, 4, 1, Padding.Same));    // total 3: 1 before, 2 after
        Assert.Equal((2, 0), ReferenceNetwork.Window(6, 1, 3, Padding.Same));    // total 0
        Assert.Equal((3, 0), ReferenceNetwork.Window(9, 2, 4, Padding.Same));    // total max(2·4 + 2 − 9, 0) = 1
        Assert.Equal((2, 0), ReferenceNetwork.Window(8, 2, 5, Padding.Same));    // total max(5 + 2 − 8, 0) = 0
    }

    [Fact]
    public void Tensors_number_convolutions_and_dense_layers_separately_in_declaration_order()
    {
        var reference = new ReferenceNetwork(
            [6, 5, 3], Loss.MeanSquaredError,
            new ReferenceConv2D(4, 2, 3, Activation.ReLU),
            new ReferenceDropout(0.5),
            new ReferenceConv2D(2, 1, 1, Activation.Tanh, Stride: 2, Padding: Padding.Same),
            new ReferenceFlatten(),
            new ReferenceLayer(3, Activation.Tanh),
            new ReferenceLayer(2, Activation.Linear));
        Assert.Equal(
            ["conv_0.weight [4, 3, 2, 3] at 0", "conv_0.bias [4] at 72", "conv_1.weight [2, 4, 1, 1] at 76", "conv_1.bias [2] at 84",
             "dense_0.weight [3, 12] at 86", "dense_0.bias [3] at 122", "dense_1.weight [2, 3] at 125", "dense_1.bias [2] at 131"],
            reference.Tensors().Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] at {t.Offset}"));
        Assert.Equal(133, reference.ParameterCount);
        Assert.Equal(90, reference.InputSize);
        Assert.Equal([2], reference.OutputShape);
    }

    [Fact]
    public void Dropout_is_the_identity_at_inference_and_applies_the_seeded_masks_in_training()
    {
        var reference = new ReferenceNetwork([3, 2, 4], Loss.MeanSquaredError, new ReferenceDropout(0.5), new ReferenceFlatten(), new ReferenceDropout(0.2));
        double[] inputs = Enumerable.Range(1, 2 * 24).Select(i => (double)i).ToArray();
        double[] inferred = reference.Forward([], inputs, 2);
        double[] trained = reference.Forward([], inputs, 2, new ReferenceTraining(7, Step: 3));
        for (int b = 0; b < 2; b++)
        {
            var first = new float[24];
            var second = new float[24];
            GenNet.Kernels.Dropout.Mask(7, 3, 0, b, 0.5f, first);   // on the channels-last image
            GenNet.Kernels.Dropout.Mask(7, 3, 1, b, 0.2f, second);  // on the channel-major flattened vector
            for (int ch = 0; ch < 4; ch++)
            {
                for (int p = 0; p < 6; p++)
                {
                    double x = inputs[b * 24 + p * 4 + ch];
                    Assert.Equal(x, inferred[b * 24 + ch * 6 + p]); // Flatten's channel-major order
                    Assert.Equal(x * first[p * 4 + ch] * second[ch * 6 + p], trained[b * 24 + ch * 6 + p]);
                }
            }
        }

        Assert.Contains(0.0, trained);
        Assert.NotEqual(trained, reference.Forward([], inputs, 2, new ReferenceTraining(7, Step: 4)));
        var none = new ReferenceNetwork([5], Loss.MeanSquaredError, new ReferenceDropout(0));
        Assert.Equal(inputs.Take(10), none.Forward([], inputs.AsSpan(0, 10), 2, new ReferenceTraining(7)));
    }

    private static ReferenceNetworkLayer Layer(JsonElement layer)
    {
        string type = layer.GetProperty("type").GetString()!;
        Padding Pad() => layer.GetProperty("padding").GetString() == "same" ? Padding.Same : Padding.Valid;
        int Int(string name) => layer.GetProperty(name).GetInt32();
        return type switch
        {
            "Conv2D" => new ReferenceConv2D(Int("filters"), Int("kh"), Int("kw"), Enum.Parse<Activation>(layer.GetProperty("activation").GetString()!), Int("stride"), Pad()),
            "MaxPool2D" => new ReferenceMaxPool2D(Int("pool"), Int("stride"), Pad()),
            "AveragePool2D" => new ReferenceAveragePool2D(Int("pool"), Int("stride"), Pad()),
            "Flatten" => new ReferenceFlatten(),
            _ => throw new InvalidDataException(type),
        };
    }

    /// <summary>dL/dx of a lone max pool under the mean squared error: each output's gradient to its window's first maximum.</summary>
    private static double[] MaxPoolBackward(ReferenceNetwork reference, JsonElement layer, double[] inputs, double[] targets, int batch)
    {
        double[] y = reference.Forward([], inputs, batch);
        int h = reference.InputShape[0], w = reference.InputShape[1], c = reference.InputShape[2];
        int pool = layer.GetProperty("pool").GetInt32(), s = layer.GetProperty("stride").GetInt32();
        Padding padding = layer.GetProperty("padding").GetString() == "same" ? Padding.Same : Padding.Valid;
        (int oh, int top) = ReferenceNetwork.Window(h, pool, s, padding);
        (int ow, int left) = ReferenceNetwork.Window(w, pool, s, padding);
        var dx = new double[inputs.Length];
        for (int b = 0; b < batch; b++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    for (int ch = 0; ch < c; ch++)
                    {
                        int at = -1;
                        for (int ky = 0; ky < pool; ky++)
                        {
                            for (int kx = 0; kx < pool; kx++)
                            {
                                int iy = oy * s + ky - top, ix = ox * s + kx - left;
                                int i = b * h * w * c + (iy * w + ix) * c + ch;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w && (at < 0 || inputs[i] > inputs[at]))
                                {
                                    at = i;
                                }
                            }
                        }

                        int o = b * oh * ow * c + (oy * ow + ox) * c + ch;
                        dx[at] += 2 * (y[o] - targets[o]) / y.Length;
                    }
                }
            }
        }

        return dx;
    }

    internal static double ForwardRatio(double[] actual, double[] expected, out string where)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        where = "-";
        for (int i = 0; i < expected.Length; i++)
        {
            double ratio = Math.Abs(actual[i] - expected[i]) / (ForwardBound * (1 + Math.Abs(expected[i])));
            if (!(ratio <= worst))
            {
                worst = double.IsNaN(ratio) ? double.PositiveInfinity : ratio;
                where = $"{i}: reference {actual[i]:R}, torch {expected[i]:R}";
            }
        }

        return worst;
    }

    internal static (double Worst, string Where) GradientRatio(
        ReferenceNetwork reference, double[] parameters, double[] inputs, double[] targets, int batch, double[] expected)
    {
        Assert.Equal(parameters.Length, expected.Length);
        double worst = 0, worstRelative = 0;
        string where = "-";
        for (int i = 0; i < parameters.Length; i++)
        {
            double numeric = reference.NumericGradient(parameters, inputs, targets, batch, i, step: 1e-5);
            double ratio = Math.Abs(numeric - expected[i]) / (GradientRelative * Math.Abs(expected[i]) + GradientAbsolute);
            worstRelative = Math.Max(worstRelative, Math.Abs(numeric - expected[i]) / Math.Max(Math.Abs(expected[i]), 1e-300));
            if (!(ratio <= worst))
            {
                worst = double.IsNaN(ratio) ? double.PositiveInfinity : ratio;
                where = $"parameter {i}: central difference {numeric:R}, torch {expected[i]:R}";
            }
        }

        return (worst, $"{where} (largest relative error {worstRelative:G3})");
    }

    /// <summary>A safetensors file of F32 tensors, read here with no GenNet code: 8-byte header length, JSON header, data.</summary>
    internal static Dictionary<string, (int[] Shape, double[] Values)> ReadSafeTensors(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        using JsonDocument header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength));
        var result = new Dictionary<string, (int[], double[])>();
        foreach (JsonProperty tensor in header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__"))
        {
            Assert.Equal("F32", tensor.Value.GetProperty("dtype").GetString());
            int[] offsets = Ints(tensor.Value.GetProperty("data_offsets"));
            var values = new double[(offsets[1] - offsets[0]) / 4];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + headerLength + offsets[0] + 4 * i));
            }

            result[tensor.Name] = (Ints(tensor.Value.GetProperty("shape")), values);
        }

        return result;
    }

    internal static int[] Ints(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    internal static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>Values PyTorch rounded to float32 and wrote in float32's shortest form: back to that exact float32.</summary>
    internal static double[] Floats32(JsonElement array) => array.EnumerateArray().Select(v => (double)(float)v.GetDouble()).ToArray();
}
