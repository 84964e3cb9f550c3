using System.Linq;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>The network tests/fixtures/make_recurrent_fixture.py runs through torch.nn.LSTM, GRU and RNN, declared in GenNet.</summary>
[Network]
[Input(6, 3)]
[LSTM(5, ReturnSequences = true)]
[GRU(4, ReturnSequences = true)]
[SimpleRNN(3)]
[Dense(4, Activation.Softmax)]
public partial class PyTorchRecurrent;

/// <summary>The same, inference only, with PyTorch's file compiled in.</summary>
[Network(Training = false, Weights = "pytorch_recurrent.safetensors")]
[Input(6, 3)]
[LSTM(5, ReturnSequences = true)]
[GRU(4, ReturnSequences = true)]
[SimpleRNN(3)]
[Dense(4, Activation.Softmax)]
public partial class CompiledPyTorchRecurrent;

/// <summary>The token network of make_recurrent_fixture.py: nn.Embedding into nn.LSTM.</summary>
[Network]
[Input(5)]
[Embedding(7, 4)]
[LSTM(3)]
[Dense(2, Activation.Softmax)]
public partial class PyTorchEmbedding;

/// <summary>
/// LSTM, GRU and SimpleRNN against torch.nn.LSTM, GRU and RNN (PyTorch's gate order, its GRU formula, zero initial state,
/// every step's state and the last one): the float64 reference reproduces PyTorch's outputs, loss and gradients, and the
/// generated network, trainable or inference-only with the file compiled in, loads PyTorch's state_dict and reproduces its
/// outputs (1e-5), loss (1e-5) and gradients through time (1e-4 relative plus 1e-6); likewise Embedding against
/// torch.nn.Embedding, token ids repeated so that its table's gradient rows gather several steps.
/// </summary>
public sealed class PyTorchRecurrentTests(ITestOutputHelper output)
{
    private const string Weights = "pytorch_recurrent.safetensors";

    private static JsonElement Network() => PyTorchFixture.Read("pytorch_recurrent_io.json").GetProperty("network");

    private static JsonElement EmbeddingNetwork() => PyTorchFixture.Read("pytorch_recurrent_io.json").GetProperty("embedding_network");

    private static ReferenceNetwork EmbeddingReference { get; } = new(
        [5], Loss.SparseCategoricalCrossEntropy, new ReferenceEmbedding(7, 4), new ReferenceLSTM(3), new ReferenceLayer(2, Activation.Softmax));

    /// <summary>The fixture's network as the reference declares it.</summary>
    private static ReferenceNetwork Reference { get; } = new(
        [6, 3], Loss.SparseCategoricalCrossEntropy,
        new ReferenceLSTM(5, ReturnSequences: true),
        new ReferenceGRU(4, ReturnSequences: true),
        new ReferenceSimpleRNN(3),
        new ReferenceLayer(4, Activation.Softmax));

    [Fact]
    public void The_reference_reproduces_pytorch_outputs_loss_and_gradients() =>
        ReferenceNetworkTests.CheckAgainstPyTorch(Reference, Weights, Network(), output);

