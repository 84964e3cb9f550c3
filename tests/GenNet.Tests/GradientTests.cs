using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>
/// Every activation × every loss that fits it, at sizes 1, 3, 17, 129 and the MNIST MLP, the convolutional networks
/// (ConvCases), the graph networks (GraphCases) and those with batch normalisation (NormalizationCases), batch 1 and 7:
/// generated gradients against central differences of the float64 reference (bounds in <see cref="NumericChecks"/>).
/// </summary>
public sealed class GradientTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(NetworkCases.WithBatchSizes), MemberType = typeof(NetworkCases))]
    public void Gradients_match_finite_differences(string name, int batchSize)
    {
        CheckResult result = NumericChecks.CheckGradients(NetworkCases.Get(name), batchSize);
        output.WriteLine(result.ToString());
        Assert.True(result.Passed, $"{name}, batch {batchSize}: {result}");
    }

    [Theory]
    [MemberData(nameof(NetworkCases.Names), MemberType = typeof(NetworkCases))]
    public void Gradients_split_over_two_threads_match_finite_differences(string name)
    {
        NetworkCase c = NetworkCases.Get(name);
        CheckResult result = NumericChecks.CheckGradients(c, batchSize: 7, maxChecked: 400, threads: 2);
        output.WriteLine(result.ToString());
        Shards.AssertRan(Shards.Expected(c, threads: 2), result.Shards, $"{name}, batch 7 on two threads");
        Assert.True(result.Passed, $"{name}, batch 7 on two threads: {result}");
    }

    [Fact]
    public void Every_layer_kind_has_every_gradient_checked_in_some_network()
    {
        // Networks over NumericChecks.FullCheckLimit parameters are checked on a sample of them; each layer kind must
        // also appear in a network small enough that every one of its parameters is checked.
        var checkedInFull = NetworkCases.All.Where(c => c.Reference.ParameterCount <= NumericChecks.FullCheckLimit)
            .SelectMany(c => c.Reference.Layers).Select(layer => layer.GetType()).ToHashSet();
        Assert.All(
            NetworkCases.All.SelectMany(c => c.Reference.Layers).Select(layer => layer.GetType()).Distinct(),
            kind => Assert.True(checkedInFull.Contains(kind), $"{kind.Name} appears only in networks whose gradients are sampled"));
    }

    [Theory]
    [MemberData(nameof(NetworkCases.WithBatchSizes), MemberType = typeof(NetworkCases))]
    public void Forward_matches_reference(string name, int batchSize)
    {
        CheckResult result = NumericChecks.CheckForward(NetworkCases.Get(name), batchSize);
        output.WriteLine(result.ToString());
        Assert.True(result.Passed, $"{name}, batch {batchSize}: {result}");
    }

    [Theory]
    [MemberData(nameof(NetworkCases.Names), MemberType = typeof(NetworkCases))]
    public void Forward_matches_reference_on_a_large_odd_batch(string name)
    {
        CheckResult result = NumericChecks.CheckForward(NetworkCases.Get(name), batchSize: 135); // the packed kernel plus a remainder
        output.WriteLine(result.ToString());
        Assert.True(result.Passed, $"{name}, batch 135: {result}");
    }

    [Theory]
    [MemberData(nameof(NetworkCases.Names), MemberType = typeof(NetworkCases))]
    public void Parameter_tensors_use_pytorch_names_shapes_and_offsets(string name)
    {
        NetworkCase c = NetworkCases.Get(name);
        ITrainableNetwork network = c.Create();
        var expected = c.Reference.Tensors().Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] at {t.Offset}");
        Assert.Equal(expected, network.ParameterTensors.Select(t => t.ToString()));
        Assert.Equal(c.Reference.BufferTensors().Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] at {t.Offset}"), network.BufferTensors.Select(t => t.ToString()));
        Assert.Equal(c.Reference.BufferCount, network.Buffers.Length);
        Assert.Equal(c.Reference.ParameterCount, network.ParameterCount);
        Assert.Equal(network.ParameterCount, network.Parameters.Length);
        Assert.Equal(network.ParameterCount, network.Gradients.Length);
        Assert.Equal(c.Reference.InputSize, network.InputSize);
        Assert.Equal(c.Reference.OutputSize, network.OutputSize);
        Assert.Equal(c.Reference.Loss, network.Loss);
    }
}
