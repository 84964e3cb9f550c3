using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenNet.Generator.Parsing;

/// <summary>Reads a class marked [Network] into a <see cref="NetworkSpec"/>. Never throws on user input.</summary>
internal static class Parser
{
    public const string NetworkAttributeName = "GenNet.NetworkAttribute";
    private const string InputAttributeName = "GenNet.InputAttribute";
    private const string FlattenAttributeName = "GenNet.FlattenAttribute";
    private const string DenseAttributeName = "GenNet.DenseAttribute";

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();
        LocationInfo? identifier = LocationInfo.From(declaration.Identifier.GetLocation());

        if (!CheckType(type, declaration, identifier, diagnostics))
        {
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }

        LossKind loss = LossKind.Auto;
        bool training = true;
        WeightsSpec? weights = null;
        LocationInfo? networkLocation = identifier;
        LocationInfo? inputLocation = null;
        ImmutableArray<int>? inputShape = null;
        var layers = new List<LayerSpec>();

        foreach ((AttributeData attribute, SyntaxNode? syntax) in AttributesInSourceOrder(type, cancellationToken))
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            LocationInfo? location = LocationInfo.From(syntax) ?? identifier;
            switch (name)
            {
                case NetworkAttributeName:
                    networkLocation = location;
                    foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                    {
                        if (argument.Key == "Training" && argument.Value.Value is bool trainingValue)
                        {
                            training = trainingValue;
                        }
                        else if (argument.Key == "Weights" && argument.Value.Value is string path && path.Length > 0)
                        {
                            weights = WeightsFile(path);
                        }
                        else if (argument.Key == "Loss" && argument.Value.Value is int lossValue)
                        {
                            if (lossValue is < 0 or > (int)LossKind.SparseCategoricalCrossEntropy)
                            {
                                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, "[Network]", $"Loss = {lossValue} is not a member of GenNet.Loss"));
                            }
                            else
                            {
                                loss = (LossKind)lossValue;
                            }
                        }
                    }

                    break;

                case InputAttributeName:
                    if (inputShape is not null)
                    {
                        break; // AllowMultiple = false: the compiler reports the duplicate (CS0579)
                    }

                    inputLocation = location;
                    if (attribute.ConstructorArguments.Length == 1 &&
                        attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array &&
                        !attribute.ConstructorArguments[0].IsNull)
                    {
                        inputShape = attribute.ConstructorArguments[0].Values.Select(v => v.Value is int i ? i : 0).ToImmutableArray();
                    }
                    else
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, "[Input]", "the shape must be constant integers, for example [Input(28, 28)]"));
                        inputShape = ImmutableArray<int>.Empty;
                    }

                    break;

                case FlattenAttributeName:
                    layers.Add(new LayerSpec(LayerKind.Flatten, layers.Count + 1, location));
                    break;

                case DenseAttributeName:
                    layers.Add(ParseDense(attribute, layers.Count + 1, location, diagnostics));
                    break;
            }
        }

        if (inputShape is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, networkLocation, type.Name));
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }

        if (diagnostics.Count > 0)
        {
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }

        var spec = new NetworkSpec(
            Namespace: type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            TypeName: type.Name,
            HintName: HintName(type),
            ContainingTypes: ContainingTypes(type).ToEquatableArray(),
            Loss: loss,
            NetworkLocation: networkLocation,
            InputShape: inputShape.Value.ToEquatableArray(),
            InputLocation: inputLocation,
            Layers: layers.ToEquatableArray(),
            Training: training,
            Weights: weights);
        return new ParseResult(spec, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>The resource name matches what GenNet's MSBuild targets give a <c>GenNetWeights</c> item.</summary>
    private static WeightsSpec WeightsFile(string path)
    {
        string fileName = path.Replace('\\', '/').Split('/').Last();
        return new WeightsSpec(path, fileName, "GenNet.Weights:" + fileName);
    }

    private static LayerSpec ParseDense(AttributeData attribute, int position, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        if (attribute.AttributeConstructor is null || arguments.Length != 2 || arguments[0].Value is not int units || arguments[1].Value is not int activation)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, $"Layer {position} (Dense)",
                "the arguments must be a constant unit count and an Activation, for example [Dense(128, Activation.ReLU)]"));
            return new LayerSpec(LayerKind.Dense, position, location);
        }

        if (activation is < 0 or > (int)ActivationKind.Gelu)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, $"Layer {position} (Dense)",
                $"activation {activation} is not a member of GenNet.Activation"));
        }

        float slope = 0.01f;
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            if (named.Key == "NegativeSlope" && named.Value.Value is float value)
            {
                slope = value;
            }
        }

        if (!(slope >= 0f && slope < 1f))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, $"Layer {position} (Dense)",
                $"NegativeSlope = {slope.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} must be in [0, 1)"));
        }

        return new LayerSpec(LayerKind.Dense, position, location, units, (ActivationKind)activation, slope);
    }

    private static bool CheckType(INamedTypeSymbol type, TypeDeclarationSyntax declaration, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        string name = type.Name;
        string? problem =
            type.IsRecord || type.TypeKind != TypeKind.Class ? "a network must be a class, not a record, struct or interface" :
            type.IsStatic ? "a network must not be static: it is instantiated" :
            type.IsGenericType ? "generic network classes are not supported; give the network its own non-generic class" :
            null;

        for (INamedTypeSymbol? outer = type.ContainingType; problem is null && outer is not null; outer = outer.ContainingType)
        {
            if (outer.IsGenericType)
            {
                problem = $"it is nested in generic type '{outer.Name}'; declare it outside";
            }
            else if (!IsPartial(outer))
            {
                problem = $"it is nested in '{outer.Name}', which must be declared partial too";
            }
        }

        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, location, name, problem));
            return false;
        }

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, location, name));
            return false;
        }

        return true;
    }

    private static bool IsPartial(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));

    /// <summary>Attributes ordered as written: by file, then by position (partial declarations in several files sort by path).</summary>
    private static IEnumerable<(AttributeData Attribute, SyntaxNode? Syntax)> AttributesInSourceOrder(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.GetAttributes()
            .Select(a => (Attribute: a, Syntax: a.ApplicationSyntaxReference?.GetSyntax(cancellationToken)))
            .OrderBy(a => a.Syntax?.SyntaxTree.FilePath ?? "", System.StringComparer.Ordinal)
            .ThenBy(a => a.Syntax?.SpanStart ?? 0);

    private static IEnumerable<ContainingTypeSpec> ContainingTypes(INamedTypeSymbol type)
    {
        var chain = new List<ContainingTypeSpec>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            string keyword = outer.TypeKind switch
            {
                TypeKind.Struct => outer.IsRecord ? "record struct" : "struct",
                TypeKind.Interface => "interface",
                _ => outer.IsRecord ? "record" : "class",
            };
            chain.Insert(0, new ContainingTypeSpec(keyword, outer.Name));
        }

        return chain;
    }

    private static string HintName(INamedTypeSymbol type)
    {
        string name = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted));
        return name + ".g.cs";
    }
}