    [Fact]
    public void The_parameter_layout_is_pytorchs()
    {
        Assert.Equal(
            Reference.Tensors().Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] at {t.Offset}"),
            new PyTorchRecurrent().ParameterTensors.Select(t => t.ToString()));
        Assert.Equal(
            Network().GetProperty("tensors").EnumerateArray().Select(t => $"{t.GetProperty("name").GetString()} {t.GetProperty("shape")}"),
            new PyTorchRecurrent().ParameterTensors.Select(t => $"{t.Name} [{string.Join(",", t.Shape.ToArray())}]"));
    }

    [Fact]
    public void A_pytorch_file_loads_and_reproduces_pytorch_outputs_loss_and_gradients()
    {
        JsonElement json = Network();
        int batch = json.GetProperty("batch").GetInt32();
        float[] inputs = PyTorchFixture.Floats(json.GetProperty("inputs"));
        int[] labels = json.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var network = new PyTorchRecurrent();
        network.Load(System.IO.Path.Combine(PyTorchFixture.Directory, Weights));

        (double worstBatch, double worstSingle) = PyTorchFixture.WorstOutputs(network, inputs, PyTorchFixture.Doubles(json.GetProperty("outputs")), batch);
        float loss = network.ComputeGradients(inputs, labels, batch);
        (double gradient, string where) = PyTorchFixture.WorstGradient(network, json.GetProperty("gradients"), relative: 1e-4, absolute: 1e-6);
        output.WriteLine($"outputs: worst {worstBatch:G3} (batch), {worstSingle:G3} (one sample); loss {loss} against {json.GetProperty("loss").GetDouble()}");
        output.WriteLine($"gradients: worst {gradient:G3} of the bound at {where}");
        Assert.True(worstBatch <= 1e-5 && worstSingle <= 1e-5, $"outputs off by {worstBatch} (batch), {worstSingle} (one sample)");
        Assert.Equal(json.GetProperty("loss").GetDouble(), loss, 1e-5);
        Assert.True(gradient <= 1, $"gradients: worst {gradient} of the bound at {where}");
    }

    [Fact]
    public void The_reference_reproduces_pytorchs_embedding() =>
        ReferenceNetworkTests.CheckAgainstPyTorch(EmbeddingReference, "pytorch_embedding.safetensors", EmbeddingNetwork(), output);

    [Fact]
    public void A_pytorch_embedding_file_loads_and_reproduces_pytorch_outputs_loss_and_gradients()
    {
        JsonElement json = EmbeddingNetwork();
        int batch = json.GetProperty("batch").GetInt32();
        float[] inputs = PyTorchFixture.Floats(json.GetProperty("inputs"));
        int[] labels = json.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var network = new PyTorchEmbedding();
        Assert.Equal(EmbeddingReference.Tensors().Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] at {t.Offset}"), network.ParameterTensors.Select(t => t.ToString()));
        network.Load(System.IO.Path.Combine(PyTorchFixture.Directory, "pytorch_embedding.safetensors"));

        (double worstBatch, double worstSingle) = PyTorchFixture.WorstOutputs(network, inputs, PyTorchFixture.Doubles(json.GetProperty("outputs")), batch);
        float loss = network.ComputeGradients(inputs, labels, batch);
        (double gradient, string where) = PyTorchFixture.WorstGradient(network, json.GetProperty("gradients"), relative: 1e-4, absolute: 1e-6);
        output.WriteLine($"outputs: worst {worstBatch:G3} (batch), {worstSingle:G3} (one sample); loss {loss} against {json.GetProperty("loss").GetDouble()}");
        output.WriteLine($"gradients: worst {gradient:G3} of the bound at {where}");
        Assert.True(worstBatch <= 1e-5 && worstSingle <= 1e-5, $"outputs off by {worstBatch} (batch), {worstSingle} (one sample)");
        Assert.Equal(json.GetProperty("loss").GetDouble(), loss, 1e-5);
        Assert.True(gradient <= 1, $"gradients: worst {gradient} of the bound at {where}");
    }

    [Fact]
    public void The_compiled_in_file_reproduces_pytorch_outputs()
    {
        JsonElement json = Network();
        (double batchOutputs, double single) = PyTorchFixture.WorstOutputs(
            new CompiledPyTorchRecurrent(), PyTorchFixture.Floats(json.GetProperty("inputs")), PyTorchFixture.Doubles(json.GetProperty("outputs")), json.GetProperty("batch").GetInt32());
        output.WriteLine($"outputs: worst {batchOutputs:G3} (one sample alone {single:G3})");
        Assert.True(batchOutputs <= 1e-5 && single <= 1e-5, $"outputs off by {batchOutputs}, one sample alone by {single}");
    }
}
