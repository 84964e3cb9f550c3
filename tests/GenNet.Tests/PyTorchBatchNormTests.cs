using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>
/// The network tests/fixtures/make_batchnorm_fixture.py builds as a PyTorch nn.Module: a residual convnet whose convolutions
/// are followed by BatchNorm2d, and a Dense layer followed by BatchNorm1d.
/// </summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(6, 6, 3)]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "stem")]
[BatchNormalization(Activation = Activation.ReLU, Name = "stem.bn")]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv1")]
[BatchNormalization(Activation = Activation.ReLU, Name = "block.bn1")]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv2")]
[BatchNormalization(Name = "block.bn2")]
[Add("stem.bn", Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(8, Activation.Linear, Name = "fc")]
[BatchNormalization(Activation = Activation.Tanh, Name = "fc.bn")]
[Dense(3, Activation.Softmax, Name = "head")]
public partial class PyTorchBatchNorm;

/// <summary>The same, inference only, with PyTorch's file compiled in: its running statistics come with it.</summary>
[Network(Training = false, Weights = "pytorch_batchnorm.safetensors")]
[Input(6, 6, 3)]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "stem")]
[BatchNormalization(Activation = Activation.ReLU, Name = "stem.bn")]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv1")]
[BatchNormalization(Activation = Activation.ReLU, Name = "block.bn1")]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv2")]
[BatchNormalization(Name = "block.bn2")]
[Add("stem.bn", Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(8, Activation.Linear, Name = "fc")]
[BatchNormalization(Activation = Activation.Tanh, Name = "fc.bn")]
[Dense(3, Activation.Softmax, Name = "head")]
public partial class CompiledPyTorchBatchNorm;

/// <summary>Trainable, starting from the compiled-in parameters and running statistics.</summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy, Weights = "pytorch_batchnorm.safetensors")]
[Input(6, 6, 3)]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "stem")]
[BatchNormalization(Activation = Activation.ReLU, Name = "stem.bn")]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv1")]
[BatchNormalization(Activation = Activation.ReLU, Name = "block.bn1")]
[Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv2")]
[BatchNormalization(Name = "block.bn2")]
[Add("stem.bn", Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(8, Activation.Linear, Name = "fc")]
[BatchNormalization(Activation = Activation.Tanh, Name = "fc.bn")]
[Dense(3, Activation.Softmax, Name = "head")]
public partial class PretrainedPyTorchBatchNorm;

/// <summary>
/// A state_dict PyTorch wrote with its BatchNorm buffers (num_batches_tracked as int64) loads by name into the generated
/// network. Forward normalises with the running statistics and reproduces PyTorch's eval-mode float64 outputs (within
/// 1e-5); a training step normalises with the batch's statistics and reproduces PyTorch's train-mode loss (1e-5
/// relative), outputs (1e-5), updated running statistics (1e-5 relative plus 1e-5 absolute) and gradients: 1e-5 relative
/// plus an absolute 1e-5 of the network's largest gradient (2.2). The absolute term is norm-wise because behind a
/// training-mode normalisation a gradient is a sum made to cancel: the backward takes from dy its mean and its part along
/// x̂ (dx = γ/σ · (dy − mean dy − x̂ · mean(dy · x̂))), so a small gradient can be the sum of much larger terms
/// (stem.weight[95], −0.00255, sums 576 terms whose magnitudes add up to 4.7), and the biases just before a normalisation
/// have gradient exactly 0: the float32 error follows the size of the gradients flowing, not the element's. PyTorch's own
/// float32 run is off by up to 9e-6 and uses 0.39 of this bound (make_batchnorm_fixture.py checks it stays under half).
/// </summary>
public sealed class PyTorchBatchNormTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static readonly string s_weights = Path.Combine(PyTorchFixture.Directory, "pytorch_batchnorm.safetensors");

    private static JsonElement Fixture() => PyTorchFixture.Read("pytorch_batchnorm_io.json");

    private static float[] Floats(JsonElement array) => PyTorchFixture.Floats(array);

    private static double[] Doubles(JsonElement array) => PyTorchFixture.Doubles(array);

    private static int[] Labels(JsonElement json) => json.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static string Describe(string name, IEnumerable<int> shape) => $"{name} [{string.Join(", ", shape)}]";

    private static IEnumerable<string> Described(JsonElement tensors) =>
        tensors.EnumerateArray().Select(t => Describe(t.GetProperty("name").GetString()!, t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())));

    private static PyTorchBatchNorm Loaded()
    {
        var network = new PyTorchBatchNorm();
        network.Load(s_weights);
        return network;
    }

    /// <summary>The PyTorch file loaded and one training step taken: the running statistics are no longer the file's.</summary>
    private static PyTorchBatchNorm Stepped()
    {
        JsonElement json = Fixture();
        PyTorchBatchNorm network = Loaded();
        network.ComputeGradients(Floats(json.GetProperty("inputs")), Labels(json), json.GetProperty("batch").GetInt32());
        return network;
    }

    [Fact]
    public void Parameters_and_buffers_are_the_state_dicts()
    {
        JsonElement json = Fixture();
        var network = new PyTorchBatchNorm();
        Assert.Equal(Described(json.GetProperty("parameters")), network.ParameterTensors.Select(t => Describe(t.Name, t.Shape)));
        Assert.Equal(Described(json.GetProperty("buffers")), network.BufferTensors.Select(t => Describe(t.Name, t.Shape)));
        Assert.Equal(112 + 8 + 148 + 8 + 148 + 8 + 296 + 16 + 27, PyTorchBatchNorm.ParameterCount);
        Assert.Equal(3 * (2 * 4 + 1) + 2 * 8 + 1, network.Buffers.Length);
    }

    /// <summary>PyTorchBatchNorm in GenNet's float64 reference (tests/GenNet.Tests/ReferenceNetwork.cs).</summary>
    private static ReferenceNetwork Reference { get; } = new(
        [6, 6, 3], Loss.SparseCategoricalCrossEntropy,
        new ReferenceConv2D(4, 3, 3, Activation.Linear, Padding: Padding.Same) { Name = "stem" },
        new ReferenceBatchNormalization { Activation = Activation.ReLU, Name = "stem.bn" },
        new ReferenceConv2D(4, 3, 3, Activation.Linear, Padding: Padding.Same) { Name = "block.conv1" },
        new ReferenceBatchNormalization { Activation = Activation.ReLU, Name = "block.bn1" },
        new ReferenceConv2D(4, 3, 3, Activation.Linear, Padding: Padding.Same) { Name = "block.conv2" },
        new ReferenceBatchNormalization { Name = "block.bn2" },
        new ReferenceAdd("stem.bn") { Activation = Activation.ReLU },
        new ReferenceMaxPool2D(2),
        new ReferenceFlatten(),
        new ReferenceLayer(8, Activation.Linear) { Name = "fc" },
        new ReferenceBatchNormalization { Activation = Activation.Tanh, Name = "fc.bn" },
        new ReferenceLayer(3, Activation.Softmax) { Name = "head" });

    [Fact]
    public void The_float64_reference_reproduces_pytorch_in_both_modes()
    {
        JsonElement json = Fixture();
        int batch = json.GetProperty("batch").GetInt32();
        double[] inputs = ReferenceNetworkTests.Floats32(json.GetProperty("inputs"));
        PyTorchBatchNorm network = Loaded();
        Assert.Equal(Reference.Tensors().Select(t => $"{Describe(t.Name, t.Shape)} at {t.Offset}"), network.ParameterTensors.Select(t => t.ToString()));
        Assert.Equal(Reference.BufferTensors().Select(t => $"{Describe(t.Name, t.Shape)} at {t.Offset}"), network.BufferTensors.Select(t => t.ToString()));
        double[] parameters = network.Parameters.ToArray().Select(v => (double)v).ToArray();
        double[] buffers = network.Buffers.ToArray().Select(v => (double)v).ToArray();
        double[] targets = Reference.TargetsFromLabels(Labels(json));

        double eval = Worst(Reference.Forward(parameters, inputs, batch, buffers), Doubles(json.GetProperty("outputs")));
        double train = Worst(Reference.Forward(parameters, inputs, batch, new ReferenceTraining(0), buffers), Doubles(json.GetProperty("train_outputs")));
        double statistics = Worst(buffers, network.BufferTensors.SelectMany(t => Doubles(json.GetProperty("buffers_after_step").GetProperty(t.Name))).ToArray());
        double loss = Math.Abs(Reference.LossValue(parameters, inputs, targets, batch, new ReferenceTraining(0)) - json.GetProperty("loss").GetDouble());
        output.WriteLine($"reference − torch: eval outputs {eval:G3}, train outputs {train:G3}, running statistics {statistics:G3}, loss {loss:G3}");
        Assert.True(Math.Max(Math.Max(eval, train), Math.Max(statistics, loss)) <= 1e-12, "the float64 reference differs from PyTorch's float64");

        static double Worst(double[] actual, double[] expected) => actual.Zip(expected, (a, e) => Math.Abs(a - e)).Append(expected.Length - actual.Length).Max();
    }

    [Fact]
    public void A_pytorch_file_loads_its_running_statistics_and_forward_uses_them()
    {
        JsonElement json = Fixture();
        int batch = json.GetProperty("batch").GetInt32();
        float[] inputs = Floats(json.GetProperty("inputs"));
        PyTorchBatchNorm network = Loaded();
        foreach (ParameterTensor tensor in network.BufferTensors) // num_batches_tracked was int64 in the file
        {
            Assert.Equal(Floats(json.GetProperty("buffer_values").GetProperty(tensor.Name)), tensor.Slice(network.Buffers).ToArray());
        }

        float[] loaded = network.Buffers.ToArray();
        (double worstOutput, double worstSingle) = PyTorchFixture.WorstOutputs(network, inputs, Doubles(json.GetProperty("outputs")), batch);
        output.WriteLine($"eval outputs: worst |generated − torch| {worstOutput:G3} (batch), {worstSingle:G3} (one sample)");
        Assert.True(worstOutput <= Tolerance && worstSingle <= Tolerance, $"outputs differ by {worstOutput} (batch), {worstSingle} (one sample)");
        Assert.Equal(loaded, network.Buffers.ToArray()); // inference leaves the running statistics alone
    }

    [Fact]
    public void Compiled_in_weights_bring_their_running_statistics()
    {
        JsonElement json = Fixture();
        int batch = json.GetProperty("batch").GetInt32();
        float[] inputs = Floats(json.GetProperty("inputs"));
        PyTorchBatchNorm loaded = Loaded();
        var compiled = new CompiledPyTorchBatchNorm();
        var pretrained = new PretrainedPyTorchBatchNorm();
        Assert.Equal(loaded.Buffers.ToArray(), compiled.Buffers.ToArray());
        Assert.Equal(loaded.Buffers.ToArray(), pretrained.Buffers.ToArray());
        Assert.Equal(loaded.Parameters.ToArray(), pretrained.Parameters.ToArray());
        (double worstOutput, double worstSingle) = PyTorchFixture.WorstOutputs(compiled, inputs, Doubles(json.GetProperty("outputs")), batch);
        Assert.True(worstOutput <= Tolerance && worstSingle <= Tolerance, $"outputs differ by {worstOutput} (batch), {worstSingle} (one sample)");

        // Training moves one instance's running statistics, not the compiled-in ones every new instance starts from.
        pretrained.ComputeGradients(inputs, Labels(json), batch);
        Assert.NotEqual(loaded.Buffers.ToArray(), pretrained.Buffers.ToArray());
        Assert.Equal(loaded.Buffers.ToArray(), new PretrainedPyTorchBatchNorm().Buffers.ToArray());
        Assert.Equal(loaded.Buffers.ToArray(), new CompiledPyTorchBatchNorm().Buffers.ToArray());
    }

    [Fact]
    public void A_training_step_reproduces_pytorchs_loss_gradients_and_running_statistics()
    {
        JsonElement json = Fixture();
        int batch = json.GetProperty("batch").GetInt32();
        float[] inputs = Floats(json.GetProperty("inputs"));
        PyTorchBatchNorm network = Loaded();

        float loss = network.ComputeGradients(inputs, Labels(json), batch);
        double torchLoss = json.GetProperty("loss").GetDouble();
        output.WriteLine($"loss: generated {loss:R}, torch {torchLoss:R}, relative error {Math.Abs(loss - torchLoss) / torchLoss:G3}");
        Assert.True(Math.Abs(loss - torchLoss) <= Tolerance * Math.Abs(torchLoss), $"loss {loss} against {torchLoss}");
        double[] trainOutputs = Doubles(json.GetProperty("train_outputs"));
        double worstOutput = trainOutputs.Select((e, i) => Math.Abs(network.Outputs[i] - e)).Max();
        output.WriteLine($"train outputs: worst |generated − torch| {worstOutput:G3}");
        Assert.True(worstOutput <= Tolerance, $"train-mode outputs differ by {worstOutput}");

        // The absolute term: 1e-5 of the largest gradient of the network (see the class's summary).
        double absolute = Tolerance * network.ParameterTensors.Max(t => Doubles(json.GetProperty("gradients").GetProperty(t.Name)).Max(Math.Abs));
        (double worst, string where) = PyTorchFixture.WorstGradient(network, json.GetProperty("gradients"), Tolerance, absolute);
        output.WriteLine($"gradients: worst {worst:G3} of the bound at {where}");
        Assert.True(worst <= 1, $"gradients: worst {worst} of the bound at {where}");

        double worstStatistic = 0;
        foreach (ParameterTensor tensor in network.BufferTensors)
        {
            double[] torch = Doubles(json.GetProperty("buffers_after_step").GetProperty(tensor.Name));
            ReadOnlySpan<float> buffer = tensor.Slice(network.Buffers);
            if (tensor.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            {
                float before = Floats(json.GetProperty("buffer_values").GetProperty(tensor.Name))[0];
                Assert.Equal(before + 1, buffer[0]);
                Assert.Equal(torch[0], buffer[0]);
                continue;
            }

            for (int i = 0; i < torch.Length; i++)
            {
                worstStatistic = Math.Max(worstStatistic, Math.Abs(buffer[i] - torch[i]) / (1 + Math.Abs(torch[i])));
            }
        }

        output.WriteLine($"running statistics: worst |generated − torch| / (1 + |torch|) {worstStatistic:G3}");
        Assert.True(worstStatistic <= Tolerance, $"running statistics differ by {worstStatistic} (relative to 1 + |torch|)");
    }

    [Fact]
    public void Save_then_load_into_a_fresh_network_reproduces_parameters_and_buffers()
    {
        PyTorchBatchNorm network = Stepped();
        new Adam().Step(network.Parameters, network.Gradients); // the parameters no longer the file's either
        var stream = new MemoryStream();
        network.Save(stream);

        var fresh = new PyTorchBatchNorm();
        fresh.Load(new MemoryStream(stream.ToArray()));
        Assert.Equal(network.Parameters.ToArray(), fresh.Parameters.ToArray());
        Assert.Equal(network.Buffers.ToArray(), fresh.Buffers.ToArray());
        Assert.Equal(7f, fresh.Buffers[network.BufferTensors.Single(t => t.Name == "stem.bn.num_batches_tracked").Offset]);
    }

    [Theory]
    [InlineData("block.bn2.running_var")]
    [InlineData("fc.bn.num_batches_tracked")]
    public void A_file_missing_a_buffer_is_rejected_naming_it_and_leaves_the_network_alone(string missing)
    {
        PyTorchBatchNorm network = Stepped();
        float[] parameters = network.Parameters.ToArray(), buffers = network.Buffers.ToArray();

        byte[] file = Without(File.ReadAllBytes(s_weights), missing);
        new PyTorchBatchNorm().Load(new MemoryStream(Without(File.ReadAllBytes(s_weights), null))); // the rewriting alone keeps a valid file
        var error = Assert.Throws<InvalidDataException>(() => network.Load(new MemoryStream(file), "old.safetensors"));
        Assert.Equal($"old.safetensors: tensor '{missing}' is missing.", error.Message);
        Assert.Equal(parameters, network.Parameters.ToArray());
        Assert.Equal(buffers, network.Buffers.ToArray());
    }

    /// <summary>A safetensors file rewritten without tensor <paramref name="missing"/> (null: all kept), its data packed again.</summary>
    private static byte[] Without(byte[] file, string? missing)
    {
        int headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        JsonObject header = JsonNode.Parse(file.AsSpan(8, headerLength))!.AsObject();
        if (missing is not null)
        {
            Assert.True(header.Remove(missing));
        }

        var data = new MemoryStream();
        foreach (JsonObject entry in header.Where(p => p.Key != "__metadata__").Select(p => p.Value!.AsObject()).ToArray())
        {
            long begin = (long)entry["data_offsets"]![0]!, end = (long)entry["data_offsets"]![1]!;
            entry["data_offsets"] = new JsonArray(data.Length, data.Length + end - begin);
            data.Write(file, 8 + headerLength + (int)begin, (int)(end - begin));
        }

        string text = header.ToJsonString();
        byte[] json = Encoding.UTF8.GetBytes(text + new string(' ', (8 - Encoding.UTF8.GetByteCount(text) % 8) % 8));
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.ToArray().CopyTo(bytes, 8 + json.Length);
        return bytes;
    }
}
