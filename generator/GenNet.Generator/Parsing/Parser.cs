using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Layers;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenNet.Generator.Parsing;

/// <summary>Reads a class marked [Network] into a <see cref="NetworkSpec"/>. Never throws on user input.</summary>
internal static class Parser
{
    public const string NetworkAttributeName = "GenNet.NetworkAttribute";
    public const string InputAttributeName = "GenNet.InputAttribute";

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration ||
            declaration.Identifier.IsMissing || type.Name.Length == 0)
        {
            return ParseResult.Nothing; // a declaration typed halfway: the compiler reports the syntax error
        }

        (AttributeData Attribute, SyntaxNode? Syntax)[] attributes = AttributesInSourceOrder(type, cancellationToken).ToArray();
        if (!IsFirstNetworkDeclaration(declaration, attributes))
        {
            return ParseResult.Nothing; // [Network] on several partial declarations: the compiler reports CS0579, one of them is read
        }

        var diagnostics = new List<DiagnosticInfo>();
        LocationInfo? identifier = LocationInfo.From(declaration.Identifier.GetLocation());

        if (!CheckType(type, declaration, identifier, diagnostics))
        {
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }

        Compilation compilation = context.SemanticModel.Compilation;
        LossKind loss = LossKind.Auto;
        bool? training = null;
        WeightsSpec? weights = null;
        OnnxSpec? onnx = null;
        WeightPrecisionKind precision = WeightPrecisionKind.Float32;
        LocationInfo? networkLocation = identifier;
        var inputs = new List<InputSpec>();
        var layers = new List<LayerSpec>();
        int order = 0;

        foreach ((AttributeData attribute, SyntaxNode? syntax) in attributes)
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            LayerUnit? unit = LayerUnits.ByAttributeName(name);
            if (name is not (NetworkAttributeName or InputAttributeName) && unit is null)
            {
                continue;
            }

            LocationInfo? location = LocationInfo.From(syntax) ?? identifier;
            string where = name switch
            {
                NetworkAttributeName => "[Network]",
                InputAttributeName => "[Input]",
                _ => $"Layer {layers.Count + 1} ({unit!.Kind})",
            };
            if (NonConstantArgument(attribute, syntax, compilation, cancellationToken) is { } expression)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonConstantArgument, location, where, expression));
                if (name == InputAttributeName)
                {
                    inputs.Add(new InputSpec(null, EquatableArray<int>.Empty, order++, location));
                }
                else if (unit is not null)
                {
                    layers.Add(unit.Read(attribute, new Declaration(unit.Kind, layers.Count + 1, order++, location), new List<DiagnosticInfo>()));
                }

                continue;
            }

            if (name is not NetworkAttributeName && syntax?.Parent?.Parent is { } owner && !SameNode(owner, declaration))
            {
                // Partial declarations have no order between them, and reading only the [Network] declaration keeps
                // the cached parse exact: an edit to another declaration does not re-run this transform.
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayersInSeveralDeclarations, location, where, type.Name));
            }

            if (name == NetworkAttributeName)
            {
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
                    else if (argument.Key == "Onnx" && argument.Value.Value is string onnxPath && onnxPath.Length > 0)
                    {
                        onnx = new OnnxSpec(onnxPath, onnxPath.Replace('\\', '/').Split('/').Last());
                    }
                    else if (argument.Key == "WeightPrecision" && argument.Value.Value is int precisionValue)
                    {
                        if (precisionValue is < 0 or > (int)WeightPrecisionKind.Int8)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, "[Network]", $"WeightPrecision = {precisionValue} is not a member of GenNet.WeightPrecision"));
                        }
                        else
                        {
                            precision = (WeightPrecisionKind)precisionValue;
                        }
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
            }
            else if (name == InputAttributeName)
            {
                string? inputName = NamedString(attribute, "Name");
                if (attribute.ConstructorArguments.Length == 1 &&
                    attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array &&
                    !attribute.ConstructorArguments[0].IsNull)
                {
                    inputs.Add(new InputSpec(inputName, attribute.ConstructorArguments[0].Values.Select(v => v.Value is int i ? i : 0).ToEquatableArray(), order++, location));
                }
                else
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, "[Input]", "the shape must be constant integers, for example [Input(28, 28)]"));
                    inputs.Add(new InputSpec(inputName, EquatableArray<int>.Empty, order++, location));
                }
            }
            else
            {
                var layer = new Declaration(unit!.Kind, layers.Count + 1, order++, location, NamedString(attribute, "Name"), NamedString(attribute, "From"));
                layers.Add(unit.Read(attribute, layer, diagnostics));
            }
        }

        if (onnx is not null)
        {
            // The layers come from the file (Onnx.OnnxDeclarations, once the build's description is seen); the class stays empty.
            string? problem =
                inputs.Count > 0 || layers.Count > 0 ? "an imported network takes its inputs and layers from the ONNX file; remove the [Input] and layer attributes" :
                weights is not null ? "an imported network takes its weights from the ONNX file; remove Weights" :
                null;
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, networkLocation, "[Network]", problem));
            }

            weights = WeightsFile(onnx.FileName + ".safetensors");
        }
        else if (inputs.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, networkLocation, type.Name));
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }

        bool trainable = training ?? onnx is null; // an imported network is inference-only unless it says Training = true
        if (precision != WeightPrecisionKind.Float32 && (trainable || weights is null))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReducedPrecisionNeedsCompiledWeights, networkLocation, type.Name, precision.ToString(),
                trainable ? "it is trainable (add Training = false)" : "it has no compiled-in weights (add Weights = \"….safetensors\")"));
        }

        if (diagnostics.Count > 0)
        {
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }

        var spec = new NetworkSpec(
            Namespace: type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(s_unescapedName),
            TypeName: type.Name,
            HintName: HintName(type),
            ContainingTypes: ContainingTypes(type).ToEquatableArray(),
            Loss: loss,
            NetworkLocation: networkLocation,
            Inputs: inputs.ToEquatableArray(),
            Layers: layers.ToEquatableArray(),
            Training: trainable,
            Weights: weights,
            WeightPrecision: precision,
            Onnx: onnx);
        return new ParseResult(spec, EquatableArray<DiagnosticInfo>.Empty);
    }

    private static string? NamedString(AttributeData attribute, string name)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == name)
            {
                return argument.Value.Value as string;
            }
        }

        return null;
    }

    /// <summary>The resource name matches what GenNet's MSBuild targets give a <c>GenNetWeights</c> item.</summary>
    private static WeightsSpec WeightsFile(string path)
    {
        string fileName = path.Replace('\\', '/').Split('/').Last();
        return new WeightsSpec(path, fileName, "GenNet.Weights:" + fileName);
    }

    /// <summary>
    /// GN0009 for a class that carries layer attributes but no [Network]. Each layer attribute has its own
    /// ForAttributeWithMetadataName; only the one that owns the class's first layer attribute reports, so a class gets one diagnostic.
    /// </summary>
    public static EquatableArray<DiagnosticInfo> CheckLayersWithoutNetwork(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol { TypeKind: TypeKind.Class } type || type.Name.Length == 0)
        {
            return EquatableArray<DiagnosticInfo>.Empty; // structs and interfaces: the compiler reports CS0592 for every GenNet attribute on them
        }

        var layerAttributes = new List<(string Name, SyntaxNode? Syntax)>();
        foreach ((AttributeData attribute, SyntaxNode? syntax) in AttributesInSourceOrder(type, cancellationToken))
        {
            switch (attribute.AttributeClass?.ToDisplayString())
            {
                case NetworkAttributeName:
                    return EquatableArray<DiagnosticInfo>.Empty;
                case InputAttributeName:
                    layerAttributes.Add(("[Input]", syntax));
                    break;
                case { } other when LayerUnits.ByAttributeName(other) is { } unit:
                    layerAttributes.Add(($"[{unit.Kind}]", syntax));
                    break;
            }
        }

        if (layerAttributes.Count == 0 || layerAttributes[0].Syntax is not { } first ||
            !context.Attributes.Any(a => a.ApplicationSyntaxReference is { } r && r.SyntaxTree == first.SyntaxTree && r.Span == first.Span))
        {
            return EquatableArray<DiagnosticInfo>.Empty;
        }

        string[] kinds = layerAttributes.Select(a => a.Name).Distinct().ToArray();
        string list = kinds.Length == 1 ? kinds[0] : string.Join(", ", kinds.Take(kinds.Length - 1)) + " and " + kinds[kinds.Length - 1];
        return new[] { DiagnosticInfo.Create(DiagnosticDescriptors.LayersWithoutNetwork, LocationInfo.From(first), type.Name, list) }.ToEquatableArray();
    }

    private static bool CheckType(INamedTypeSymbol type, TypeDeclarationSyntax declaration, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        string name = type.Name;
        string? problem =
            type.IsRecord || type.TypeKind != TypeKind.Class ? "a network must be a class, not a record, struct or interface" :
            type.IsStatic ? "a network must not be static: it is instantiated" :
            type.IsGenericType ? "generic network classes are not supported; give the network its own non-generic class" :
            type.IsFileLocal ? "a file-local class cannot have its generated half in another file; remove the 'file' modifier" :
            type.BaseType is { SpecialType: not SpecialType.System_Object } baseType && baseType.TypeKind != TypeKind.Error &&
                baseType.ToDisplayString() is not ("GenNet.NetworkBase" or "GenNet.TrainableNetworkBase") ?
                $"a network class cannot name a base class ('{baseType.Name}'): its generated half derives from GenNet.TrainableNetworkBase (GenNet.NetworkBase without training); hold other state in a field instead" :
            GeneratedMembers.IsReserved(name) ? $"the generated class has a member named '{name}', and a member cannot have the name of its class; rename the class" :
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
            else if (outer.IsFileLocal)
            {
                problem = $"it is nested in file-local type '{outer.Name}', whose generated half would live in another file; remove the 'file' modifier";
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

    /// <summary>
    /// Only the first declaration that carries [Network] is read: with [Network] on two partial declarations,
    /// ForAttributeWithMetadataName offers the class twice, and generating it twice would collide.
    /// </summary>
    private static bool IsFirstNetworkDeclaration(TypeDeclarationSyntax declaration, IEnumerable<(AttributeData Attribute, SyntaxNode? Syntax)> attributes)
    {
        foreach ((AttributeData attribute, SyntaxNode? syntax) in attributes)
        {
            if (attribute.AttributeClass?.ToDisplayString() == NetworkAttributeName && syntax?.Parent?.Parent is { } owner)
            {
                return SameNode(owner, declaration);
            }
        }

        return true;
    }

    private static bool SameNode(SyntaxNode a, SyntaxNode b) => a.SyntaxTree == b.SyntaxTree && a.Span == b.Span;

    /// <summary>
    /// The source text of an argument that binds but is not a compile-time constant (the compiler reports CS0182 on it too),
    /// or null. Only looked for when the attribute's data already holds an error, so valid declarations cost nothing here.
    /// </summary>
    private static string? NonConstantArgument(AttributeData attribute, SyntaxNode? syntax, Compilation compilation, CancellationToken cancellationToken)
    {
        if (!HasErrors(attribute) || syntax is not AttributeSyntax { ArgumentList: { } list } || !compilation.ContainsSyntaxTree(syntax.SyntaxTree))
        {
            return null;
        }

        SemanticModel model = compilation.GetSemanticModel(syntax.SyntaxTree);
        foreach (AttributeArgumentSyntax argument in list.Arguments)
        {
            foreach (ExpressionSyntax value in ArgumentValues(argument.Expression))
            {
                if (value.ContainsDiagnostics || model.GetConstantValue(value, cancellationToken).HasValue)
                {
                    continue;
                }

                ITypeSymbol? valueType = model.GetTypeInfo(value, cancellationToken).Type;
                if (valueType is not null && valueType.TypeKind != TypeKind.Error)
                {
                    return value.ToString();
                }
            }
        }

        return null;
    }

    private static bool HasErrors(AttributeData attribute) =>
        attribute.AttributeConstructor is null ||
        attribute.ConstructorArguments.Any(HasErrors) ||
        attribute.NamedArguments.Any(named => HasErrors(named.Value));

    private static bool HasErrors(TypedConstant constant) =>
        constant.Kind == TypedConstantKind.Error || (constant.Kind == TypedConstantKind.Array && !constant.IsNull && constant.Values.Any(HasErrors));

    /// <summary>The values an argument supplies: an array's elements, or the expression itself.</summary>
    private static IEnumerable<ExpressionSyntax> ArgumentValues(ExpressionSyntax expression) => expression switch
    {
        ArrayCreationExpressionSyntax { Initializer: { } initializer } => initializer.Expressions.SelectMany(ArgumentValues),
        ImplicitArrayCreationExpressionSyntax creation => creation.Initializer.Expressions.SelectMany(ArgumentValues),
        CollectionExpressionSyntax collection => collection.Elements.OfType<ExpressionElementSyntax>().Select(e => e.Expression).SelectMany(ArgumentValues),
        TypeOfExpressionSyntax => Enumerable.Empty<ExpressionSyntax>(),
        _ => new[] { expression },
    };

    /// <summary>Names as the compiler knows them, without the verbatim '@' (the emitter adds it back where code needs it).</summary>
    private static readonly SymbolDisplayFormat s_unescapedName = SymbolDisplayFormat.FullyQualifiedFormat
        .WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted)
        .RemoveMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

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
        string name = type.ToDisplayString(s_unescapedName);
        return name + ".g.cs";
    }
}
