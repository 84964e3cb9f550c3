using System;
using System.Linq;
using System.Reflection;
using GenNet.Generator.Layers;
using Xunit;

namespace GenNet.Generator.Tests;

/// <summary>Every layer kind's ONNX form, from the generator's side (ONNX Runtime checks the forms in GenNet.Tests' OnnxExportTests).</summary>
public sealed class OnnxFormTests
{
    /// <summary>
    /// The plans whose kind has no ONNX form yet, on purpose: their layers make SaveOnnx throw NotSupportedException naming
    /// them. Empty today. A new kind's plan must override EmitOnnx (docs/adding-a-layer.md) or be listed here, so that a
    /// kind never loses its export by accident.
    /// </summary>
    private static readonly string[] s_withoutOnnxForm = [];

    [Fact]
    public void EveryPlanWritesItsOnnxNodesOrIsListedAsUnsupported()
    {
        Type[] plans = typeof(LayerPlan).Assembly.GetTypes().Where(t => !t.IsAbstract && t.IsSubclassOf(typeof(LayerPlan))).ToArray();
        Assert.NotEmpty(plans);
        string[] missing = plans
            .Where(t => t.GetMethod(nameof(LayerPlan.EmitOnnx), BindingFlags.Public | BindingFlags.Instance)!.DeclaringType == typeof(LayerPlan))
            .Select(t => t.Name)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(s_withoutOnnxForm, missing);
    }

    [Fact]
    public void DescribeOnnxIsReservedAndDottedNamesReachTheGraph()
    {
        Assert.True(Emit.GeneratedMembers.IsReserved("DescribeOnnx"));

        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples;

            [Network]
            [Input(4, 3, Name = "series")]
            [Conv1D(2, 2, Activation.ReLU, Name = "block.conv1")]
            [Flatten]
            [Dense(2, Activation.Linear, Name = "out")]
            public partial class DottedNames;
            """);

        Assertions.CleanRun(run);
        string source = run.Source("Samples.DottedNames.g.cs");
        Assert.Contains("graph.Input(\"series\", [4, 3]);", source);
        Assert.Contains("graph.ChannelsFirst(\"series\")", source);
        Assert.Contains("graph.Parameter(\"block.conv1.weight\")", source);
        Assert.Contains("graph.ChannelsLast(\"block.conv1\")", source); // a sequence flattens step-major, GenNet's order
        Assert.Contains("graph.Output(\"out\");", source);
    }
}
