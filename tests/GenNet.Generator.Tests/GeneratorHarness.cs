using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Linq;
using GenNet.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GenNet.Generator.Tests;

/// <summary>What one generator run produced.</summary>
public sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    GeneratorDriver Driver,
    GeneratorDriverRunResult Result)
{
    /// <summary>Diagnostics the generator reported, less those suppressed in source (<c>#pragma warning disable</c>), as the compiler shows them.</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics => Result.Diagnostics.Where(d => !d.IsSuppressed).ToImmutableArray();

    /// <summary>Errors and warnings of the compilation with the generated code in it.</summary>
    public ImmutableArray<Diagnostic> CompilationDiagnostics =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();

    public string Source(string hintName) =>
        Result.Results.Single().GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();
}

/// <summary>Runs <see cref="NetworkGenerator"/> in this process with CSharpGeneratorDriver, steps tracked.</summary>
public static class GeneratorHarness
{
    private static readonly Lazy<MetadataReference[]> s_references = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "UserAssembly",
            sources.Select((text, i) => CSharpSyntaxTree.ParseText(text, ParseOptions, path: $"Network{i}.cs")),
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorRun Run(params string[] sources) => Run(Compile(sources));

    /// <summary>Runs the generator as a build would with these MSBuild properties visible to the compiler.</summary>
    public static GeneratorRun RunWithProperties(IReadOnlyDictionary<string, string> buildProperties, params string[] sources) =>
        Run(Compile(sources), buildProperties);

    public static GeneratorRun Run(CSharpCompilation compilation, IReadOnlyDictionary<string, string>? buildProperties = null) =>
        RunWithFiles(compilation, buildProperties);

    /// <summary>Runs the generator with additional files (weights headers) as the build hands them over.</summary>
    public static GeneratorRun RunWithFiles(CSharpCompilation compilation, IReadOnlyDictionary<string, string>? buildProperties, params AdditionalText[] additionalTexts)
    {
        GeneratorDriver driver = CreateDriver(buildProperties, additionalTexts);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        return new GeneratorRun(compilation, output, driver, driver.GetRunResult());
    }

    /// <summary>A driver with step tracking on, to run on compilations one after another (as an IDE does while the user types).</summary>
    public static GeneratorDriver CreateDriver(IReadOnlyDictionary<string, string>? buildProperties = null, params AdditionalText[] additionalTexts) =>
        CSharpGeneratorDriver.Create(
            [new NetworkGenerator().AsSourceGenerator()],
            additionalTexts: additionalTexts,
            parseOptions: ParseOptions,
            optionsProvider: new BuildPropertiesProvider(buildProperties ?? new Dictionary<string, string>()),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);
}

/// <summary>MSBuild properties as the compiler sees them: <c>build_property.Name</c> in the global analyzer config.</summary>
public sealed class BuildPropertiesProvider(IReadOnlyDictionary<string, string> properties) : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } =
        new Options(properties.ToDictionary(p => "build_property." + p.Key, p => p.Value));

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new([]);

        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}

/// <summary>An additional file as the compiler would hand it to the generator.</summary>
public sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override Microsoft.CodeAnalysis.Text.SourceText GetText(System.Threading.CancellationToken cancellationToken = default) =>
        Microsoft.CodeAnalysis.Text.SourceText.From(text);
}
