using System.Collections.Immutable;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using GenNet.Generator.Parsing;
using GenNet.Generator.Planning;
using GenNet.Generator.Weights;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenNet.Generator;

/// <summary>
/// The pipeline: [Network] classes → <see cref="Parser"/> → <see cref="Planner"/> → diagnostics and
/// <see cref="NetworkEmitter"/>. Every step's output is an equatable value, so edits elsewhere leave it cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Step names, for incremental-caching tests.</summary>
    public static class TrackingNames
    {
        public const string Parse = nameof(Parse);
        public const string Plan = nameof(Plan);
        public const string WeightsHeaders = nameof(WeightsHeaders);
        public const string CheckWeights = nameof(CheckWeights);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Source = nameof(Source);
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<PlanResult> plans = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.NetworkAttributeName,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (context, cancellationToken) => Parser.Parse(context, cancellationToken))
            .WithTrackingName(TrackingNames.Parse)
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
        context.RegisterSourceOutput(diagnostics, static (output, list) =>
        {
            foreach (DiagnosticInfo diagnostic in list)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });

        IncrementalValuesProvider<NetworkPlan> networks = plans
            .Select(static (result, _) => result.Plan!)
            .Where(static plan => plan is not null)
            .WithTrackingName(TrackingNames.Source);
        context.RegisterSourceOutput(networks, static (output, plan) =>
            output.AddSource(plan.Spec.HintName, NetworkEmitter.Emit(plan)));
    }
}
