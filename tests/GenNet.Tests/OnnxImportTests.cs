using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GenNet.Build;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// ONNX import (docs/onnx-import.md): every network of the gradient suite, written by SaveOnnx, imports to the same
/// layers and bit-identical weights; the committed fixtures in tests/fixtures/onnx are what SaveOnnx writes today.
/// </summary>
public sealed class OnnxImportTests
{
    /// <summary>The seed of the parameters the committed fixtures hold (<see cref="OnnxExportTests.Prepare"/>).</summary>
    public const int FixtureSeed = 14;

    /// <summary>Every case but the masked ones (<see cref="MaskedCases"/>).</summary>
    public static IEnumerable<object[]> Cases() =>
        NetworkCases.Names().Where(c => !((string)c[0]).StartsWith("Masked", StringComparison.Ordinal));

    /// <summary>The gradient suite's masked networks (Embedding MaskZero, Masking): their export is not imported yet.</summary>
    public static IEnumerable<object[]> MaskedCases() =>
        NetworkCases.Names().Where(c => ((string)c[0]).StartsWith("Masked", StringComparison.Ordinal));

    /// <summary>
    /// A masked network's export (the real steps moved to the front by CumSum and ScatterElements, <c>sequence_lens</c>, the
    /// outputs gathered back; Masking as Equal, Not, Cast, ReduceMax and Mul) is not a pattern the importer knows yet: it
    /// says so, naming the nodes, instead of importing a network that would compute over the padded steps.
    /// </summary>
    [Theory]
    [MemberData(nameof(MaskedCases))]
    public void MaskedExportIsRefusedWithItsNodesNamed(string name)
    {
        INetwork network = NetworkCases.Get(name).Create();
        OnnxExportTests.Prepare(network, seed: 3);
        OnnxImport import = OnnxImporter.Import(Export(network));
        string[] problems = Problems(import);
        Assert.NotEmpty(problems);
        Assert.Contains(problems, l => l.Contains("ScatterElements", StringComparison.Ordinal) || l.Contains("Equal", StringComparison.Ordinal));
    }

    /// <summary>The gradient suite's networks compiled back from their SaveOnnx files (Networks/ImportedNetworks.cs).</summary>
    private static readonly Dictionary<string, Func<INetwork>> s_imported = new()
    {
        ["MnistMlp"] = () => new ImportedMnistMlp(),
        ["MnistConvSmall"] = () => new ImportedMnistConvSmall(),
        ["BatchNormResidual"] = () => new ImportedBatchNormResidual(),
        ["GraphConcatenateBranches"] = () => new ImportedGraphConcatenateBranches(),
        ["GraphMultiplyGate"] = () => new ImportedGraphMultiplyGate(),
        ["GraphTwoInputs"] = () => new ImportedGraphTwoInputs(),
        ["LstmSeventeen"] = () => new ImportedLstmSeventeen(),
        ["GruAfterConv"] = () => new ImportedGruAfterConv(),
        ["RnnStacked"] = () => new ImportedRnnStacked(),
        ["EmbeddingLstm"] = () => new ImportedEmbeddingLstm(),
        ["SequenceSeventeen"] = () => new ImportedSequenceSeventeen(),
        ["DepthwiseSameStrideTwo"] = () => new ImportedDepthwiseSameStrideTwo(),
        ["LayerNormResidual"] = () => new ImportedLayerNormResidual(),
        ["GeluMse17"] = () => new ImportedGeluMse17(),
        ["LeakyReLUMse17"] = () => new ImportedLeakyReLUMse17(),
        ["GlobalPoolResidual"] = () => new ImportedGlobalPoolResidual(),
        ["AdaptedImage"] = () => new ImportedAdaptedImage(),
        ["AdaptedEnds"] = () => new ImportedAdaptedEnds(),
        ["SeparableSameStrideTwo"] = () => new ImportedSeparableSameStrideTwo(),
        ["SeparableSeventeen"] = () => new ImportedSeparableSeventeen(),
    };

    /// <summary>The networks with a committed fixture: every layer kind the importer takes, chains and graphs.</summary>
    private static readonly string[] s_fixtures =
    [
        "MnistMlp", "MnistConvSmall", "BatchNormResidual", "GraphConcatenateBranches", "GraphMultiplyGate", "GraphTwoInputs",
        "LstmSeventeen", "GruAfterConv", "RnnStacked", "EmbeddingLstm", "SequenceSeventeen", "DepthwiseSameStrideTwo",
        "LayerNormResidual", "GeluMse17", "LeakyReLUMse17", "GlobalPoolResidual", "AdaptedImage", "AdaptedEnds",
        "SeparableSameStrideTwo", "SeparableSeventeen",
    ];

    public static IEnumerable<object[]> RoundTrips() => s_fixtures.Select(k => new object[] { k });

