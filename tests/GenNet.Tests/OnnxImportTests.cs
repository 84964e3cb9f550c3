using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GenNet.Build;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// ONNX import (docs/onnx-import.md): every network of the gradient suite, written by SaveOnnx, imports to the same
/// layers and bit-identical weights; the committed fixtures in tests/fixtures/onnx are what SaveOnnx writes today.
/// </summary>
public sealed class OnnxImportTests
{
    public static IEnumerable<object[]> Cases() => NetworkCases.Names();

    /// <summary>The importer takes every network GenNet exports whose layer kinds it knows, and its tensors are the network's own, bit for bit.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void SavedOnnxImportsWithTheSameTensors(string name)
    {
        INetwork network = NetworkCases.Get(name).Create();
        OnnxExportTests.Prepare(network, seed: 3);
        OnnxImport import = OnnxImporter.Import(Export(network));
        string[] problems = import.Lines.Where(l => !l.StartsWith("layer\t", StringComparison.Ordinal) && !l.StartsWith("input", StringComparison.Ordinal) && !l.StartsWith("producer\t", StringComparison.Ordinal)).ToArray();
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
