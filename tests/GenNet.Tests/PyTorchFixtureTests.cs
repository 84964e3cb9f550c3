using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace GenNet.Tests;

/// <summary>The architecture tests/fixtures/make_safetensors.py builds in PyTorch, declared in GenNet.</summary>
[Network]
[Input(3, 4)]
[Flatten]
[Dense(5, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class PyTorchMlp;

/// <summary>The same, inference only, with PyTorch's file (sorted by name, so gathered into the arena) compiled in.</summary>
[Network(Training = false, Weights = "pytorch_mlp.safetensors")]
[Input(3, 4)]
[Flatten]
[Dense(5, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class CompiledPyTorchMlp;

/// <summary>Inference only, with a file laid out as the arena: read in place from the assembly image.</summary>
[Network(Training = false, Weights = "pytorch_mlp_arena.safetensors")]
[Input(3, 4)]
[Flatten]
[Dense(5, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class MappedPyTorchMlp;

/// <summary>Trainable, starting from the compiled-in weights.</summary>
[Network(Weights = "pytorch_mlp_arena.safetensors")]
[Input(3, 4)]
[Flatten]
[Dense(5, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class PretrainedPyTorchMlp;

/// <summary>A state_dict written by PyTorch reproduces PyTorch's outputs in GenNet, read from a file or compiled in.</summary>
public sealed class PyTorchFixtureTests
{
    private static readonly string s_fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures");

    private static (float[] Inputs, float[] Outputs) InputsAndOutputs()
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(s_fixtures, "pytorch_mlp_io.json")));
        float[] Read(string name) => json.RootElement.GetProperty(name).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        return (Read("inputs"), Read("outputs"));
    }

    private static void AssertReproducesPyTorch(INetwork network)
    {
        (float[] inputs, float[] expected) = InputsAndOutputs();
        var outputs = new float[expected.Length];
        network.Forward(inputs, outputs, batchSize: 4);
        Assert.Equal(expected, outputs, (a, b) => Math.Abs(a - b) <= 1e-5f);
    }

    [Fact]
    public void A_pytorch_file_loads_and_reproduces_pytorch_outputs()
    {
        var network = new PyTorchMlp();
        network.Load(Path.Combine(s_fixtures, "pytorch_mlp.safetensors"));
        AssertReproducesPyTorch(network);
    }

    [Fact]
    public void Compiled_in_pytorch_weights_reproduce_pytorch_outputs()
    {
        AssertReproducesPyTorch(new CompiledPyTorchMlp());
        AssertReproducesPyTorch(new MappedPyTorchMlp());
        AssertReproducesPyTorch(new PretrainedPyTorchMlp());
        Assert.IsNotAssignableFrom<ITrainableNetwork>(new CompiledPyTorchMlp());
        Assert.IsAssignableFrom<ITrainableNetwork>(new PretrainedPyTorchMlp());
    }

    [Fact]
    public void A_file_laid_out_as_the_arena_is_read_in_place_and_others_are_gathered()
    {
        var tensors = new PyTorchMlp().ParameterTensors;
        EmbeddedWeights mapped = EmbeddedWeights.Open(typeof(MappedPyTorchMlp).Assembly, "GenNet.Weights:pytorch_mlp_arena.safetensors", tensors, PyTorchMlp.ParameterCount);
        EmbeddedWeights gathered = EmbeddedWeights.Open(typeof(MappedPyTorchMlp).Assembly, "GenNet.Weights:pytorch_mlp.safetensors", tensors, PyTorchMlp.ParameterCount);
        Assert.True(mapped.IsMapped);
        Assert.False(gathered.IsMapped);
        Assert.Equal(mapped.Values.ToArray(), gathered.Values.ToArray());
    }

    [Fact]
    public void Writing_parameters_of_an_inference_network_takes_a_private_copy()
    {
        var first = new MappedPyTorchMlp();
        var second = new MappedPyTorchMlp();
        first.Parameters[0] += 1f; // must not write into the assembly image, nor into the other instance
        Assert.Equal(second.Parameters[0] + 1f, first.Parameters[0]);
        AssertReproducesPyTorch(new MappedPyTorchMlp());
    }

    [Fact]
    public void A_missing_resource_is_a_clear_error_at_first_use()
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            EmbeddedWeights.Open(typeof(PyTorchMlp).Assembly, "GenNet.Weights:absent.safetensors", new PyTorchMlp().ParameterTensors, PyTorchMlp.ParameterCount));
        Assert.Contains("GenNet.Weights:absent.safetensors (embedded in GenNet.Tests): no such resource", error.Message);
    }
}
