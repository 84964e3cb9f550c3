using System.Collections.Immutable;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using GenNet.Generator.Parsing;
using GenNet.Generator.Planning;
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
