using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace GenNet.Generator.Tests;

/// <summary>The graph declarations' diagnostics: each ID with the message docs/diagnostics.md quotes, and where it is located.</summary>
public sealed class GraphDiagnosticTests
{
    private static Diagnostic Single(string declaration, string id, DiagnosticSeverity severity, string locatedOn)
    {
        GeneratorRun run = GeneratorHarness.Run("using GenNet;\n\n" + declaration);
        Assert.Null(run.Result.Results.Single().Exception);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        SyntaxTree tree = run.Input.SyntaxTrees.Single(t => t.FilePath == diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(locatedOn, tree.GetText().ToString(diagnostic.Location.SourceSpan));
        if (severity == DiagnosticSeverity.Error)
        {
            Assert.Empty(run.Result.Results.Single().GeneratedSources);
        }
        else
        {
            Assert.NotEmpty(run.Result.Results.Single().GeneratedSources);
            Assert.Empty(run.CompilationDiagnostics);
        }

        return diagnostic;
    }

    private static string Message(Diagnostic diagnostic) => diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void GN0022_unknown_name() => Assert.Equal(
        "Layer 3 (Add) reads 'hiden', which names no layer or input declared before it; the names it can read are 'input', 'hidden', 'dense_1'",
        Message(Single("[Network]\n[Input(8)]\n[Dense(8, Activation.ReLU, Name = \"hidden\")]\n[Dense(8)]\n[Add(\"hiden\")]\n[Dense(2, Activation.Softmax)]\npublic partial class Typo;",
            "GN0022", DiagnosticSeverity.Error, "Add(\"hiden\")")));

    [Fact]
    public void GN0023_duplicate_name() => Assert.Equal(
        "'dense_1' names both Layer 1 (Dense) and Layer 2 (Dense); every layer and input needs a name of its own",
        Message(Single("[Network]\n[Input(8)]\n[Dense(8, Name = \"dense_1\")]\n[Dense(8)]\n[Dense(2, Activation.Softmax)]\npublic partial class Twice;",
            "GN0023", DiagnosticSeverity.Error, "Dense(8)")));

    [Fact]
    public void GN0024_output_declared_later() => Assert.Equal(
        "Layer 1 (Dense) reads 'late', the output of Layer 2 (Dense), declared after it; a layer reads only outputs declared before it, so move it below the layer it reads",
        Message(Single("[Network]\n[Input(8)]\n[Dense(8, From = \"late\")]\n[Dense(8, Name = \"late\")]\npublic partial class Backwards;",
            "GN0024", DiagnosticSeverity.Error, "Dense(8, From = \"late\")")));

    [Fact]
    public void GN0024_own_output() => Assert.Equal(
        "Layer 2 (Dense) reads 'me', its own output; a layer reads only outputs declared before it, so move it below the layer it reads",
        Message(Single("[Network]\n[Input(8)]\n[Dense(8)]\n[Dense(8, Name = \"me\", From = \"me\")]\npublic partial class Loop;",
            "GN0024", DiagnosticSeverity.Error, "Dense(8, Name = \"me\", From = \"me\")")));

    [Fact]
    public void GN0025_add_of_unequal_shapes() => Assert.Equal(
        "Layer 3 (Add) cannot join dense_1 [8], h [16]: Add works element by element, so the shapes must be equal",
        Message(Single("[Network]\n[Input(16)]\n[Dense(16, Activation.ReLU, Name = \"h\")]\n[Dense(8)]\n[Add(\"h\")]\n[Dense(2, Activation.Softmax)]\npublic partial class Mismatch;",
            "GN0025", DiagnosticSeverity.Error, "Add(\"h\")")));

    [Fact]
    public void GN0025_concatenate_of_images_of_other_sizes() => Assert.Equal(
        "Layer 3 (Concatenate) cannot join conv_1 [4, 4, 2], a [6, 6, 2]: Concatenate joins images along their channels, so heights and widths must agree",
        Message(Single("[Network]\n[Input(8, 8, 1)]\n[Conv2D(2, 3, Name = \"a\")]\n[Conv2D(2, 3)]\n[Concatenate(\"a\")]\n[Flatten]\n[Dense(1)]\npublic partial class Sizes;",
            "GN0025", DiagnosticSeverity.Error, "Concatenate(\"a\")")));

    [Fact]
    public void GN0026_unused_output() => Assert.Equal(
        "The output of Layer 2 (Dense) ('dense_1') is read by no layer, and only the last layer, Layer 3 (Dense), is the network's output; read it with From or a merge, or remove the layer",
        Message(Single("[Network]\n[Input(8)]\n[Dense(8, Activation.ReLU, Name = \"a\")]\n[Dense(8, Activation.ReLU, From = \"input\")]\n[Dense(2, Activation.Softmax, From = \"a\")]\npublic partial class DeadBranch;",
            "GN0026", DiagnosticSeverity.Warning, "Dense(8, Activation.ReLU, From = \"input\")")));

    [Fact]
    public void GN0027_unused_input() => Assert.Equal(
        "Input 'extra' of network 'Ignores' is read by no layer; its values are passed in every sample but never used",
        Message(Single("[Network]\n[Input(4, Name = \"features\")]\n[Input(3, Name = \"extra\")]\n[Dense(2, Activation.Softmax, From = \"features\")]\npublic partial class Ignores;",
            "GN0027", DiagnosticSeverity.Warning, "Input(3, Name = \"extra\")")));

    /// <summary>"Follows" was "declared below": the fuzzer found GN0011 naming a Dense that does not read the Softmax.</summary>
    [Fact]
    public void GN0011_names_the_layer_that_reads_the_softmax_output() => Assert.Equal(
        "Layer 1 (Dense) applies Softmax, but Layer 4 (Dense) follows it; Softmax turns the outputs into class probabilities and belongs on the last layer, so use another activation here (ReLU, for example)",
        Message(Single("[Network]\n[Input(8)]\n[Dense(4, Activation.Softmax, Name = \"p\")]\n[Dense(4, From = \"input\")]\n[Multiply(\"p\")]\n[Dense(2)]\npublic partial class Gate;",
            "GN0011", DiagnosticSeverity.Warning, "Dense(4, Activation.Softmax, Name = \"p\")")));

    [Theory]
    [InlineData("[Dense(3, Activation.Softmax, Name = \"p\")]\n[Dense(3, From = \"input\")]\n[Multiply(\"p\")]")]
    [InlineData("[Dense(3, Name = \"v\")]\n[Dense(3, Activation.Softmax, From = \"input\")]\n[Multiply(\"v\")]")]
    public void A_softmax_that_no_layer_with_parameters_reads_gets_no_GN0011_in_either_order(string layers) =>
        Assertions.CleanRun(GeneratorHarness.Run($"using GenNet;\n[Network]\n[Input(8)]\n{layers}\npublic partial class Mixture;"));

    /// <summary>Dropout was checked against the layers declared below it, not against those its output reaches.</summary>
    [Fact]
    public void GN0008_dropout_that_reaches_the_output_through_a_merge() => Assert.Contains(
        "dropout must come before a layer with weights",
        Message(Single("[Network]\n[Input(8)]\n[Dense(4, Name = \"a\")]\n[Dropout(0.5)]\n[Dense(4, From = \"a\")]\n[Add(\"dropout_0\")]\npublic partial class LateDropout;",
            "GN0008", DiagnosticSeverity.Error, "Dropout(0.5)")));

    [Fact]
    public void A_dropout_no_layer_reads_is_an_unused_output_not_a_dropout_at_the_end() => Assert.Equal(
        "The output of Layer 2 (Dropout) ('dropout_0') is read by no layer, and only the last layer, Layer 3 (Dense), is the network's output; read it with From or a merge, or remove the layer",
        Message(Single("[Network]\n[Input(8)]\n[Dense(4, Name = \"a\")]\n[Dropout(0.5)]\n[Dense(2, Activation.Softmax, From = \"a\")]\npublic partial class Orphan;",
            "GN0026", DiagnosticSeverity.Warning, "Dropout(0.5)")));

    [Fact]
    public void GN0008_name_that_cannot_name_a_tensor() => Assert.Contains(
        "Name = \"a b\" must start with a letter or '_'",
        Message(Single("[Network]\n[Input(8)]\n[Dense(8, Name = \"a b\")]\n[Dense(2, Activation.Softmax)]\npublic partial class Spaces;",
            "GN0008", DiagnosticSeverity.Error, "Dense(8, Name = \"a b\")")));

    [Fact]
    public void GN0008_merge_with_from() => Assert.Contains(
        "a merge takes its inputs from its arguments, not From",
        Message(Single("[Network]\n[Input(8)]\n[Dense(8, Name = \"a\")]\n[Dense(8)]\n[Add(\"a\", From = \"a\")]\n[Dense(1)]\npublic partial class MergeFrom;",
            "GN0008", DiagnosticSeverity.Error, "Add(\"a\", From = \"a\")")));

    [Fact]
    public void GN0007_network_with_a_base_class() => Assert.Contains(
        "a network class cannot name a base class ('Owner')",
        Message(Single("public class Owner { }\n[Network]\n[Input(2)]\n[Dense(1)]\npublic partial class Derived : Owner;",
            "GN0007", DiagnosticSeverity.Error, "Derived")));
}
