using System.Collections.Immutable;
using System.Linq;
using System.Text;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using GenNet.Generator.Onnx;
using GenNet.Generator.Parsing;
using GenNet.Generator.Planning;
using GenNet.Generator.Weights;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenNet.Generator;

/// <summary>
/// The pipeline: [Network] classes → <see cref="Parser"/> (and, for an imported network, <see cref="OnnxDeclarations"/>) → <see cref="Planner"/> → diagnostics and
/// <see cref="NetworkEmitter"/>; classes with layer attributes but no [Network] → GN0009; the build properties → GN0015's
/// threshold. Every step's output is an equatable value, so edits elsewhere leave it cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Step names, for incremental-caching tests.</summary>
    public static class TrackingNames
    {
        public const string Parse = nameof(Parse);
        public const string OnnxDescriptions = nameof(OnnxDescriptions);
        public const string ImportOnnx = nameof(ImportOnnx);
        public const string Plan = nameof(Plan);
        public const string WeightsHeaders = nameof(WeightsHeaders);
        public const string CheckWeights = nameof(CheckWeights);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Source = nameof(Source);
        public const string BuildOptions = nameof(BuildOptions);
        public const string Emit = nameof(Emit);
        public const string LayersWithoutNetwork = nameof(LayersWithoutNetwork);

        /// <summary>Every name above, for tests that check them all.</summary>
        public static readonly string[] All = [Parse, OnnxDescriptions, ImportOnnx, Plan, WeightsHeaders, CheckWeights, Diagnostics, Source, BuildOptions, Emit, LayersWithoutNetwork];
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Imported networks: the build turns each <GenNetOnnx> file into a description (obj/GenNet/NAME.onnx.gennet), whose
        // inputs and layers fill the spec the parser left empty; every other network passes through unchanged.
        IncrementalValueProvider<ImmutableArray<OnnxDescription>> onnxFiles = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(OnnxDescription.Suffix, System.StringComparison.OrdinalIgnoreCase))
            .Select(static (file, cancellationToken) => OnnxDescription.Read(file.Path, file.GetText(cancellationToken)))
            .WithTrackingName(TrackingNames.OnnxDescriptions)
            .Collect();

        IncrementalValuesProvider<PlanResult> plans = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.NetworkAttributeName,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (context, cancellationToken) => Parser.Parse(context, cancellationToken))
            .WithTrackingName(TrackingNames.Parse)
            .Combine(onnxFiles)
            .Select(static (pair, _) => OnnxDeclarations.Apply(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.ImportOnnx)
            .Select(static (parsed, _) => Planner.Plan(parsed))
            .WithTrackingName(TrackingNames.Plan);

        // Weights compiled in: the build sees each .safetensors file's JSON header and checks it against the declaration.
        IncrementalValueProvider<ImmutableArray<WeightsHeader>> weightsFiles = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(".safetensors" + WeightsHeader.Suffix, System.StringComparison.OrdinalIgnoreCase))
            .Select(static (file, cancellationToken) => WeightsHeader.Read(System.IO.Path.GetFileName(file.Path), file.GetText(cancellationToken)))
            .WithTrackingName(TrackingNames.WeightsHeaders)
            .Collect();
        plans = plans
            .Combine(weightsFiles)
            .Select(static (pair, _) => Planner.CheckWeights(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.CheckWeights);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = plans
            .Select(static (result, _) => result.Diagnostics)
            .Where(static d => d.Count > 0)
            .WithTrackingName(TrackingNames.Diagnostics);
        Report(context, diagnostics);

        IncrementalValueProvider<BuildOptions> options = context.AnalyzerConfigOptionsProvider
            .Select(static (provider, _) => BuildOptions.From(provider.GlobalOptions))
            .WithTrackingName(TrackingNames.BuildOptions);
        context.RegisterSourceOutput(options, static (output, options) =>
        {
            if (options.Problem is { } problem)
            {
                output.ReportDiagnostic(problem.ToDiagnostic());
            }
        });

        IncrementalValuesProvider<GeneratedNetwork> sources = plans
            .Select(static (result, _) => result.Plan!)
            .Where(static plan => plan is not null)
            .WithTrackingName(TrackingNames.Source)
            .Combine(options)
            .Select(static (network, _) => Emit(network.Left, network.Right))
            .WithTrackingName(TrackingNames.Emit);
        context.RegisterSourceOutput(sources, static (output, network) => output.AddSource(network.HintName, network.Source));
        Report(context, sources.Select(static (network, _) => network.Diagnostics).Where(static d => d.Count > 0));

        // [Input] or a layer attribute on a class without [Network]: each attribute needs its own provider.
        foreach (string layerAttribute in new[] { Parser.InputAttributeName }.Concat(Layers.LayerUnits.All.Select(u => u.AttributeName)))
        {
            IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> orphans = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    layerAttribute,
                    predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    transform: static (context, cancellationToken) => Parser.CheckLayersWithoutNetwork(context, cancellationToken))
                .Where(static d => d.Count > 0)
                .WithTrackingName(TrackingNames.LayersWithoutNetwork);
            Report(context, orphans);
        }
    }

    private static GeneratedNetwork Emit(NetworkPlan plan, BuildOptions options)
    {
        string source = NetworkEmitter.Emit(plan);
        DiagnosticInfo? tooLarge = Planner.CheckSize(plan, options, Encoding.UTF8.GetByteCount(source));
        return new GeneratedNetwork(plan.Spec.HintName, source, tooLarge is null ? EquatableArray<DiagnosticInfo>.Empty : new[] { tooLarge }.ToEquatableArray());
    }

    /// <summary>
    /// Reports diagnostics located in the current compilation's syntax trees, where <c>#pragma warning disable</c> applies.
    /// Only this last step sees the compilation, so it runs again on every edit, but only for declarations that have
    /// diagnostics, and all it does is look up a tree by path; the steps before it stay cached.
    /// </summary>
    private static void Report(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics) =>
        context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (output, pair) =>
        {
            foreach (DiagnosticInfo diagnostic in pair.Left)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic(pair.Right));
            }
        });
}