    /// <summary>GenNet → SaveOnnx → import → the same outputs, bit for bit, on 1,000 inputs in batches of 1 to 64.</summary>
    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void RoundTripGivesTheSameOutputsBitForBit(string name)
    {
        NetworkCase networkCase = NetworkCases.Get(name);
        INetwork source = networkCase.Create();
        OnnxExportTests.Prepare(source, FixtureSeed);
        INetwork imported = s_imported[name]();
        Assert.Equal(source.InputSize, imported.InputSize);
        Assert.Equal(source.OutputSize, imported.OutputSize);
        Assert.Equal(source.ParameterCount, imported.ParameterCount);

        var random = new Random(21);
        int done = 0;
        foreach (int batch in new[] { 1, 3, 17, 64 })
        {
            for (int round = 0; done < 1000 && round < (batch == 64 ? 16 : 4); round++, done += batch)
            {
                float[] inputs = new float[batch * source.InputSize];
                for (int i = 0; i < inputs.Length; i++)
                {
                    inputs[i] = networkCase.Inputs is { } draw ? draw(random, i % source.InputSize) : (float)(random.NextDouble() * 2 - 1);
                }

                float[] expected = new float[batch * source.OutputSize], actual = new float[batch * source.OutputSize];
                source.Forward(inputs, expected, batch);
                imported.Forward(inputs, actual, batch);
                Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
            }
        }
    }

    /// <summary>
    /// An imported network with Training = true starts from the file's weights and fine-tunes: 60 Adam steps on a fixed
    /// batch of 17 regression targets lower the mean squared error of the imported residual BatchNorm network below half.
    /// </summary>
    [Fact]
    public void ImportedNetworkWithTrainingFineTunes()
    {
        var network = new ImportedBatchNormResidual();
        INetwork source = NetworkCases.Get("BatchNormResidual").Create();
        OnnxExportTests.Prepare(source, FixtureSeed);
        Assert.Equal(source.Parameters.ToArray(), network.Parameters.ToArray()); // starts from the file's weights

        const int batch = 17;
        var random = new Random(8);
        float[] inputs = Enumerable.Range(0, batch * ImportedBatchNormResidual.InputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] targets = Enumerable.Range(0, batch * ImportedBatchNormResidual.OutputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var adam = new Adam(learningRate: 0.01f);
        float first = network.ComputeGradients(inputs, targets, batch), last = first;
        for (int step = 0; step < 60; step++)
        {
            adam.Step(network.Parameters, network.Gradients);
            last = network.ComputeGradients(inputs, targets, batch);
        }

        Assert.True(float.IsFinite(first) && last < first / 2, $"loss {first} → {last}");
    }

    /// <summary>
    /// The committed tests/fixtures/onnx/gennet_*.onnx are what SaveOnnx writes today for their networks. After a change
    /// to the export (or to a network), rewrite them with GENNET_ACCEPT_ONNX_FIXTURES=1 and rebuild.
    /// </summary>
    [Fact]
    public void FixturesAreWhatSaveOnnxWritesToday()
    {
        string directory = Path.Combine(RepositoryRoot(), "tests", "fixtures", "onnx");
        bool accept = Environment.GetEnvironmentVariable("GENNET_ACCEPT_ONNX_FIXTURES") == "1";
        var stale = new List<string>();
        foreach (string name in s_fixtures)
        {
            INetwork network = NetworkCases.Get(name).Create();
            OnnxExportTests.Prepare(network, FixtureSeed);
            byte[] bytes = Export(network);
            string path = Path.Combine(directory, $"gennet_{name}.onnx");
            if (accept)
            {
                File.WriteAllBytes(path, bytes);
            }
            else if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            {
                stale.Add(path);
            }
        }

        Assert.True(stale.Count == 0, $"Stale ONNX fixtures (run the tests with GENNET_ACCEPT_ONNX_FIXTURES=1, then rebuild): {string.Join(", ", stale)}");
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GenNet.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("GenNet.sln is not above " + AppContext.BaseDirectory);
    }

    /// <summary>The importer takes every network GenNet exports whose layer kinds it knows, and its tensors are the network's own, bit for bit.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void SavedOnnxImportsWithTheSameTensors(string name)
    {
        INetwork network = NetworkCases.Get(name).Create();
        OnnxExportTests.Prepare(network, seed: 3);
        OnnxImport import = OnnxImporter.Import(Export(network));
        string[] problems = Problems(import);
        Assert.True(problems.Length == 0, string.Join("\n", problems));

        var imported = import.Tensors.ToDictionary(t => t.Name);
        foreach ((ParameterTensor tensor, float[] values) in Tensors(network))
        {
            Assert.True(imported.TryGetValue(tensor.Name, out ImportedTensor? found), $"{tensor.Name} is missing from the import; it has {string.Join(", ", imported.Keys)}");
            Assert.Equal(tensor.Shape.ToArray(), found!.Shape);
            Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), found.Values.Select(BitConverter.SingleToInt32Bits));
        }

        Assert.Equal(network.ParameterTensors.Count + network.BufferTensors.Count, import.Tensors.Count);
    }

    /// <summary>The import's lines other than its layers, inputs and producers: what it could not take.</summary>
    private static string[] Problems(OnnxImport import) =>
        import.Lines.Where(l => !l.StartsWith("layer\t", StringComparison.Ordinal) && !l.StartsWith("input", StringComparison.Ordinal) && !l.StartsWith("producer\t", StringComparison.Ordinal)).ToArray();

    internal static byte[] Export(INetwork network)
    {
        using var stream = new MemoryStream();
        network.SaveOnnx(stream);
        return stream.ToArray();
    }

    private static IEnumerable<(ParameterTensor Tensor, float[] Values)> Tensors(INetwork network)
    {
        foreach (ParameterTensor tensor in network.ParameterTensors)
        {
            yield return (tensor, tensor.Slice(network.Parameters).ToArray());
        }

        foreach (ParameterTensor tensor in network.BufferTensors)
        {
            yield return (tensor, tensor.Slice(network.Buffers).ToArray());
        }
    }
}
