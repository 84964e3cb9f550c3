using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace GenNet.Generator.Tests;

/// <summary>Each declaration error: its ID, its message, and the source text it is located on.</summary>
public sealed class DiagnosticTests
{
    private static void AssertSingle(string declaration, string id, string message, string locatedOn)
    {
        GeneratorRun run = GeneratorHarness.Run("using GenNet;\n\n" + declaration);
        Assert.Null(run.Result.Results.Single().Exception);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        // Locations travel through the pipeline as path + span (no syntax tree), as STJ's do; find the text by path.
        SyntaxTree tree = run.Input.SyntaxTrees.Single(t => t.FilePath == diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(locatedOn, tree.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Empty(run.Result.Results.Single().GeneratedSources); // nothing half-generated
    }

    [Fact]
    public void GN0001_class_not_partial() => AssertSingle(
        "[Network]\n[Input(2)]\n[Dense(1)]\npublic class Plain { }",
        "GN0001", "Network class 'Plain' must be declared partial so that GenNet can add its generated members", "Plain");

    [Fact]
    public void GN0002_no_input() => AssertSingle(
        "[Network]\n[Dense(1)]\npublic partial class NoInput;",
        "GN0002", "Network 'NoInput' has no [Input] attribute; declare the shape of one sample, for example [Input(28, 28)]", "Network");

    [Fact]
    public void GN0003_input_dimension_not_positive() => AssertSingle(
        "[Network]\n[Input(2, 0)]\n[Flatten]\n[Dense(1)]\npublic partial class ZeroInput;",
        "GN0003", "[Input] has dimension 2 = 0; every size must be at least 1", "Input(2, 0)");

    [Fact]
    public void GN0003_units_not_positive() => AssertSingle(
        "[Network]\n[Input(4)]\n[Dense(8)]\n[Dense(-3)]\npublic partial class NegativeUnits;",
        "GN0003", "Layer 2 (Dense) has units = -3; every size must be at least 1", "Dense(-3)");

    [Fact]
    public void GN0004_dense_after_multi_dimensional_input() => AssertSingle(
        "[Network]\n[Input(28, 28)]\n[Dense(128, Activation.ReLU)]\n[Dense(10, Activation.Softmax)]\npublic partial class Unflattened;",
        "GN0004", "Layer 1 (Dense) needs a one-dimensional input but receives shape [28, 28]; add [Flatten] before it", "Dense(128, Activation.ReLU)");

    [Fact]
    public void GN0005_cross_entropy_without_softmax() => AssertSingle(
        "[Network(Loss = Loss.SparseCategoricalCrossEntropy)]\n[Input(4)]\n[Dense(3, Activation.Sigmoid)]\npublic partial class SigmoidClassifier;",
        "GN0005",
        "Loss SparseCategoricalCrossEntropy cannot train network 'SigmoidClassifier' whose last layer has activation Sigmoid: cross-entropy reads class probabilities, so the last layer needs Activation.Softmax",
        "Network(Loss = Loss.SparseCategoricalCrossEntropy)");

    [Fact]
    public void GN0005_binary_cross_entropy_without_sigmoid() => AssertSingle(
        "[Network(Loss = Loss.BinaryCrossEntropy)]\n[Input(4)]\n[Dense(3, Activation.Softmax)]\npublic partial class SoftmaxBinary;",
        "GN0005",
        "Loss BinaryCrossEntropy cannot train network 'SoftmaxBinary' whose last layer has activation Softmax: binary cross-entropy reads probabilities in (0, 1), so the last layer needs Activation.Sigmoid",
        "Network(Loss = Loss.BinaryCrossEntropy)");

    [Fact]
    public void GN0006_no_layers() => AssertSingle(
        "[Network]\n[Input(4)]\npublic partial class Empty;",
        "GN0006", "Network 'Empty' declares no layers; add at least one, for example [Dense(10)]", "Network");

    [Theory]
    [InlineData("[Network]\n[Input(2)]\n[Dense(1)]\npublic partial class Generic<T>;", "Generic",
        "'Generic' cannot be a network: generic network classes are not supported; give the network its own non-generic class")]
    [InlineData("[Network]\n[Input(2)]\n[Dense(1)]\npublic partial record Recorded;", "Recorded",
        "'Recorded' cannot be a network: a network must be a class, not a record, struct or interface")]
    [InlineData("[Network]\n[Input(2)]\n[Dense(1)]\npublic static partial class Static;", "Static",
        "'Static' cannot be a network: a network must not be static: it is instantiated")]
    [InlineData("public class Outer\n{\n    [Network]\n    [Input(2)]\n    [Dense(1)]\n    public partial class Inner;\n}", "Inner",
        "'Inner' cannot be a network: it is nested in 'Outer', which must be declared partial too")]
    public void GN0007_unsupported_types(string declaration, string locatedOn, string message) =>
        AssertSingle(declaration, "GN0007", message, locatedOn);

    [Theory]
    [InlineData("[Dense(3, Activation.LeakyReLU, NegativeSlope = -0.5f)]", "Layer 1 (Dense): NegativeSlope = -0.5 must be in [0, 1)")]
    [InlineData("[Dense(3, (Activation)42)]", "Layer 1 (Dense): activation 42 is not a member of GenNet.Activation")]
    public void GN0008_invalid_layer_arguments(string layer, string message) => AssertSingle(
        "[Network]\n[Input(2)]\n" + layer + "\npublic partial class BadArgument;",
        "GN0008", message, layer.Trim('[', ']'));

    [Fact]
    public void GN0008_input_without_dimensions() => AssertSingle(
        "[Network]\n[Input]\n[Dense(1)]\npublic partial class Shapeless;",
        "GN0008", "[Input]: the shape needs at least one dimension, for example [Input(28, 28)]", "Input");

    [Fact]
    public void GN0008_tensor_too_large() => AssertSingle(
        "[Network]\n[Input(100000)]\n[Dense(100000)]\npublic partial class Huge;",
        "GN0008", "Layer 1 (Dense): the weight would hold more than 268435456 floats (1 GiB), more than GenNet supports", "Dense(100000)");

    [Fact]
    public void A_fixed_declaration_generates_again()
    {
        GeneratorRun broken = GeneratorHarness.Run("using GenNet;\n[Network]\n[Input(28, 28)]\n[Dense(10)]\npublic partial class Fixable;");
        Assert.Single(broken.GeneratorDiagnostics);
        GeneratorRun fixedRun = GeneratorHarness.Run("using GenNet;\n[Network]\n[Input(28, 28)]\n[Flatten]\n[Dense(10)]\npublic partial class Fixable;");
        Assertions.CleanRun(fixedRun);
    }
}
