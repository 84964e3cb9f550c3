using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace GenNet.Generator.Tests;

/// <summary>
/// [Network(Weights = …)]: the build checks the weights file's header (which GenNet's MSBuild targets copy to
/// obj/GenNet/NAME.safetensors.header.json) against the declaration.
/// </summary>
public sealed class WeightsTests
{
    private const string Declaration = """
        using GenNet;

        namespace Apps;

        [Network(Training = false, Weights = "models/tiny.safetensors")]
        [Input(3)]
        [Dense(2, Activation.Softmax)]
        public partial class Tiny;
        """;

    private const string FittingHeader =
        "{\"__metadata__\":{\"format\":\"pt\"},\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}," +
        "\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}}  \ndata-length: 32";

    private static AdditionalText Header(string text, string name = "tiny.safetensors") =>
        new InMemoryAdditionalText($"/project/obj/GenNet/{name}.header.json", text);

    private static GeneratorRun Run(params AdditionalText[] files) => GeneratorHarness.RunWithFiles(GeneratorHarness.Compile(Declaration), null, files);

    [Fact]
    public void Inference_only_network_with_weights_compiled_in()
    {
        GeneratorRun run = Run(Header(FittingHeader));
        Assertions.CleanRun(run);
        string source = run.Source("Apps.Tiny.g.cs");
        Snapshot.Match("InferenceWithWeights", source);
        Assert.DoesNotContain("Backward", source);
        Assert.DoesNotContain("Gradients", source);
        Assert.Contains("partial class Tiny : global::GenNet.NetworkBase", source);
        AssertCachedWith(run, Header(FittingHeader));
    }

    private static void AssertCachedWith(GeneratorRun run, AdditionalText file)
    {
        GeneratorDriver again = run.Driver.RunGenerators(run.Input.Clone());
        Assertions.AssertCached(again);
    }

