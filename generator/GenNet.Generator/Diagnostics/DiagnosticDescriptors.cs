using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Diagnostics;

/// <summary>Every diagnostic GenNet reports. IDs are permanent; record changes in AnalyzerReleases.*.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "GenNet";

    public static readonly DiagnosticDescriptor NotPartial = Error(
        "GN0001", "Network class must be partial",
        "Network class '{0}' must be declared partial so that GenNet can add its generated members");

    public static readonly DiagnosticDescriptor MissingInput = Error(
        "GN0002", "Network has no input shape",
        "Network '{0}' has no [Input] attribute; declare the shape of one sample, for example [Input(28, 28)]");

    public static readonly DiagnosticDescriptor NonPositiveSize = Error(
        "GN0003", "Size must be positive",
        "{0} has {1} = {2}; every size must be at least 1");

    public static readonly DiagnosticDescriptor NeedsFlatInput = Error(
        "GN0004", "Layer needs a flat input",
        "{0} needs a one-dimensional input but receives shape [{1}]; add [Flatten] before it");

    public static readonly DiagnosticDescriptor LossDoesNotFitActivation = Error(
        "GN0005", "Loss does not fit the output activation",
        "Loss {0} cannot train network '{1}' whose last layer has activation {2}: {3}");

    public static readonly DiagnosticDescriptor NoLayers = Error(
        "GN0006", "Network has no layers",
        "Network '{0}' declares no layers; add at least one, for example [Dense(10)]");

    public static readonly DiagnosticDescriptor UnsupportedType = Error(
        "GN0007", "Network type is not supported",
        "'{0}' cannot be a network: {1}");

    public static readonly DiagnosticDescriptor InvalidArgument = Error(
        "GN0008", "Invalid layer argument",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor LayersWithoutNetwork = Error(
        "GN0009", "Layer attributes on a class without [Network]",
        "Class '{0}' has {1} but no [Network] attribute, so GenNet generates nothing for it; add [Network] to the class, or remove the layer attributes");

    public static readonly DiagnosticDescriptor LayersInSeveralDeclarations = Error(
        "GN0010", "Layers spread over several partial declarations",
        "{0} is on a different partial declaration of '{1}' than [Network], and the order of attributes across partial declarations is undefined; declare [Input], [Flatten] and [Dense] beside [Network]");

    public static readonly DiagnosticDescriptor SoftmaxBeforeLastLayer = Warning(
        "GN0011", "Softmax before the last layer",
        "{0} applies Softmax, but {1} follows it; Softmax turns the outputs into class probabilities and belongs on the last layer, so use another activation here (ReLU, for example)");

    public static readonly DiagnosticDescriptor SoftmaxOfOneOutput = Warning(
        "GN0012", "Softmax of a single output",
        "{0} applies Softmax to a single output, which is 1 whatever the input, so nothing before it can learn; use Activation.Sigmoid for one probability, or Dense(2, Activation.Softmax) for two classes");

    public static readonly DiagnosticDescriptor LossFitsPoorly = Warning(
        "GN0013", "Loss fits the output activation poorly",
        "Loss {0} on network '{1}' whose last layer has activation {2}: {3}");

    public static readonly DiagnosticDescriptor NonConstantArgument = Error(
        "GN0014", "Attribute argument is not a compile-time constant",
        "{0}: the argument '{1}' is not a compile-time constant; GenNet reads the network at compile time, so use a literal or a const");

    public static readonly DiagnosticDescriptor LargeNetwork = Warning(
        "GN0015", "Network is very large",
        "Network '{0}' has {1} parameters ({2} MB of floats, and as much again for the gradients), more than GenNetMaxParameters = {3}; its largest layer is {4} with {5} parameters, and its generated source is {6} KB. Set <GenNetMaxParameters> in the project file to raise the threshold");

    public static readonly DiagnosticDescriptor InvalidBuildProperty = Warning(
        "GN0016", "Invalid GenNet build property",
        "The MSBuild property {0} = '{1}' is not a positive whole number; GenNet uses its default, {2}");

    // Weights compiled in.
    public static readonly DiagnosticDescriptor WeightsFileNotInProject = Error(
        "GN0017", "Weights file is not in the project",
        "Network '{0}' names weights file '{1}', but the project lists no such file; add <GenNetWeights Include=\"{1}\" /> to the project file");

    public static readonly DiagnosticDescriptor WeightsFileUnreadable = Error(
        "GN0018", "Weights file cannot be read",
        "Weights file '{0}' of network '{1}' cannot be read: {2}");

    public static readonly DiagnosticDescriptor WeightsDoNotFit = Error(
        "GN0019", "Weights file does not fit the network",
        "Weights file '{0}' does not fit network '{1}': {2}");

    public static readonly DiagnosticDescriptor NeedsImageInput = Error(
        "GN0020", "Layer needs an image input",
        "{0} needs an image [height, width, channels] but receives shape [{1}]; {2}");

    public static readonly DiagnosticDescriptor WindowDoesNotFit = Error(
        "GN0021", "Window larger than its input",
        "{0} has a {1} {2}, larger than its input [{3}] without padding, so it has no output position; {4}");

    public static readonly DiagnosticDescriptor NeedsSequenceInput = Error(
        "GN0028", "Layer needs a sequence input",
        "{0} needs a sequence [steps, channels] but receives shape [{1}]; {2}");

    public static readonly DiagnosticDescriptor UnknownName = Error(
        "GN0022", "Layer reads an unknown name",
        "{0} reads '{1}', which names no layer or input declared before it; the names it can read are {2}");

    public static readonly DiagnosticDescriptor DuplicateName = Error(
        "GN0023", "Name used twice",
        "'{0}' names both {1} and {2}; every layer and input needs a name of its own");

    public static readonly DiagnosticDescriptor NameUsedBeforeDefined = Error(
        "GN0024", "Layer reads an output declared after it",
        "{0} reads '{1}', {2}; a layer reads only outputs declared before it, so move it below the layer it reads");

    public static readonly DiagnosticDescriptor MergeShapesDoNotFit = Error(
        "GN0025", "Merged shapes do not fit",
        "{0} cannot join {1}: {2}");

    public static readonly DiagnosticDescriptor UnusedOutput = Warning(
        "GN0026", "Layer output is not used",
        "The output of {0} ('{1}') is read by no layer, and only the last layer, {2}, is the network's output; read it with From or a merge, or remove the layer");

    public static readonly DiagnosticDescriptor UnusedInput = Warning(
        "GN0027", "Input is not used",
        "Input '{0}' of network '{1}' is read by no layer; its values are passed in every sample but never used");

    public static readonly DiagnosticDescriptor ReducedPrecisionNeedsCompiledWeights = Error(
        "GN0029", "Reduced-precision weights need an inference-only network with compiled-in weights",
        "Network '{0}' declares WeightPrecision.{1}, but {2}; 16- and 8-bit weights are for [Network(Training = false, Weights = …)] networks");

    public static readonly DiagnosticDescriptor OnnxFileNotInProject = Error(
        "GN0040", "ONNX file is not in the project",
        "Network '{0}' imports '{1}', but the project has no <GenNetOnnx Include=\"{1}\" /> item for it (the build turns that item into what the generator reads)");

    public static readonly DiagnosticDescriptor OnnxFileUnreadable = Error(
        "GN0041", "ONNX file cannot be read",
        "'{0}' cannot be imported into network '{1}': {2}");

    public static readonly DiagnosticDescriptor OnnxUnsupportedNodes = Error(
        "GN0042", "ONNX model has nodes GenNet cannot import",
        "'{0}' cannot be imported into network '{1}': {2} node{3} GenNet has no layer for: {4}");

    public static readonly DiagnosticDescriptor OnnxShapeNotFixed = Error(
        "GN0043", "ONNX model has a shape GenNet cannot fix at compile time",
        "'{0}' cannot be imported into network '{1}': {2}");

    public static readonly DiagnosticDescriptor OnnxUnsupportedAttribute = Error(
        "GN0044", "ONNX node has an attribute value GenNet does not support",
        "'{0}' cannot be imported into network '{1}': {2}");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId =
        new[]
        {
            NotPartial, MissingInput, NonPositiveSize, NeedsFlatInput, LossDoesNotFitActivation, NoLayers, UnsupportedType, InvalidArgument,
            LayersWithoutNetwork, LayersInSeveralDeclarations, SoftmaxBeforeLastLayer, SoftmaxOfOneOutput, LossFitsPoorly, NonConstantArgument,
            LargeNetwork, InvalidBuildProperty,
            WeightsFileNotInProject, WeightsFileUnreadable, WeightsDoNotFit,
            NeedsImageInput, WindowDoesNotFit,
            UnknownName, DuplicateName, NameUsedBeforeDefined, MergeShapesDoNotFit, UnusedOutput, UnusedInput,
            NeedsSequenceInput, ReducedPrecisionNeedsCompiledWeights,
            OnnxFileNotInProject, OnnxFileUnreadable, OnnxUnsupportedNodes, OnnxShapeNotFixed, OnnxUnsupportedAttribute,
        }.ToDictionary(d => d.Id);

    /// <summary>Every descriptor, in ID order.</summary>
    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values.OrderBy(d => d.Id, System.StringComparer.Ordinal);

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    /// <summary>
    /// The page every help link points into (each ID an anchor on it, <c>#gn0001</c>): docs/diagnostics.md in GenNet's
    /// public home, or null while it has none (the <c>GenNetHome</c> build property is empty).
    /// </summary>
    public static string? HelpPage => ProjectHome.Url is { } home ? home.TrimEnd('/') + "/blob/main/docs/diagnostics.md" : null;

    /// <summary>The help link of diagnostic <paramref name="id"/>, or null while GenNet has no public home.</summary>
    public static string? HelpLink(string id) => HelpPage is { } page ? page + "#" + id.ToLowerInvariant() : null;

    /// <summary>GenNet's public home, as the build wrote it into this assembly; read on first use.</summary>
    internal static class ProjectHome
    {
        public static readonly string? Url = typeof(ProjectHome).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "GenNetHome")?.Value is { Length: > 0 } url ? url : null;
    }

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(id));

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(id));
}
