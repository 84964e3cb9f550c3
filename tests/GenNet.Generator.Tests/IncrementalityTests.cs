using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace GenNet.Generator.Tests;

public sealed class IncrementalityTests
{
    private const string Network = """
        using GenNet;

        namespace Samples;

        [Network]
        [Input(28, 28)]
        [Flatten]
        [Dense(128, Activation.ReLU)]
        [Dense(10, Activation.Softmax)]
        public partial class MnistMlp
        {
            public int Helper() => 1;
        }
        """;

    [Fact]
    public void Editing_a_method_body_in_the_network_class_regenerates_nothing()
    {
        GeneratorRun run = GeneratorHarness.Run(Network);
        SyntaxTree tree = run.Input.SyntaxTrees.Single();
        SyntaxTree edited = tree.WithChangedText(tree.GetText().Replace(Network.IndexOf("=> 1", StringComparison.Ordinal), 4, "=> 2"));
        Assertions.AssertCached(run.Driver.RunGenerators(run.Input.ReplaceSyntaxTree(tree, edited)));
    }

    [Fact]
    public void Changing_a_layer_regenerates_the_network()
    {
        GeneratorRun run = GeneratorHarness.Run(Network);
        SyntaxTree tree = run.Input.SyntaxTrees.Single();
        SyntaxTree edited = tree.WithChangedText(tree.GetText().Replace(Network.IndexOf("128", StringComparison.Ordinal), 3, "256"));
        GeneratorDriverRunResult result = run.Driver.RunGenerators(run.Input.ReplaceSyntaxTree(tree, edited)).GetRunResult();
        var reasons = result.Results.Single().TrackedSteps[NetworkGenerator.TrackingNames.Source].SelectMany(s => s.Outputs).Select(o => o.Reason);
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains("const int ParameterCount = 203530;", result.GeneratedTrees.Single().ToString());
    }

    [Fact]
    public void A_class_with_layers_but_no_network_stays_cached()
    {
        GeneratorRun run = GeneratorHarness.Run("using GenNet;\n[Input(4)]\n[Dense(2)]\npublic class Orphan { public int Helper() => 1; }");
        Assert.Equal("GN0009", Assert.Single(run.GeneratorDiagnostics).Id);
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void A_network_with_errors_stays_cached()
    {
        GeneratorRun run = GeneratorHarness.Run("using GenNet;\n[Network]\n[Input(28, 28)]\n[Dense(3)]\npublic partial class Broken;");
        Assert.Equal("GN0004", Assert.Single(run.GeneratorDiagnostics).Id);
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Changing_the_parameter_threshold_re_emits_without_re_parsing()
    {
        GeneratorRun run = GeneratorHarness.Run(Network);
        Assert.Empty(run.GeneratorDiagnostics);
        GeneratorDriver driver = run.Driver
            .WithUpdatedAnalyzerConfigOptions(new BuildPropertiesProvider(new Dictionary<string, string> { ["GenNetMaxParameters"] = "100000" }))
            .RunGenerators(run.Input);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Equal("GN0015", Assert.Single(result.Diagnostics).Id); // MnistMlp has 101,770 parameters
        foreach (string name in new[] { NetworkGenerator.TrackingNames.Parse, NetworkGenerator.TrackingNames.Plan, NetworkGenerator.TrackingNames.Source })
        {
            Assert.All(result.TrackedSteps[name].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }

        Assert.Contains(IncrementalStepRunReason.Modified, result.TrackedSteps[NetworkGenerator.TrackingNames.Emit].SelectMany(s => s.Outputs).Select(o => o.Reason));
    }

    [Fact]
    public void Pipeline_models_hold_no_compiler_objects()
    {
        GeneratorRun run = GeneratorHarness.Run(
            Network,
            "using GenNet;\n[Network]\n[Input(28, 28)]\n[Dense(3)]\npublic partial class Broken;",
            "using GenNet;\n[Input(4)]\n[Dense(2)]\npublic class Orphan;");
        string[] ours = NetworkGenerator.TrackingNames.All;
        var models = run.Result.Results.Single().TrackedSteps
            .Where(pair => ours.Contains(pair.Key))
            .SelectMany(pair => pair.Value)
            .SelectMany(step => step.Outputs)
            .Select(output => output.Value)
            .ToList();
        Assert.NotEmpty(models);
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (object model in models)
        {
            Walk(model, "model", seen);
        }

        Assert.True(seen.Count > 20, $"the walk visited only {seen.Count} objects");
    }

    private static readonly Type[] s_forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(SemanticModel), typeof(Compilation), typeof(Location), typeof(SyntaxTree)];

    private static void Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Type type = value.GetType();
        Assert.False(s_forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} holds a {type.FullName}, which keeps the compilation alive and defeats caching");
        if (value is IEnumerable sequence)
        {
            int i = 0;
            foreach (object? item in sequence)
            {
                Walk(item, $"{path}[{i++}]", seen);
            }

            return;
        }

        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            Walk(field.GetValue(value), $"{path}.{field.Name}", seen);
        }
    }
}
