using System.Globalization;
using GenNet.Generator.Diagnostics;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GenNet.Generator.Model;

/// <summary>
/// The MSBuild properties GenNet reads (made visible to the compiler by <c>CompilerVisibleProperty</c> in GenNet.props),
/// as values, with the diagnostic for a value that could not be read.
/// </summary>
internal sealed record BuildOptions(long MaxParameters, DiagnosticInfo? Problem)
{
    /// <summary>Above this many parameters a network gets warning GN0015.</summary>
    public const string MaxParametersProperty = "GenNetMaxParameters";

    public const long DefaultMaxParameters = 10_000_000;

    public static readonly BuildOptions Default = new(DefaultMaxParameters, null);

    public static BuildOptions From(AnalyzerConfigOptions options)
    {
        if (!options.TryGetValue("build_property." + MaxParametersProperty, out string? text) || string.IsNullOrWhiteSpace(text))
        {
            return Default;
        }

        const NumberStyles Styles = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowThousands;
        if (long.TryParse(text, Styles, CultureInfo.InvariantCulture, out long value) && value > 0)
        {
            return new BuildOptions(value, null);
        }

        return new BuildOptions(DefaultMaxParameters, DiagnosticInfo.Create(
            DiagnosticDescriptors.InvalidBuildProperty, null, MaxParametersProperty, text.Trim(), DefaultMaxParameters.ToString("N0", CultureInfo.InvariantCulture)));
    }
}
