using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
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
    public const string FlattenAttributeName = "GenNet.FlattenAttribute";
    public const string DenseAttributeName = "GenNet.DenseAttribute";
    public const string Conv2DAttributeName = "GenNet.Conv2DAttribute";
    public const string MaxPool2DAttributeName = "GenNet.MaxPool2DAttribute";
    public const string AveragePool2DAttributeName = "GenNet.AveragePool2DAttribute";
    public const string DropoutAttributeName = "GenNet.DropoutAttribute";

    /// <summary>Every layer attribute, with the kind it declares.</summary>
    public static readonly (string Name, LayerKind Kind)[] LayerAttributes =
    {
        (FlattenAttributeName, LayerKind.Flatten),
        (DenseAttributeName, LayerKind.Dense),
        (Conv2DAttributeName, LayerKind.Conv2D),
        (MaxPool2DAttributeName, LayerKind.MaxPool2D),
        (AveragePool2DAttributeName, LayerKind.AveragePool2D),
        (DropoutAttributeName, LayerKind.Dropout),
    };

    private static LayerKind? LayerKindOf(string? attributeName)
    {
        foreach ((string name, LayerKind kind) in LayerAttributes)
        {
            if (name == attributeName)
            {
                return kind;
            }
        }

        return null;
    }

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
        bool training = true;
        WeightsSpec? weights = null;
        LocationInfo? networkLocation = identifier;
        LocationInfo? inputLocation = null;
        ImmutableArray<int>? inputShape = null;
        var layers = new List<LayerSpec>();

        foreach ((AttributeData attribute, SyntaxNode? syntax) in attributes)
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            LayerKind? layerKind = LayerKindOf(name);
            if (name is not (NetworkAttributeName or InputAttributeName) && layerKind is null)
            {
                continue;
            }

            LocationInfo? location = LocationInfo.From(syntax) ?? identifier;
            string where = name switch
            {
                NetworkAttributeName => "[Network]",
                InputAttributeName => "[Input]",
                _ => $"Layer {layers.Count + 1} ({layerKind})",
            };
            if (NonConstantArgument(attribute, syntax, compilation, cancellationToken) is { } expression)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonConstantArgument, location, where, expression));
                if (name == InputAttributeName)
                {
                    inputShape ??= ImmutableArray<int>.Empty;
                }
                else if (layerKind is { } kind)
                {
                    layers.Add(new LayerSpec(kind, layers.Count + 1, location));
                }

                continue;
            }

            if (name is not NetworkAttributeName && syntax?.Parent?.Parent is { } owner && !SameNode(owner, declaration))
            {
                // Partial declarations have no order between them, and reading only the [Network] declaration keeps
                // the cached parse exact: an edit to another declaration does not re-run this transform.
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayersInSeveralDeclarations, location, where, type.Name));
            }

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

                case Conv2DAttributeName:
                    layers.Add(ParseConv2D(attribute, layers.Count + 1, location, diagnostics));
                    break;

                case MaxPool2DAttributeName:
                case AveragePool2DAttributeName:
                    layers.Add(ParsePool(attribute, layerKind!.Value, layers.Count + 1, location, diagnostics));
                    break;

                case DropoutAttributeName:
                    layers.Add(ParseDropout(attribute, layers.Count + 1, location, diagnostics));
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
            Namespace: type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(s_unescapedName),
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
                case { } other when LayerKindOf(other) is { } kind:
                    layerAttributes.Add(($"[{kind}]", syntax));
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

    private static LayerSpec ParseConv2D(AttributeData attribute, int position, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        string where = $"Layer {position} (Conv2D)";
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        int[] values = arguments.Select(a => a.Value is int i ? i : int.MinValue).ToArray();
        if (attribute.AttributeConstructor is null || arguments.Length is not (3 or 4) || values.Contains(int.MinValue))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, where,
                "the arguments must be constant filters, a kernel size (or height and width) and an Activation, for example [Conv2D(32, 3, Activation.ReLU)]"));
            return new LayerSpec(LayerKind.Conv2D, position, location);
        }

        int filters = values[0];
        int kernelHeight = values[1];
        int kernelWidth = values[values.Length - 2];
        int activation = values[values.Length - 1];
        ActivationKind kind = CheckActivation(activation, where, location, diagnostics);
        if (kind == ActivationKind.Softmax)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, where,
                "Softmax is not supported on a convolution; flatten the image and end with [Dense(classes, Activation.Softmax)]"));
        }

        (int stride, PaddingKind padding, float slope) = WindowOptions(attribute, where, location, diagnostics, defaultStride: 1);
        return new LayerSpec(LayerKind.Conv2D, position, location, filters, kind, slope, kernelHeight, kernelWidth, stride, padding);
    }

    private static LayerSpec ParsePool(AttributeData attribute, LayerKind kind, int position, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        string where = $"Layer {position} ({kind})";
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        if (attribute.AttributeConstructor is null || arguments.Length != 1 || arguments[0].Value is not int poolSize)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, where,
                $"the argument must be a constant pool size, for example [{kind}(2)]"));
            return new LayerSpec(kind, position, location);
        }

        (int stride, PaddingKind padding, _) = WindowOptions(attribute, where, location, diagnostics, defaultStride: 0);
        return new LayerSpec(kind, position, location, WindowHeight: poolSize, WindowWidth: poolSize, Stride: stride, Padding: padding);
    }

    private static LayerSpec ParseDropout(AttributeData attribute, int position, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        string where = $"Layer {position} (Dropout)";
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        if (attribute.AttributeConstructor is null || arguments.Length != 1 || arguments[0].Value is not double rate)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, where, "the argument must be a constant rate, for example [Dropout(0.5)]"));
            return new LayerSpec(LayerKind.Dropout, position, location);
        }

        if (!(rate >= 0 && (float)rate < 1f)) // used as a float: 0.99999999 rounds to 1
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, where,
                $"the rate {rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} must be in [0, 1): the fraction of values zeroed while training"));
        }

        return new LayerSpec(LayerKind.Dropout, position, location, Rate: rate);
    }

    /// <summary>Stride, Padding and NegativeSlope of a convolution or pooling attribute.</summary>
    private static (int Stride, PaddingKind Padding, float NegativeSlope) WindowOptions(
        AttributeData attribute, string where, LocationInfo? location, List<DiagnosticInfo> diagnostics, int defaultStride)
    {
        int stride = defaultStride;
        PaddingKind padding = PaddingKind.Valid;
        float slope = 0.01f;
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            switch (named.Key)
            {
                case "Stride" when named.Value.Value is int value:
                    stride = value;
                    break;
                case "Padding" when named.Value.Value is int value:
                    if (value is < 0 or > (int)PaddingKind.Same)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, where, $"Padding = {value} is not a member of GenNet.Padding"));
                    }

                    padding = (PaddingKind)value;
                    break;
                case "NegativeSlope" when named.Value.Value is float value:
                    slope = value;
                    break;
            }
        }

        CheckSlope(slope, where, location, diagnostics);
        return (stride, padding, slope);
    }

    private static ActivationKind CheckActivation(int activation, string where, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        if (activation is < 0 or > (int)ActivationKind.Gelu)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, where, $"activation {activation} is not a member of GenNet.Activation"));
        }

        return (ActivationKind)activation;
    }

    private static void CheckSlope(float slope, string where, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        if (!(slope >= 0f && slope < 1f))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, where,
                $"NegativeSlope = {slope.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} must be in [0, 1)"));
        }
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

        CheckActivation(activation, $"Layer {position} (Dense)", location, diagnostics);
        float slope = 0.01f;
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            if (named.Key == "NegativeSlope" && named.Value.Value is float value)
            {
                slope = value;
            }
        }

        CheckSlope(slope, $"Layer {position} (Dense)", location, diagnostics);
        return new LayerSpec(LayerKind.Dense, position, location, units, (ActivationKind)activation, slope);
    }

    private static bool CheckType(INamedTypeSymbol type, TypeDeclarationSyntax declaration, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        string name = type.Name;
        string? problem =
            type.IsRecord || type.TypeKind != TypeKind.Class ? "a network must be a class, not a record, struct or interface" :
            type.IsStatic ? "a network must not be static: it is instantiated" :
            type.IsGenericType ? "generic network classes are not supported; give the network its own non-generic class" :
            type.IsFileLocal ? "a file-local class cannot have its generated half in another file; remove the 'file' modifier" :
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
