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

    // GN0020–GN0029: weights compiled in.
    public static readonly DiagnosticDescriptor WeightsFileNotInProject = Error(
        "GN0020", "Weights file is not in the project",
        "Network '{0}' names weights file '{1}', but the project lists no such file; add <GenNetWeights Include=\"{1}\" /> to the project file");

    public static readonly DiagnosticDescriptor WeightsFileUnreadable = Error(
        "GN0021", "Weights file cannot be read",
        "Weights file '{0}' of network '{1}' cannot be read: {2}");

    public static readonly DiagnosticDescriptor WeightsDoNotFit = Error(
        "GN0022", "Weights file does not fit the network",
        "Weights file '{0}' does not fit network '{1}': {2}");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId =
        new[]
        {
            NotPartial, MissingInput, NonPositiveSize, NeedsFlatInput, LossDoesNotFitActivation, NoLayers, UnsupportedType, InvalidArgument,
            WeightsFileNotInProject, WeightsFileUnreadable, WeightsDoNotFit,
        }
            .ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
