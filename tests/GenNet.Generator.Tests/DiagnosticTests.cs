using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit;

namespace GenNet.Generator.Tests;

/// <summary>Each declaration error: its ID, its message, and the source text it is located on.</summary>
public sealed class DiagnosticTests
{
    private static void AssertSingle(string declaration, string id, string message, string locatedOn) =>
        AssertDiagnostic([declaration], id, DiagnosticSeverity.Error, message, locatedOn);

    /// <summary>
    /// Runs the generator on <paramref name="files"/> and asserts it reports exactly one diagnostic with this ID, severity, message,
    /// help link and location text (null: no location). An error leaves nothing generated; a warning leaves code that compiles.
    /// </summary>
    private static GeneratorRun AssertDiagnostic(
        string[] files, string id, DiagnosticSeverity severity, string message, string? locatedOn, IReadOnlyDictionary<string, string>? buildProperties = null)
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(files.Select(f => "using GenNet;\n\n" + f).ToArray()), buildProperties);
        Assert.Null(run.Result.Results.Single().Exception);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(GenNet.Generator.Diagnostics.DiagnosticDescriptors.HelpLink(id) ?? "", diagnostic.Descriptor.HelpLinkUri);
        if (locatedOn is null)
        {
            Assert.Equal(Location.None, diagnostic.Location);
        }
        else
        {
            // Locations travel through the pipeline as path + span (no syntax tree), as STJ's do; find the text by path.
            SyntaxTree tree = run.Input.SyntaxTrees.Single(t => t.FilePath == diagnostic.Location.GetLineSpan().Path);
            Assert.Equal(locatedOn, tree.GetText().ToString(diagnostic.Location.SourceSpan));
        }

        if (severity == DiagnosticSeverity.Error)
        {
            Assert.Empty(run.Result.Results.Single().GeneratedSources); // nothing half-generated
        }
        else
        {
            Assert.NotEmpty(run.Result.Results.Single().GeneratedSources); // a warning does not stop generation
            Assert.Empty(run.CompilationDiagnostics);
        }

        return run;
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
    [InlineData("[Dense(3, KernelInitializer = (Initializer)7)]", "Layer 1 (Dense): KernelInitializer = 7 is not a member of GenNet.Initializer")]
    [InlineData("[Dense(3, BiasInitializer = (Initializer)(-1))]", "Layer 1 (Dense): BiasInitializer = -1 is not a member of GenNet.Initializer")]
    [InlineData("[Dense(3, KernelRegularizerL2 = -0.01f)]", "Layer 1 (Dense): KernelRegularizerL2 = -0.01 must be finite and not negative: it is λ of the penalty λ·Σw²")]
    [InlineData("[Dense(3, KernelRegularizerL2 = float.NaN)]", "Layer 1 (Dense): KernelRegularizerL2 = NaN must be finite and not negative: it is λ of the penalty λ·Σw²")]
    [InlineData("[Dense(3, KernelRegularizerL2 = float.PositiveInfinity)]", "Layer 1 (Dense): KernelRegularizerL2 = Infinity must be finite and not negative: it is λ of the penalty λ·Σw²")]
    [InlineData("[Dense(3, BiasRegularizerL2 = -1f)]", "Layer 1 (Dense): BiasRegularizerL2 = -1 must be finite and not negative: it is λ of the penalty λ·Σw²")]
    [InlineData("[BatchNormalization(Momentum = 1.5f)]", "Layer 1 (BatchNormalization): Momentum = 1.5 must be in [0, 1]: the weight of each batch in the running statistics (PyTorch's convention; Keras's momentum 0.99 is 0.01 here)")]
    [InlineData("[BatchNormalization(Epsilon = 0f)]", "Layer 1 (BatchNormalization): Epsilon = 0 must be positive and finite: it keeps the division away from zero")]
    [InlineData("[BatchNormalization(Epsilon = float.NaN)]", "Layer 1 (BatchNormalization): Epsilon = NaN must be positive and finite: it keeps the division away from zero")]
    [InlineData("[BatchNormalization(Activation = Activation.Softmax)]", "Layer 1 (BatchNormalization): Softmax is not supported on a normalisation; end with [Dense(classes, Activation.Softmax)]")]
    [InlineData("[BatchNormalization(Activation = Activation.LeakyReLU, NegativeSlope = 1f)]", "Layer 1 (BatchNormalization): NegativeSlope = 1 must be in [0, 1)")]
    [InlineData("[LayerNormalization(Epsilon = 0f)]", "Layer 1 (LayerNormalization): Epsilon = 0 must be positive and finite: it keeps a constant row's 1/σ finite")]
    [InlineData("[LayerNormalization(Epsilon = -1e-5f)]", "Layer 1 (LayerNormalization): Epsilon = -1E-05 must be positive and finite: it keeps a constant row's 1/σ finite")]
    [InlineData("[LayerNormalization(Epsilon = float.NaN)]", "Layer 1 (LayerNormalization): Epsilon = NaN must be positive and finite: it keeps a constant row's 1/σ finite")]
    [InlineData("[LayerNormalization(Epsilon = float.PositiveInfinity)]", "Layer 1 (LayerNormalization): Epsilon = Infinity must be positive and finite: it keeps a constant row's 1/σ finite")]
    [InlineData("[LayerNormalization(Activation = Activation.Softmax)]", "Layer 1 (LayerNormalization): Softmax is not supported on a normalisation; end with [Dense(classes, Activation.Softmax)]")]
    [InlineData("[LayerNormalization(Activation = (Activation)9)]", "Layer 1 (LayerNormalization): activation 9 is not a member of GenNet.Activation")]
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
    public void GN0007_class_named_like_a_generated_member() => AssertSingle(
        "[Network]\n[Input(2)]\n[Dense(1)]\npublic partial class Loss;",
        "GN0007", "'Loss' cannot be a network: the generated class has a member named 'Loss', and a member cannot have the name of its class; rename the class", "Loss");

    [Fact]
    public void GN0007_file_local_class() => AssertSingle(
        "[Network]\n[Input(2)]\n[Dense(1)]\nfile partial class Local;",
        "GN0007", "'Local' cannot be a network: a file-local class cannot have its generated half in another file; remove the 'file' modifier", "Local");

    [Fact]
    public void GN0009_layer_attributes_without_network() => AssertSingle(
        "[Input(4)]\n[Dense(8, Activation.ReLU)]\n[Dense(1)]\npublic partial class Forgotten;",
        "GN0009", "Class 'Forgotten' has [Input] and [Dense] but no [Network] attribute, so GenNet generates nothing for it; add [Network] to the class, or remove the layer attributes",
        "Input(4)");

    [Fact]
    public void GN0009_is_reported_once_per_class_on_its_first_layer_attribute() => AssertDiagnostic(
        ["[Dense(3)]\npublic partial class Scattered;", "[Flatten]\n[Input(2, 2)]\npublic partial class Scattered;"],
        "GN0009", DiagnosticSeverity.Error,
        "Class 'Scattered' has [Dense], [Flatten] and [Input] but no [Network] attribute, so GenNet generates nothing for it; add [Network] to the class, or remove the layer attributes",
        "Dense(3)");

    [Fact]
    public void GN0010_layers_on_two_partial_declarations() => AssertSingle(
        "[Network]\n[Input(4)]\n[Dense(8, Activation.ReLU)]\npublic partial class Split;\n\n[Dense(2, Activation.Softmax)]\npublic partial class Split;",
        "GN0010",
        "Layer 2 (Dense) is on a different partial declaration of 'Split' than [Network], and the order of attributes across partial declarations is undefined; declare [Input], [Flatten] and [Dense] beside [Network]",
        "Dense(2, Activation.Softmax)");

    [Fact]
    public void GN0010_input_in_another_file() => AssertDiagnostic(
        ["[Network]\n[Dense(10, Activation.Softmax)]\npublic partial class TwoFiles;", "[Input(4)]\npublic partial class TwoFiles;"],
        "GN0010", DiagnosticSeverity.Error,
        "[Input] is on a different partial declaration of 'TwoFiles' than [Network], and the order of attributes across partial declarations is undefined; declare [Input], [Flatten] and [Dense] beside [Network]",
        "Input(4)");

    [Fact]
    public void Other_partial_declarations_may_hold_members()
    {
        GeneratorRun run = GeneratorHarness.Run(
            "using GenNet;\npublic partial class Spread { public int Helper() => 1; }",
            "using GenNet;\n[Network]\n[Input(4)]\n[Dense(8, Activation.ReLU)]\n[Dense(1)]\npublic partial class Spread;");
        Assertions.CleanRun(run);
        Assert.Contains("const int ParameterCount = 49;", run.Source("Spread.g.cs"));
    }

    [Fact]
    public void GN0011_softmax_before_the_last_layer() => AssertDiagnostic(
        ["[Network]\n[Input(4)]\n[Dense(8, Activation.Softmax)]\n[Dense(3)]\npublic partial class EarlySoftmax;"],
        "GN0011", DiagnosticSeverity.Warning,
        "Layer 1 (Dense) applies Softmax, but Layer 2 (Dense) follows it; Softmax turns the outputs into class probabilities and belongs on the last layer, so use another activation here (ReLU, for example)",
        "Dense(8, Activation.Softmax)");

    [Fact]
    public void A_flatten_after_the_softmax_layer_is_not_a_later_layer() =>
        Assertions.CleanRun(GeneratorHarness.Run("using GenNet;\n[Network]\n[Input(4)]\n[Dense(3, Activation.Softmax)]\n[Flatten]\npublic partial class SoftmaxThenFlatten;"));

    [Theory]
    [InlineData("[Network]\n[Input(4)]\n[Dense(1, Activation.Softmax)]\npublic partial class OneClass;", "Layer 1 (Dense)", "Dense(1, Activation.Softmax)")]
    [InlineData("[Network]\n[Input(4)]\n[Dense(6)]\n[Dense(1, Activation.Softmax)]\n[Dense(2)]\npublic partial class HiddenOne;", "Layer 2 (Dense)", "Dense(1, Activation.Softmax)")]
    public void GN0012_softmax_of_one_output(string declaration, string layer, string locatedOn) => AssertDiagnostic(
        [declaration], "GN0012", DiagnosticSeverity.Warning,
        $"{layer} applies Softmax to a single output, which is 1 whatever the input, so nothing before it can learn; use Activation.Sigmoid for one probability, or Dense(2, Activation.Softmax) for two classes",
        locatedOn);

    [Fact]
    public void GN0013_mean_squared_error_on_softmax() => AssertDiagnostic(
        ["[Network(Loss = Loss.MeanSquaredError)]\n[Input(4)]\n[Dense(3, Activation.Softmax)]\npublic partial class SquaredProbabilities;"],
        "GN0013", DiagnosticSeverity.Warning,
        "Loss MeanSquaredError on network 'SquaredProbabilities' whose last layer has activation Softmax: mean squared error on class probabilities learns slowly, " +
        "because the softmax gradient vanishes as the outputs saturate; use Loss.SparseCategoricalCrossEntropy for class labels or Loss.CategoricalCrossEntropy for target distributions",
        "Network(Loss = Loss.MeanSquaredError)");

    private const string Settings =
        "static class Settings\n{\n    public static int Hidden = 8;\n    public static readonly int Width = 28;\n    public static float Slope = 0.1f;\n    public static Loss Chosen = Loss.Auto;\n}\n\n";

    [Theory]
    [InlineData("[Network]\n[Input(4)]\n[Dense(Settings.Hidden)]", "Layer 1 (Dense)", "Settings.Hidden", "Dense(Settings.Hidden)")]
    [InlineData("[Network]\n[Input(28, Settings.Width)]\n[Flatten]\n[Dense(1)]", "[Input]", "Settings.Width", "Input(28, Settings.Width)")]
    [InlineData("[Network]\n[Input(new[] { 28, Settings.Width })]\n[Flatten]\n[Dense(1)]", "[Input]", "Settings.Width", "Input(new[] { 28, Settings.Width })")]
    [InlineData("[Network]\n[Input(4)]\n[Dense(3, Activation.LeakyReLU, NegativeSlope = Settings.Slope)]", "Layer 1 (Dense)", "Settings.Slope", "Dense(3, Activation.LeakyReLU, NegativeSlope = Settings.Slope)")]
    [InlineData("[Network(Loss = Settings.Chosen)]\n[Input(4)]\n[Dense(1)]", "[Network]", "Settings.Chosen", "Network(Loss = Settings.Chosen)")]
    public void GN0014_argument_not_a_constant(string attributes, string where, string expression, string locatedOn)
    {
        GeneratorRun run = AssertDiagnostic(
            [Settings + attributes + "\npublic partial class Variable;"], "GN0014", DiagnosticSeverity.Error,
            $"{where}: the argument '{expression}' is not a compile-time constant; GenNet reads the network at compile time, so use a literal or a const",
            locatedOn);
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS0182"); // the compiler's own error stands beside it
    }

    private const string Big = "[Network]\n[Input(4000)]\n[Dense(2500, Activation.ReLU)]\n[Dense(10, Activation.Softmax)]\npublic partial class Big;";

    private static string LargeNetworkMessage(GeneratorRun run, string type, string parameters, string megabytes, string threshold, string layer, string layerParameters)
    {
        string kilobytes = (Encoding.UTF8.GetByteCount(run.Source(type + ".g.cs")) / 1024.0).ToString("N1", System.Globalization.CultureInfo.InvariantCulture);
        return $"Network '{type}' has {parameters} parameters ({megabytes} MB of floats, and as much again for the gradients), more than GenNetMaxParameters = {threshold}; " +
            $"its largest layer is {layer} with {layerParameters} parameters, and its generated source is {kilobytes} KB. Set <GenNetMaxParameters> in the project file to raise the threshold";
    }

    [Fact]
    public void GN0015_network_over_the_default_threshold()
    {
        GeneratorRun run = GeneratorHarness.Run("using GenNet;\n\n" + Big);
        string message = LargeNetworkMessage(run, "Big", "10,027,510", "38.3", "10,000,000", "Layer 1 (Dense)", "10,002,500");
        AssertDiagnostic([Big], "GN0015", DiagnosticSeverity.Warning, message, "Network");
    }

    [Fact]
    public void GN0015_threshold_from_the_build_property()
    {
        const string Small = "[Network]\n[Input(4)]\n[Dense(300, Activation.ReLU)]\n[Dense(3, Activation.Softmax)]\npublic partial class Small;";
        var properties = new Dictionary<string, string> { ["GenNetMaxParameters"] = "1,000" };
        GeneratorRun run = GeneratorHarness.RunWithProperties(properties, "using GenNet;\n\n" + Small);
        string message = LargeNetworkMessage(run, "Small", "2,403", "0.0", "1,000", "Layer 1 (Dense)", "1,500");
        AssertDiagnostic([Small], "GN0015", DiagnosticSeverity.Warning, message, "Network", properties);

        // Raised above the network's size, the warning goes.
        Assertions.CleanRun(GeneratorHarness.RunWithProperties(new Dictionary<string, string> { ["GenNetMaxParameters"] = "20000000" }, "using GenNet;\n\n" + Big));
    }

    [Theory]
    [InlineData("ten million")]
    [InlineData("-5")]
    [InlineData("0")]
    public void GN0016_unreadable_threshold(string value) => AssertDiagnostic(
        ["[Network]\n[Input(4)]\n[Dense(1)]\npublic partial class Fine;"], "GN0016", DiagnosticSeverity.Warning,
        $"The MSBuild property GenNetMaxParameters = '{value}' is not a positive whole number; GenNet uses its default, 10,000,000", null,
        new Dictionary<string, string> { ["GenNetMaxParameters"] = value });

    /// <summary>
    /// Diagnostics are located in the compilation's syntax trees, not by path and span alone, so a warning can be
    /// suppressed in source like any other (dotnet/roslyn#68291).
    /// </summary>
    [Fact]
    public void Warnings_can_be_suppressed_with_pragma()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            #pragma warning disable GN0011
            [Network]
            [Input(4)]
            [Dense(8, Activation.Softmax)]
            [Dense(3)]
            public partial class Suppressed;
            #pragma warning restore GN0011

            [Network]
            [Input(4)]
            [Dense(8, Activation.Softmax)]
            [Dense(3)]
            public partial class Reported;
            """);
        Diagnostic reported = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(("GN0011", LocationKind.SourceFile, 12), (reported.Id, reported.Location.Kind, reported.Location.GetLineSpan().StartLinePosition.Line));
        Diagnostic suppressed = Assert.Single(run.Result.Diagnostics, d => d.IsSuppressed);
        Assert.Equal(("GN0011", 5), (suppressed.Id, suppressed.Location.GetLineSpan().StartLinePosition.Line));
    }

    [Fact]
    public void A_fixed_declaration_generates_again()
    {
        GeneratorRun broken = GeneratorHarness.Run("using GenNet;\n[Network]\n[Input(28, 28)]\n[Dense(10)]\npublic partial class Fixable;");
        Assert.Single(broken.GeneratorDiagnostics);
        GeneratorRun fixedRun = GeneratorHarness.Run("using GenNet;\n[Network]\n[Input(28, 28)]\n[Flatten]\n[Dense(10)]\npublic partial class Fixable;");
        Assertions.CleanRun(fixedRun);
    }

    // Convolutional layers: every shape error is on the attribute that causes it, with the shapes in the message.

    [Theory]
    [InlineData("[Input(28, 28)]\n[Conv2D(32, 3, Activation.ReLU)]", "Conv2D(32, 3, Activation.ReLU)",
        "Layer 1 (Conv2D) needs an image [height, width, channels] but receives shape [28, 28]; declare the channels too, for example [Input(28, 28, 1)] for a grayscale image; a sequence [steps, channels] takes the 1-D layers (Conv1D, MaxPool1D, AveragePool1D)")]
    [InlineData("[Input(29, 3)]\n[Conv1D(4, 3)]\n[MaxPool2D(2)]", "MaxPool2D(2)",
        "Layer 2 (MaxPool2D) needs an image [height, width, channels] but receives shape [27, 4]; declare the channels too, for example [Input(27, 4, 1)] for a grayscale image; a sequence [steps, channels] takes the 1-D layers (Conv1D, MaxPool1D, AveragePool1D)")]
    [InlineData("[Input(4, 4, 1)]\n[Flatten]\n[Conv2D(2, 3)]", "Conv2D(2, 3)",
        "Layer 2 (Conv2D) needs an image [height, width, channels] but receives shape [16]; it must come before [Flatten] and Dense layers")]
    [InlineData("[Input(10)]\n[MaxPool2D(2)]", "MaxPool2D(2)",
        "Layer 1 (MaxPool2D) needs an image [height, width, channels] but receives shape [10]; it must come before [Flatten] and Dense layers")]
    [InlineData("[Input(2, 3, 4, 5)]\n[AveragePool2D(2)]", "AveragePool2D(2)",
        "Layer 1 (AveragePool2D) needs an image [height, width, channels] but receives shape [2, 3, 4, 5]; give the input as [Input(height, width, channels)]")]
    [InlineData("[Input(10)]\n[GlobalAveragePooling2D]", "GlobalAveragePooling2D",
        "Layer 1 (GlobalAveragePooling2D) needs an image [height, width, channels] but receives shape [10]; it must come before [Flatten] and Dense layers")]
    [InlineData("[Input(6, 6, 2)]\n[Flatten]\n[GlobalMaxPooling2D]", "GlobalMaxPooling2D",
        "Layer 2 (GlobalMaxPooling2D) needs an image [height, width, channels] but receives shape [72]; it must come before [Flatten] and Dense layers")]
    [InlineData("[Input(10)]\n[DepthwiseConv2D(3)]", "DepthwiseConv2D(3)",
        "Layer 1 (DepthwiseConv2D) needs an image [height, width, channels] but receives shape [10]; it must come before [Flatten] and Dense layers")]
    [InlineData("[Input(6, 6)]\n[SeparableConv2D(4, 3)]", "SeparableConv2D(4, 3)",
        "Layer 1 (SeparableConv2D) needs an image [height, width, channels] but receives shape [6, 6]; declare the channels too, for example [Input(6, 6, 1)] for a grayscale image; a sequence [steps, channels] takes the 1-D layers (Conv1D, MaxPool1D, AveragePool1D)")]
    public void GN0020_convolution_or_pooling_without_an_image(string layers, string locatedOn, string message) => AssertSingle(
        "[Network]\n" + layers + "\n[Flatten]\n[Dense(2)]\npublic partial class NotAnImage;", "GN0020", message, locatedOn);

    [Theory]
    [InlineData("[Input(4, 4, 1)]\n[Conv2D(2, 5)]", "Conv2D(2, 5)",
        "Layer 1 (Conv2D) has a 5×5 kernel, larger than its input [4, 4, 1] without padding, so it has no output position; use a smaller window, Padding = Padding.Same, or fewer downsampling layers before it")]
    [InlineData("[Input(8, 6, 1)]\n[Conv2D(2, 2, 7)]", "Conv2D(2, 2, 7)",
        "Layer 1 (Conv2D) has a 2×7 kernel, larger than its input [8, 6, 1] without padding, so it has no output position; use a smaller window, Padding = Padding.Same, or fewer downsampling layers before it")]
    [InlineData("[Input(12, 12, 1)]\n[Conv2D(8, 3, Activation.ReLU)]\n[MaxPool2D(2)]\n[MaxPool2D(2)]\n[Conv2D(16, 5, Activation.ReLU)]", "Conv2D(16, 5, Activation.ReLU)",
        "Layer 4 (Conv2D) has a 5×5 kernel, larger than its input [2, 2, 8] without padding, so it has no output position; use a smaller window, Padding = Padding.Same, or fewer downsampling layers before it")]
    [InlineData("[Input(3, 3, 2)]\n[MaxPool2D(4)]", "MaxPool2D(4)",
        "Layer 1 (MaxPool2D) has a 4×4 pool window, larger than its input [3, 3, 2] without padding, so it has no output position; use a smaller window, Padding = Padding.Same, or fewer downsampling layers before it")]
    [InlineData("[Input(4, 4, 3)]\n[DepthwiseConv2D(5, DepthMultiplier = 2)]", "DepthwiseConv2D(5, DepthMultiplier = 2)",
        "Layer 1 (DepthwiseConv2D) has a 5×5 kernel, larger than its input [4, 4, 3] without padding, so it has no output position; use a smaller window, Padding = Padding.Same, or fewer downsampling layers before it")]
    [InlineData("[Input(8, 6, 1)]\n[SeparableConv2D(4, 2, 7, Activation.ReLU)]", "SeparableConv2D(4, 2, 7, Activation.ReLU)",
        "Layer 1 (SeparableConv2D) has a 2×7 kernel, larger than its input [8, 6, 1] without padding, so it has no output position; use a smaller window, Padding = Padding.Same, or fewer downsampling layers before it")]
    public void GN0021_window_larger_than_its_input(string layers, string locatedOn, string message) => AssertSingle(
        "[Network]\n" + layers + "\n[Flatten]\n[Dense(2)]\npublic partial class TooSmall;", "GN0021", message, locatedOn);

    // The 1-D layers: a sequence [steps, channels] only, and the same size and argument checks as their 2-D forms.

    [Theory]
    [InlineData("[Input(28, 28, 1)]\n[Conv1D(8, 3)]", "Conv1D(8, 3)",
        "Layer 1 (Conv1D) needs a sequence [steps, channels] but receives shape [28, 28, 1]; over an image use [Conv2D]")]
    [InlineData("[Input(10)]\n[Conv1D(8, 3)]", "Conv1D(8, 3)",
        "Layer 1 (Conv1D) needs a sequence [steps, channels] but receives shape [10]; it must come before [Flatten] and Dense layers")]
    [InlineData("[Input(7, 2)]\n[Flatten]\n[MaxPool1D(2)]", "MaxPool1D(2)",
        "Layer 2 (MaxPool1D) needs a sequence [steps, channels] but receives shape [14]; it must come before [Flatten] and Dense layers")]
    [InlineData("[Input(6, 6, 2)]\n[AveragePool1D(2)]", "AveragePool1D(2)",
        "Layer 1 (AveragePool1D) needs a sequence [steps, channels] but receives shape [6, 6, 2]; over an image use [AveragePool2D]")]
    [InlineData("[Input(2, 3, 4, 5)]\n[GlobalMaxPooling1D]", "GlobalMaxPooling1D",
        "Layer 1 (GlobalMaxPooling1D) needs a sequence [steps, channels] but receives shape [2, 3, 4, 5]; give the input as [Input(steps, channels)]")]
    [InlineData("[Input(5, 5, 3)]\n[GlobalAveragePooling1D]", "GlobalAveragePooling1D",
        "Layer 1 (GlobalAveragePooling1D) needs a sequence [steps, channels] but receives shape [5, 5, 3]; over an image use [GlobalAveragePooling2D]")]
    public void GN0028_one_dimensional_layer_without_a_sequence(string layers, string locatedOn, string message) => AssertSingle(
        "[Network]\n" + layers + "\n[Flatten]\n[Dense(2)]\npublic partial class NotASequence;", "GN0028", message, locatedOn);

    // The recurrent layers: a sequence only (the last state of one is not: ReturnSequences), and a positive unit count.

    [Theory]
    [InlineData("[Input(10)]\n[LSTM(4)]", "LSTM(4)",
        "Layer 1 (LSTM) needs a sequence [steps, channels] but receives shape [10]; declare the input as [Input(steps, features)], put the layer before [Flatten] and Dense layers, and give a recurrent layer before it ReturnSequences = true")]
    [InlineData("[Input(7, 2)]\n[GRU(3)]\n[GRU(3)]", "GRU(3)",
        "Layer 2 (GRU) needs a sequence [steps, channels] but receives shape [3]; declare the input as [Input(steps, features)], put the layer before [Flatten] and Dense layers, and give a recurrent layer before it ReturnSequences = true")]
    [InlineData("[Input(28, 28, 1)]\n[SimpleRNN(8)]", "SimpleRNN(8)",
        "Layer 1 (SimpleRNN) needs a sequence [steps, channels] but receives shape [28, 28, 1]; an image's rows are a sequence when declared as [Input(rows, width × channels)]")]
    public void GN0028_recurrent_layer_without_a_sequence(string layers, string locatedOn, string message) => AssertSingle(
        "[Network]\n" + layers + "\n[Dense(2)]\npublic partial class NotASequence;", "GN0028", message, locatedOn);

    [Theory]
    [InlineData("[LSTM(0)]", "Layer 1 (LSTM) has units = 0; every size must be at least 1")]
    [InlineData("[GRU(-3, ReturnSequences = true)]", "Layer 1 (GRU) has units = -3; every size must be at least 1")]
    [InlineData("[SimpleRNN(0)]", "Layer 1 (SimpleRNN) has units = 0; every size must be at least 1")]
    public void GN0003_recurrent_layer_without_units(string layer, string message) => AssertSingle(
        "[Network]\n[Input(9, 2)]\n" + layer + "\n[Flatten]\n[Dense(2)]\npublic partial class NoUnits;", "GN0003", message, layer.Trim('[', ']'));

    // Embedding: token ids come straight from an input of one dimension; a positive vocabulary and dimension count.

    [Theory]
    [InlineData("[Input(6, 2)]\n[Embedding(10, 4)]", "Embedding(10, 4)",
        "Layer 1 (Embedding): it reads token ids, an [Input(steps)] of whole numbers in [0, 10), but receives the input 'input', shape [6, 2]; declare the ids as an input of one dimension and put the Embedding right after it (ids come from the data: nothing before them learns)")]
    [InlineData("[Input(6)]\n[Dense(6)]\n[Embedding(10, 4)]", "Embedding(10, 4)",
        "Layer 2 (Embedding): it reads token ids, an [Input(steps)] of whole numbers in [0, 10), but receives the output of 'dense_0', shape [6]; declare the ids as an input of one dimension and put the Embedding right after it (ids come from the data: nothing before them learns)")]
    [InlineData("[Input(6)]\n[Embedding(0, 4)]", "Embedding(0, 4)", "Layer 1 (Embedding) has vocabulary = 0; every size must be at least 1", "GN0003")]
    [InlineData("[Input(6)]\n[Embedding(10, -4)]", "Embedding(10, -4)", "Layer 1 (Embedding) has dimensions = -4; every size must be at least 1", "GN0003")]
    public void Embedding_without_token_ids_or_sizes(string layers, string locatedOn, string message, string id = "GN0008") => AssertSingle(
        "[Network]\n" + layers + "\n[Flatten]\n[Dense(2)]\npublic partial class NoTokens;", id, message, locatedOn);

    // A step mask (Embedding with MaskZero) must reach a recurrent layer; a recurrent sequence carries it on to any layer.

    [Theory]
    [InlineData("[Embedding(10, 4, MaskZero = true)]\n[Flatten]", "Flatten",
        "Layer 2 (Flatten) reads the output of 'embedding', which carries a step mask, but a Flatten cannot take one and would compute over the padded steps; put an LSTM, GRU or SimpleRNN right after 'embedding', or drop its mask")]
    [InlineData("[Embedding(10, 4, MaskZero = true, Name = \"tokens\")]\n[Conv1D(3, 2)]\n[LSTM(2)]", "Conv1D(3, 2)",
        "Layer 2 (Conv1D) reads the output of 'tokens', which carries a step mask, but a Conv1D cannot take one and would compute over the padded steps; put an LSTM, GRU or SimpleRNN right after 'tokens', or drop its mask")]
    [InlineData("[Embedding(10, 4, MaskZero = true)]\n[Dropout(0.5)]\n[GRU(2)]", "Dropout(0.5)",
        "Layer 2 (Dropout) reads the output of 'embedding', which carries a step mask, but a Dropout cannot take one and would compute over the padded steps; put an LSTM, GRU or SimpleRNN right after 'embedding', or drop its mask")]
    [InlineData("[Embedding(10, 4, MaskZero = true, Name = \"e\")]\n[SimpleRNN(3, Name = \"r\")]\n[GlobalAveragePooling1D(From = \"e\")]\n[Concatenate(\"r\")]", "GlobalAveragePooling1D(From = \"e\")",
        "Layer 3 (GlobalAveragePooling1D) reads the output of 'e', which carries a step mask, but a GlobalAveragePooling1D cannot take one and would compute over the padded steps; put an LSTM, GRU or SimpleRNN right after 'e', or drop its mask")]
    public void GN0030_step_mask_reaching_a_layer_that_cannot_take_it(string layers, string locatedOn, string message) => AssertSingle(
        "[Network]\n[Input(6)]\n" + layers + "\n[Flatten]\n[Dense(2)]\npublic partial class LostMask;", "GN0030", message, locatedOn);

    [Theory]
    [InlineData("[Input(6, 2)]\n[Masking]\n[Flatten]", "Flatten",
        "Layer 2 (Flatten) reads the output of 'masking', which carries a step mask, but a Flatten cannot take one and would compute over the padded steps; put an LSTM, GRU or SimpleRNN right after 'masking', or drop its mask", "GN0030")]
    [InlineData("[Input(6)]\n[Masking]\n[Flatten]", "Masking",
        "Layer 1 (Masking) needs a sequence [steps, channels] but receives shape [6]; it masks whole steps of a sequence [steps, features] for the recurrent layer after it", "GN0028")]
    [InlineData("[Input(6, 2)]\n[Masking(float.NaN)]\n[LSTM(2)]", "Masking(float.NaN)",
        "Layer 1 (Masking): the padding value NaN must be a finite number: no step could equal NaN", "GN0008")]
    public void Masking_off_a_sequence_or_before_a_layer_that_cannot_take_its_mask(string layers, string locatedOn, string message, string id) => AssertSingle(
        "[Network]\n" + layers + "\n[Dense(2)]\npublic partial class BadMasking;", id, message, locatedOn);

    [Fact]
    public void A_masked_sequence_may_feed_any_layer()
    {
        // Its padded steps are zero: the mask ends at the recurrent layer that returns the sequence.
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(
            "using GenNet;\n[Network]\n[Input(6)]\n[Embedding(10, 4, MaskZero = true)]\n[LSTM(3, ReturnSequences = true)]\n[Conv1D(2, 2)]\n[Flatten]\n[Dense(2)]\npublic partial class Pooled;"));
        Assert.Empty(run.GeneratorDiagnostics);
    }

    [Theory]
    [InlineData("[Input(4, 3)]\n[Conv1D(2, 5)]", "Conv1D(2, 5)",
        "Layer 1 (Conv1D) has a 5-step kernel, larger than its input [4, 3] without padding, so it has no output position; use a smaller window, Padding = Padding.Same, or fewer downsampling layers before it")]
    [InlineData("[Input(7, 1)]\n[MaxPool1D(2)]\n[AveragePool1D(4)]", "AveragePool1D(4)",
        "Layer 2 (AveragePool1D) has a 4-step pool window, larger than its input [3, 1] without padding, so it has no output position; use a smaller window, Padding = Padding.Same, or fewer downsampling layers before it")]
    public void GN0021_one_dimensional_window_longer_than_its_sequence(string layers, string locatedOn, string message) => AssertSingle(
        "[Network]\n" + layers + "\n[Flatten]\n[Dense(2)]\npublic partial class TooShort;", "GN0021", message, locatedOn);

    [Theory]
    [InlineData("[Conv1D(0, 3)]", "GN0003", "Layer 1 (Conv1D) has filters = 0; every size must be at least 1")]
    [InlineData("[Conv1D(4, -1)]", "GN0003", "Layer 1 (Conv1D) has kernel size = -1; every size must be at least 1")]
    [InlineData("[Conv1D(4, 3, Stride = 0)]", "GN0003", "Layer 1 (Conv1D) has Stride = 0; every size must be at least 1")]
    [InlineData("[MaxPool1D(0)]", "GN0003", "Layer 1 (MaxPool1D) has pool size = 0; every size must be at least 1")]
    [InlineData("[AveragePool1D(2, Stride = -2)]", "GN0003", "Layer 1 (AveragePool1D) has Stride = -2; every size must be at least 1")]
    [InlineData("[Conv1D(4, 3, Activation.Softmax)]", "GN0008", "Layer 1 (Conv1D): Softmax is not supported on a convolution; flatten the sequence and end with [Dense(classes, Activation.Softmax)]")]
    [InlineData("[Conv1D(4, 3, Padding = (Padding)2)]", "GN0008", "Layer 1 (Conv1D): Padding = 2 is not a member of GenNet.Padding")]
    [InlineData("[Conv1D(4, 3, Activation.LeakyReLU, NegativeSlope = -0.5f)]", "GN0008", "Layer 1 (Conv1D): NegativeSlope = -0.5 must be in [0, 1)")]
    [InlineData("[Conv1D(4, 3, (Activation)42)]", "GN0008", "Layer 1 (Conv1D): activation 42 is not a member of GenNet.Activation")]
    [InlineData("[MaxPool1D(2, Padding = (Padding)(-1))]", "GN0008", "Layer 1 (MaxPool1D): Padding = -1 is not a member of GenNet.Padding")]
    public void Bad_one_dimensional_arguments(string layer, string id, string message) => AssertSingle(
        "[Network]\n[Input(9, 2)]\n" + layer + "\n[Flatten]\n[Dense(2)]\npublic partial class BadSequenceLayer;", id, message, layer.Trim('[', ']'));

    [Theory]
    [InlineData("[Conv2D(0, 3)]", "Layer 1 (Conv2D) has filters = 0; every size must be at least 1")]
    [InlineData("[Conv2D(4, 0)]", "Layer 1 (Conv2D) has kernel size = 0; every size must be at least 1")]
    [InlineData("[Conv2D(4, 3, -2)]", "Layer 1 (Conv2D) has kernel size = -2; every size must be at least 1")]
    [InlineData("[Conv2D(4, 3, Stride = 0)]", "Layer 1 (Conv2D) has Stride = 0; every size must be at least 1")]
    [InlineData("[MaxPool2D(2, Stride = -1)]", "Layer 1 (MaxPool2D) has Stride = -1; every size must be at least 1")]
    [InlineData("[AveragePool2D(0)]", "Layer 1 (AveragePool2D) has pool size = 0; every size must be at least 1")]
    [InlineData("[DepthwiseConv2D(0)]", "Layer 1 (DepthwiseConv2D) has kernel size = 0; every size must be at least 1")]
    [InlineData("[DepthwiseConv2D(3, -1, Activation.ReLU)]", "Layer 1 (DepthwiseConv2D) has kernel size = -1; every size must be at least 1")]
    [InlineData("[DepthwiseConv2D(3, DepthMultiplier = 0)]", "Layer 1 (DepthwiseConv2D) has DepthMultiplier = 0; every size must be at least 1")]
    [InlineData("[DepthwiseConv2D(3, Stride = 0)]", "Layer 1 (DepthwiseConv2D) has Stride = 0; every size must be at least 1")]
    [InlineData("[SeparableConv2D(0, 3)]", "Layer 1 (SeparableConv2D) has filters = 0; every size must be at least 1")]
    [InlineData("[SeparableConv2D(4, 0)]", "Layer 1 (SeparableConv2D) has kernel size = 0; every size must be at least 1")]
    [InlineData("[SeparableConv2D(4, 3, DepthMultiplier = -2)]", "Layer 1 (SeparableConv2D) has DepthMultiplier = -2; every size must be at least 1")]
    public void GN0003_convolution_sizes_not_positive(string layer, string message) => AssertSingle(
        "[Network]\n[Input(6, 6, 2)]\n" + layer + "\n[Flatten]\n[Dense(2)]\npublic partial class NonPositive;", "GN0003", message, layer.Trim('[', ']'));

    [Theory]
    [InlineData("[Dropout(1.0)]", "Layer 2 (Dropout): the rate 1 must be in [0, 1): the fraction of values zeroed while training")]
    [InlineData("[Dropout(-0.1)]", "Layer 2 (Dropout): the rate -0.1 must be in [0, 1): the fraction of values zeroed while training")]
    [InlineData("[Dropout(double.NaN)]", "Layer 2 (Dropout): the rate NaN must be in [0, 1): the fraction of values zeroed while training")]
    [InlineData("[Conv2D(2, 1, Activation.Softmax)]", "Layer 2 (Conv2D): Softmax is not supported on a convolution; flatten the image and end with [Dense(classes, Activation.Softmax)]")]
    [InlineData("[Conv2D(2, 1, Padding = (Padding)5)]", "Layer 2 (Conv2D): Padding = 5 is not a member of GenNet.Padding")]
    [InlineData("[Conv2D(2, 1, Activation.LeakyReLU, NegativeSlope = 1.5f)]", "Layer 2 (Conv2D): NegativeSlope = 1.5 must be in [0, 1)")]
    [InlineData("[Conv2D(2, 1, KernelInitializer = (Initializer)12)]", "Layer 2 (Conv2D): KernelInitializer = 12 is not a member of GenNet.Initializer")]
    [InlineData("[Conv2D(2, 1, BiasInitializer = (Initializer)9)]", "Layer 2 (Conv2D): BiasInitializer = 9 is not a member of GenNet.Initializer")]
    [InlineData("[Conv2D(2, 1, KernelRegularizerL2 = float.NegativeInfinity)]", "Layer 2 (Conv2D): KernelRegularizerL2 = -Infinity must be finite and not negative: it is λ of the penalty λ·Σw²")]
    [InlineData("[Conv2D(2, 1, BiasRegularizerL2 = float.NaN)]", "Layer 2 (Conv2D): BiasRegularizerL2 = NaN must be finite and not negative: it is λ of the penalty λ·Σw²")]
    [InlineData("[DepthwiseConv2D(1, Activation.Softmax)]", "Layer 2 (DepthwiseConv2D): Softmax is not supported on a convolution; flatten the image and end with [Dense(classes, Activation.Softmax)]")]
    [InlineData("[DepthwiseConv2D(1, KernelInitializer = (Initializer)12)]", "Layer 2 (DepthwiseConv2D): KernelInitializer = 12 is not a member of GenNet.Initializer")]
    [InlineData("[DepthwiseConv2D(1, Padding = (Padding)5)]", "Layer 2 (DepthwiseConv2D): Padding = 5 is not a member of GenNet.Padding")]
    [InlineData("[DepthwiseConv2D(1, (Activation)9)]", "Layer 2 (DepthwiseConv2D): activation 9 is not a member of GenNet.Activation")]
    [InlineData("[SeparableConv2D(2, 1, Activation.Softmax)]", "Layer 2 (SeparableConv2D): Softmax is not supported on a convolution; flatten the image and end with [Dense(classes, Activation.Softmax)]")]
    [InlineData("[SeparableConv2D(2, 1, Activation.LeakyReLU, NegativeSlope = -0.5f)]", "Layer 2 (SeparableConv2D): NegativeSlope = -0.5 must be in [0, 1)")]
    public void GN0008_invalid_convolution_arguments(string layer, string message) => AssertSingle(
        "[Network]\n[Input(4, 4, 1)]\n[Conv2D(3, 3)]\n" + layer + "\n[Flatten]\n[Dense(2)]\npublic partial class BadConvolution;", "GN0008", message, layer.Trim('[', ']'));

    [Theory]
    [InlineData("[Input(4)]\n[Dense(3)]\n[Dropout(0.5)]\n[Flatten]", "Layer 2 (Dropout)")]
    [InlineData("[Input(6, 6, 1)]\n[Conv2D(2, 3, Activation.ReLU)]\n[Dropout(0.5)]\n[MaxPool2D(2)]", "Layer 2 (Dropout)")]
    [InlineData("[Input(4)]\n[Dropout(0.2)]", "Layer 1 (Dropout)")]
    public void GN0008_dropout_after_the_last_weighted_layer(string layers, string where) => AssertSingle(
        "[Network]\n" + layers + "\npublic partial class DropsItsOutput;",
        "GN0008", where + ": dropout must come before a layer with weights (Dense, a convolution or a normalisation): after the last one it would zero the outputs the loss compares; put it before the last such layer",
        layers.Split('\n').Single(l => l.StartsWith("[Dropout", System.StringComparison.Ordinal)).Trim('[', ']'));

    [Fact]
    public void GN0008_dropout_rate_that_rounds_to_one_as_a_float() => AssertSingle(
        "[Network]\n[Input(4)]\n[Dropout(0.99999999)]\n[Dense(2)]\npublic partial class AlmostAll;",
        "GN0008", "Layer 1 (Dropout): the rate 0.99999999 must be in [0, 1): the fraction of values zeroed while training", "Dropout(0.99999999)");

    [Fact]
    public void Binary_cross_entropy_sees_through_a_reordering_flatten()
    {
        GeneratorRun run = GeneratorHarness.Run("using GenNet;\n[Network]\n[Input(8, 8, 1)]\n[Conv2D(2, 3, Activation.Sigmoid)]\n[Flatten]\npublic partial class PixelClassifier;");
        Assertions.CleanRun(run);
        Assert.Contains("loss: binary cross-entropy", run.Source("PixelClassifier.g.cs"));
    }

    [Fact]
    public void GN0009_convolution_attributes_without_network() => AssertSingle(
        "[Conv2D(8, 3)]\n[MaxPool2D(2)]\n[Dropout(0.5)]\npublic partial class ForgottenConv;",
        "GN0009", "Class 'ForgottenConv' has [Conv2D], [MaxPool2D] and [Dropout] but no [Network] attribute, so GenNet generates nothing for it; add [Network] to the class, or remove the layer attributes",
        "Conv2D(8, 3)");

    [Fact]
    public void GN0005_cross_entropy_after_pooling_reads_no_softmax() => AssertSingle(
        "[Network(Loss = Loss.SparseCategoricalCrossEntropy)]\n[Input(4, 4, 3)]\n[Conv2D(2, 3)]\n[MaxPool2D(2)]\npublic partial class PooledClassifier;",
        "GN0005", "Loss SparseCategoricalCrossEntropy cannot train network 'PooledClassifier' whose last layer has activation Linear: cross-entropy reads class probabilities, so the last layer needs Activation.Softmax", "Network(Loss = Loss.SparseCategoricalCrossEntropy)");
}