    private static void AssertDiagnostic(GeneratorRun run, string id, string message)
    {
        Assert.Null(run.Result.Results.Single().Exception);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        SyntaxTree tree = run.Input.SyntaxTrees.Single(t => t.FilePath == diagnostic.Location.GetLineSpan().Path);
        Assert.Equal("Network(Training = false, Weights = \"models/tiny.safetensors\")", tree.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Empty(run.Result.Results.Single().GeneratedSources);
    }

    [Fact]
    public void GN0017_weights_file_not_in_the_project() => AssertDiagnostic(
        Run(Header(FittingHeader, "other.safetensors")),
        "GN0017",
        "Network 'Tiny' names weights file 'models/tiny.safetensors', but the project lists no such file; add <GenNetWeights Include=\"models/tiny.safetensors\" /> to the project file");

    [Theory]
    [InlineData("error: the header length 99999 is past the end of the file (12 bytes follow it)", "the header length 99999 is past the end of the file (12 bytes follow it)")]
    [InlineData("{\"dense_0.weight\": [", "its header is not valid JSON")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3]}}", "tensor 'dense_0.weight' needs a \"dtype\", a \"shape\" of sizes and two \"data_offsets\"")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}\ndata-length: 20", "tensor 'dense_0.weight' ends at byte 24 of the data, but the file holds 20 data bytes")]
    public void GN0018_weights_file_unreadable(string header, string problem) => AssertDiagnostic(
        Run(Header(header)),
        "GN0018",
        $"Weights file 'models/tiny.safetensors' of network 'Tiny' cannot be read: {problem}");

    [Theory]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}}",
        "tensor 'dense_0.weight' has shape [3, 2] in the file, the declaration needs [2, 3]")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", "tensor 'dense_0.bias' is missing")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"U8\",\"shape\":[2,3],\"data_offsets\":[0,6]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
        "tensor 'dense_0.weight' has dtype U8; GenNet reads F32, F16, BF16, I8 (with scales) and I64")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"I8\",\"shape\":[2,3],\"data_offsets\":[0,6]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
        "tensor 'dense_0.weight' is I8 but has no F32 scales 'dense_0.weight_scale' of shape [2]")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"I8\",\"shape\":[2,3],\"data_offsets\":[0,6]},\"dense_0.weight_scale\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[6,18]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[18,26]}}",
        "tensor 'dense_0.weight' is I8 but has no F32 scales 'dense_0.weight_scale' of shape [2]")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]},\"dense_1.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[32,36]}}",
        "the file has tensor 'dense_1.bias' that the declaration does not")]
    public void GN0019_weights_do_not_fit(string header, string problem) => AssertDiagnostic(
        Run(Header(header)),
        "GN0019",
        $"Weights file 'models/tiny.safetensors' does not fit network 'Tiny': {problem}");

    // An int8 file as SafeTensors.Save(path, WeightPrecision.Int8) writes it: I8 codes, their F32 scales, F32 biases.
    private const string Int8Header =
        "{\"__metadata__\":{\"format\":\"pt\",\"weight_precision\":\"Int8\"},\"dense_0.weight\":{\"dtype\":\"I8\",\"shape\":[2,3],\"data_offsets\":[0,6]}," +
        "\"dense_0.weight_scale\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[6,14]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[14,22]}}\ndata-length: 22";

    private static GeneratorRun RunReduced(string precision, string header, bool training = false, bool weights = true) =>
        GeneratorHarness.RunWithFiles(GeneratorHarness.Compile(Declaration.Replace(
            "[Network(Training = false, Weights = \"models/tiny.safetensors\")]",
            $"[Network(Training = {(training ? "true" : "false")}{(weights ? ", Weights = \"models/tiny.safetensors\"" : "")}, WeightPrecision = WeightPrecision.{precision})]")), null, Header(header));

    [Fact]
    public void Int8_weights_are_multiplied_where_they_lie_and_a_float_file_still_loads_them_as_floats()
    {
        GeneratorRun run = RunReduced("Int8", Int8Header);
        Assertions.CleanRun(run);
        string source = run.Source("Apps.Tiny.g.cs");
        Snapshot.Match("InferenceWithInt8Weights", source);
        Assert.Contains("global::GenNet.Kernels.Dense.ForwardInt8(x, stored.Int8(0), stored.Int8Scales(0), parameters.Slice(Dense0Bias, 2), y, batchSize, 3, 2);", source);

        // Without WeightPrecision the same file compiles in and is expanded to floats when first read: the float code.
        GeneratorRun plain = Run(Header(Int8Header));
        Assertions.CleanRun(plain);
        Assert.Equal(Run(Header(FittingHeader)).Source("Apps.Tiny.g.cs"), plain.Source("Apps.Tiny.g.cs"));
    }

    // An int8 file with calibrated activations, as SafeTensors.Save(path, WeightPrecision.Int8, calibrationInputs) writes it:
    // the input quantization (scale, zero point) beside the codes and their scales.
    private const string CalibratedHeader =
        "{\"__metadata__\":{\"format\":\"pt\",\"weight_precision\":\"Int8\"},\"dense_0.weight\":{\"dtype\":\"I8\",\"shape\":[2,3],\"data_offsets\":[0,6]}," +
        "\"dense_0.weight_scale\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[6,14]},\"dense_0.weight_input_quant\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[14,22]}," +
        "\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[22,30]}}\ndata-length: 30";

    [Fact]
    public void Calibrated_int8_layers_run_integer_products_and_the_same_file_compiles_as_floats_without_the_precision()
    {
        GeneratorRun run = RunReduced("Int8", CalibratedHeader);
        Assertions.CleanRun(run);
        string source = run.Source("Apps.Tiny.g.cs");
        Snapshot.Match("InferenceWithInt8Activations", source);
        Assert.Contains("global::GenNet.Kernels.Dense.ForwardQuantized(x, stored.QuantizedDense(0, 3, 2), parameters.Slice(Dense0Bias, 2), y, batchSize);", source);
        Assert.DoesNotContain("ForwardInt8", source);
        Assert.Contains("global::GenNet.Kernels.Dense.Forward(x, parameters.Slice(Dense0Weight, 2 * 3), ", source); // after Parameters is asked for
        AssertCachedWith(run, Header(CalibratedHeader));

        GeneratorRun plain = Run(Header(CalibratedHeader));
        Assertions.CleanRun(plain);
        Assert.Equal(Run(Header(FittingHeader)).Source("Apps.Tiny.g.cs"), plain.Source("Apps.Tiny.g.cs"));
    }

    [Theory]
    [InlineData("\"dense_0.weight_input_quant\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[14,26]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[26,34]}}",
        "tensor 'dense_0.weight_input_quant' is F32 [3] beside I8 [2, 3]; an input quantization is F32 [2] (scale, zero point) beside an I8 Dense weight [outputs, inputs]")]
    [InlineData("\"dense_0.weight_input_quant\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[14,18]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[18,26]}}",
        "tensor 'dense_0.weight_input_quant' is F16 [2] beside I8 [2, 3]; an input quantization is F32 [2] (scale, zero point) beside an I8 Dense weight [outputs, inputs]")]
    public void GN0019_a_malformed_input_quantization(string rest, string problem)
    {
        string header = "{\"dense_0.weight\":{\"dtype\":\"I8\",\"shape\":[2,3],\"data_offsets\":[0,6]},\"dense_0.weight_scale\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[6,14]}," + rest;
        GeneratorRun run = RunReduced("Int8", header);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("GN0019", diagnostic.Id);
        Assert.Equal($"Weights file 'models/tiny.safetensors' does not fit network 'Tiny': {problem}", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("BFloat16", "BF16", "ForwardBFloat16(x, stored.BFloat16(0), ")]
    [InlineData("Half", "F16", "ForwardHalf(x, stored.Half(0), ")]
    public void Sixteen_bit_weights_are_multiplied_where_they_lie(string precision, string dtype, string call)
    {
        string header = "{\"dense_0.weight\":{\"dtype\":\"" + dtype + "\",\"shape\":[2,3],\"data_offsets\":[0,12]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}\ndata-length: 20";
        GeneratorRun run = RunReduced(precision, header);
        Assertions.CleanRun(run);
        string source = run.Source("Apps.Tiny.g.cs");
        if (precision == "BFloat16")
        {
            Snapshot.Match("InferenceWithBFloat16Weights", source);
        }

        Assert.Contains("global::GenNet.Kernels.Dense." + call, source);
        Assert.Contains("global::GenNet.Kernels.Dense.Forward(x, parameters.Slice(Dense0Weight, 2 * 3), ", source); // after Parameters is asked for
    }

    /// <summary>
    /// An inference-only convnet reading float weights compiled in: its tap-major copy is compared with the weight it was
    /// made from until it is made from the compiled-in weights, then not until Parameters is asked for; the same network
    /// without compiled-in weights (whose Parameters anyone may write) compares whenever RefreshKernels runs (once per
    /// version of the parameters, or every call once Parameters has handed them out). Either way the record of
    /// the weight is the weight's size, not the copy's.
    /// </summary>
    [Fact]
    public void Convolution_copies_made_from_compiled_in_weights_are_not_compared_again()
    {
        const string declaration = """
            using GenNet;

            namespace Apps;

            [Network(Training = false, Weights = "models/tiny.safetensors")]
            [Input(6, 6, 1)]
            [Conv2D(2, 3, Activation.ReLU)]
            [Flatten]
            [Dense(2, Activation.Softmax)]
            public partial class Tiny;
            """;
        const string header =
            "{\"conv_0.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,3,3],\"data_offsets\":[0,72]},\"conv_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[72,80]}," +
            "\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[2,32],\"data_offsets\":[80,336]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[336,344]}}\ndata-length: 344";
        GeneratorRun run = GeneratorHarness.RunWithFiles(GeneratorHarness.Compile(declaration), null, Header(header));
        Assertions.CleanRun(run);
        string source = run.Source("Apps.Tiny.g.cs");
        Assert.Contains("private const int Conv0TapsSource = 0; // conv_0.weight, for Conv0Taps", source);
        Assert.Contains("private const int KernelSourcesSize = 18;", source);
        Assert.Contains("private readonly float[] _kernelSources = new float[KernelSourcesSize];", source);
        Assert.Contains("private volatile bool _kernelsFromStoredWeights;", source);
        Assert.Contains("""
                        if (!_kernelsFromStoredWeights || StoredWeights is null)
                        {
                            global::GenNet.Kernels.Conv.RefreshTapMajorKernel(parameters.Slice(Conv0Weight, 2 * 9), global::System.MemoryExtensions.AsSpan(_kernelSources, Conv0TapsSource, 2 * 9), global::System.MemoryExtensions.AsSpan(_kernels, Conv0Taps, 2 * 9), 2, 1, 3, 3);
                            _kernelsFromStoredWeights = StoredWeights is not null;
                        }
            """, source);

        GeneratorRun plain = GeneratorHarness.Run(declaration.Replace(", Weights = \"models/tiny.safetensors\"", ""));
        Assertions.CleanRun(plain);
        string plainSource = plain.Source("Apps.Tiny.g.cs");
        Assert.DoesNotContain("_kernelsFromStoredWeights", plainSource);
        Assert.Contains("global::GenNet.Kernels.Conv.RefreshTapMajorKernel(parameters.Slice(Conv0Weight, 2 * 9), global::System.MemoryExtensions.AsSpan(_kernelSources, Conv0TapsSource, 2 * 9), ", plainSource);
    }

    private const string ConvDeclaration = """
        using GenNet;

        namespace Apps;

        [Network(Training = false, Weights = "models/tiny.safetensors", WeightPrecision = WeightPrecision.Int8)]
        [Input(6, 6, 1)]
        [Conv2D(2, 3, Activation.ReLU)]
        [Conv2D(3, 3, Activation.ReLU)]
        [Flatten]
        [Dense(2, Activation.Softmax)]
        public partial class Tiny;
        """;

    // The convnet's int8 file as SafeTensors.Save(path, WeightPrecision.Int8) writes it; {0} is conv_1.weight's dtype and size.
    private const string ConvInt8Header =
        "{\"conv_0.weight\":{\"dtype\":\"I8\",\"shape\":[2,1,3,3],\"data_offsets\":[0,18]},\"conv_0.weight_scale\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[18,26]},\"conv_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[26,34]}," +
        "\"conv_1.weight\":{\"dtype\":\"I8\",\"shape\":[3,2,3,3],\"data_offsets\":[34,88]},\"conv_1.weight_scale\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[88,100]},\"conv_1.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[100,112]}," +
        "\"dense_0.weight\":{\"dtype\":\"I8\",\"shape\":[2,12],\"data_offsets\":[112,136]},\"dense_0.weight_scale\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[136,144]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[144,152]}}\ndata-length: 152";

    /// <summary>
    /// Convolutions read their int8 codes too: over one channel as stored (the columns' order), over several reordered
    /// once to the channels-last columns; a convolution weight left in float does not fit the declared precision.
    /// </summary>
    [Fact]
    public void Int8_convolution_weights_are_multiplied_as_stored_or_reordered_once()
    {
        GeneratorRun run = GeneratorHarness.RunWithFiles(GeneratorHarness.Compile(ConvDeclaration), null, Header(ConvInt8Header));
        Assertions.CleanRun(run);
        string source = run.Source("Apps.Tiny.g.cs");
        Snapshot.Match("InferenceConvWithInt8Weights", source);

        // The same file with dense_0's input calibrated: the Dense runs integer products, the convolutions stay weight-only.
        string calibrated = ConvInt8Header.Replace("\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[144,152]}}\ndata-length: 152",
            "\"dense_0.weight_input_quant\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[144,152]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[152,160]}}\ndata-length: 160");
        GeneratorRun mixed = GeneratorHarness.RunWithFiles(GeneratorHarness.Compile(ConvDeclaration), null, Header(calibrated));
        Assertions.CleanRun(mixed);
        string mixedSource = mixed.Source("Apps.Tiny.g.cs");
        Assert.Contains("global::GenNet.Kernels.Dense.ForwardQuantized(x, stored.QuantizedDense(4, 12, 2), parameters.Slice(Dense0Bias, 2), y, batchSize);", mixedSource);
        Assert.Contains("stored.Int8ChannelsLast(2, 2, 3, 3)", mixedSource);
        Assert.Equal(source.Replace("ForwardInt8(x, stored.Int8(4), stored.Int8Scales(4), parameters.Slice(Dense0Bias, 2), y, batchSize, 12, 2)", "X"),
            mixedSource.Replace("ForwardQuantized(x, stored.QuantizedDense(4, 12, 2), parameters.Slice(Dense0Bias, 2), y, batchSize)", "X")
                .Replace("// the compiled-in int8 weights (packed once per process) times the input quantized to 8 bits as calibrated: int32 sums", "// the compiled-in int8 weights with one scale per output, read where they lie"));
        Assert.Contains("global::GenNet.Kernels.Dense.ForwardInt8(columns, stored.Int8(0), stored.Int8Scales(0), parameters.Slice(Conv0Bias, 2), y, batchSize * 16, 9, 2);", source);
        Assert.Contains("global::GenNet.Kernels.Dense.ForwardInt8(columns, stored.Int8ChannelsLast(2, 2, 3, 3), stored.Int8Scales(2), parameters.Slice(Conv1Bias, 3), y, batchSize * 4, 18, 3);", source);

        string floatConv = // conv_1.weight left F32
            "{\"conv_0.weight\":{\"dtype\":\"I8\",\"shape\":[2,1,3,3],\"data_offsets\":[0,18]},\"conv_0.weight_scale\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[18,26]},\"conv_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[26,34]}," +
            "\"conv_1.weight\":{\"dtype\":\"F32\",\"shape\":[3,2,3,3],\"data_offsets\":[34,250]},\"conv_1.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[250,262]},\"dense_0.weight\":{\"dtype\":\"I8\",\"shape\":[2,12],\"data_offsets\":[262,286]},\"dense_0.weight_scale\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[286,294]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[294,302]}}\ndata-length: 302";
        GeneratorRun misfit = GeneratorHarness.RunWithFiles(GeneratorHarness.Compile(ConvDeclaration), null, Header(floatConv));
        Diagnostic diagnostic = Assert.Single(misfit.GeneratorDiagnostics);
        Assert.Equal("GN0019", diagnostic.Id);
        Assert.Equal("Weights file 'models/tiny.safetensors' does not fit network 'Tiny': tensor 'conv_1.weight' is F32 in the file, and WeightPrecision.Int8 needs I8; write the file with network.Save(path, WeightPrecision.Int8)",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("BFloat16", "tensor 'dense_0.weight' is F32 in the file, and WeightPrecision.BFloat16 needs BF16; write the file with network.Save(path, WeightPrecision.BFloat16)")]
    [InlineData("Int8", "tensor 'dense_0.weight' is F32 in the file, and WeightPrecision.Int8 needs I8; write the file with network.Save(path, WeightPrecision.Int8)")]
    public void GN0019_weights_not_stored_at_the_declared_precision(string precision, string problem)
    {
        GeneratorRun run = RunReduced(precision, FittingHeader);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("GN0019", diagnostic.Id);
        Assert.Equal($"Weights file 'models/tiny.safetensors' does not fit network 'Tiny': {problem}", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(run.Result.Results.Single().GeneratedSources);
    }

    [Theory]
    [InlineData(true, true, "it is trainable (add Training = false)")]
    [InlineData(false, false, "it has no compiled-in weights (add Weights = \"….safetensors\")")]
    public void GN0029_reduced_precision_needs_compiled_in_weights(bool training, bool weights, string reason)
    {
        GeneratorRun run = RunReduced("BFloat16", FittingHeader, training, weights);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("GN0029", diagnostic.Id);
        Assert.Equal($"Network 'Tiny' declares WeightPrecision.BFloat16, but {reason}; 16- and 8-bit weights are for [Network(Training = false, Weights = …)] networks",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        SyntaxTree tree = run.Input.SyntaxTrees.Single(t => t.FilePath == diagnostic.Location.GetLineSpan().Path);
        Assert.StartsWith("Network(Training = ", tree.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Empty(run.Result.Results.Single().GeneratedSources);
    }

    private const string NormalizedDeclaration = """
        using GenNet;

        namespace Apps;

        [Network(Training = false, Weights = "models/tiny.safetensors")]
        [Input(3)]
        [Normalization]
        [Dense(2, Activation.Softmax)]
        public partial class Tiny;
        """;

    private const string DenseTensors =
        "\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[24,48]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[48,56]}";

    /// <summary>A Normalization's adapted statistics are buffers the file must carry, with its features' shape: a compiled network takes raw features.</summary>
    [Theory]
    [InlineData("{\"normalization.mean\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}," + DenseTensors + "}\ndata-length: 56",
        "tensor 'normalization.variance' is missing")]
    [InlineData("{\"normalization.mean\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},\"normalization.variance\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[12,24]}," + DenseTensors + "}\ndata-length: 56",
        "tensor 'normalization.variance' has shape [1, 3] in the file, the declaration needs [3]")]
    public void GN0019_normalization_statistics_must_be_in_the_weights_file(string header, string problem) => AssertDiagnostic(
        GeneratorHarness.RunWithFiles(GeneratorHarness.Compile(NormalizedDeclaration), null, Header(header)),
        "GN0019",
        $"Weights file 'models/tiny.safetensors' does not fit network 'Tiny': {problem}");

    [Fact]
    public void Normalization_statistics_compile_in_with_the_weights()
    {
        const string header = "{\"normalization.mean\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},\"normalization.variance\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[12,24]}," +
            DenseTensors + "}\ndata-length: 56";
        GeneratorRun run = GeneratorHarness.RunWithFiles(GeneratorHarness.Compile(NormalizedDeclaration), null, Header(header));
        Assertions.CleanRun(run);
        string source = run.Source("Apps.Tiny.g.cs");
        Assert.Contains("new(\"normalization.mean\", [3], Normalization0Mean)", source);
        Assert.Contains("weightsResource: \"", source);
        Assert.Contains("new(\"normalization\", Normalization0Mean, Normalization0Variance, features: 3, sourceSize: 3, inputOffset: 0),", source);
    }
}
