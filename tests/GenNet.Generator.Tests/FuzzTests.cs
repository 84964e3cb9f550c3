using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Text.RegularExpressions;
using GenNet.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Generator.Tests;

/// <summary>
/// Seeded random declarations, good and bad and half-typed, through one generator driver batch after batch (as an IDE runs
/// it while the user types). For each: no generator exception, and either generated code that compiles or a GN diagnostic
/// (or, where no [Network] class is left to read, the compiler's own errors). Graph declarations also say what they should
/// get (<see cref="Expectation"/>): clean code for a valid graph, and each mistake's own diagnostic.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Seed = 5_2025;
    private const int DeclarationCount = 1_000;
    private const int GraphSeed = 22_2027;
    private const int GraphDeclarationCount = 1_200;
    private const int BatchSize = 250;

    /// <summary>Every how many declarations one's generated code is bound in full, besides the distinct shapes (see <see cref="ErrorsInGenerated"/>).</summary>
    private const int FullyBoundEvery = 10;

    /// <summary>
    /// Of the 24 IDs a declaration alone can provoke (GN0017–GN0019 need a weights file): GN0016 needs an unreadable build
    /// property, which one batch in four gets.
    /// </summary>
    private const int MinimumDistinctIds = 22;

    /// <summary>The graph diagnostics, each of which the graph fuzzer must provoke.</summary>
    private static readonly string[] s_graphIds = ["GN0022", "GN0023", "GN0024", "GN0025", "GN0026", "GN0027"];

    private const string SettingsSource = """
        using GenNet;

        public static class Settings
        {
            public static int Hidden = 8;
            public const int Constant = 4;
            public static readonly int Width = 28;
            public static float Slope = 0.1f;
            public static Loss Chosen = Loss.Auto;
            public static Activation ChosenActivation = Activation.ReLU;
            public static string LayerName = "h";
        }
        """;

    private static readonly Regex s_unformatted = new(@"\{\d+\}", RegexOptions.Compiled);

    [Fact]
    public void Random_declarations_end_in_compiling_code_or_a_diagnostic_and_never_in_a_crash()
    {
        var random = new Random(Seed);
        Declaration[] declarations = Enumerable.Range(0, DeclarationCount).Select(i => DeclarationFuzzer.Next(random, i)).ToArray();
        FuzzReport report = Run(declarations, Seed, batch => batch switch { 1 => "50000", 3 => "many", _ => null });

        AssertNoFailures(report);
        Assert.True(report.IdsHit.Count >= MinimumDistinctIds, $"the fuzzer hit only {report.IdsHit.Count} distinct IDs ({string.Join(", ", report.IdsHit.Keys)}); it has degenerated");
        Assert.True(report.Outcomes.GetValueOrDefault("generated") >= DeclarationCount / 10, "too few declarations generated code: the fuzzer tests only failures");
    }

    [Fact]
    public void Random_graph_declarations_get_clean_code_when_valid_and_each_mistake_its_own_diagnostic()
    {
        var random = new Random(GraphSeed);
        Declaration[] declarations = Enumerable.Range(0, GraphDeclarationCount).Select(i => GraphFuzzer.Next(random, i)).ToArray();
        FuzzReport report = Run(declarations, GraphSeed, _ => null);
        int valid = declarations.Count(d => d.Expected!.Ids.Length == 0);
        output.WriteLine($"{valid} valid by construction, {declarations.Count(d => d.Expected!.Ids.Length == 1 && !d.Expected.Stacked)} with one mistake, {declarations.Count(d => d.Expected!.Stacked)} with two");

        AssertNoFailures(report);
        string[] missed = s_graphIds.Where(id => !report.IdsHit.ContainsKey(id)).ToArray();
        Assert.True(missed.Length == 0, $"the graph fuzzer never provoked {string.Join(", ", missed)}; it has degenerated");
        Assert.True(report.IdsHit.ContainsKey("GN0028"), "the graph fuzzer never put a 1-D layer on an image or a vector (GN0028)");
        Assert.True(valid >= GraphDeclarationCount / 5, $"only {valid} valid graphs: the fuzzer tests only failures");

        // Every layer kind the runtime declares appears in a valid graph, so a new kind cannot be left out of the fuzzer.
        string[] kinds = typeof(GenNet.LayerAttribute).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.IsSubclassOf(typeof(GenNet.LayerAttribute)))
            .Select(t => t.Name[..^"Attribute".Length])
            .ToArray();
        string[] unused = kinds.Where(kind => !declarations.Any(d => d.Expected!.Ids.Length == 0 && System.Text.RegularExpressions.Regex.IsMatch(d.Text, $@"\[{kind}\b"))).ToArray();
        Assert.True(unused.Length == 0, $"no valid graph declares {string.Join(", ", unused)}");
    }

    /// <summary>What a run of the fuzzer found: IDs reported and how often, what each declaration ended in, and what went wrong.</summary>
    private sealed record FuzzReport(SortedDictionary<string, int> IdsHit, SortedDictionary<string, int> Outcomes, List<string> Failures);

    private static void AssertNoFailures(FuzzReport report) =>
        Assert.True(report.Failures.Count == 0, $"{report.Failures.Count} failures; the first ones:\n\n" + string.Join("\n\n", report.Failures.Take(5)));

    /// <summary>
    /// Runs the declarations through one driver in batches of <see cref="BatchSize"/>; <paramref name="maxParameters"/> gives
    /// each batch's GenNetMaxParameters build property (null: none).
    /// </summary>
    private FuzzReport Run(Declaration[] declarations, int seed, Func<int, string?> maxParameters)
    {
        var stopwatch = Stopwatch.StartNew();
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        SyntaxTree settings = CSharpSyntaxTree.ParseText(SettingsSource, GeneratorHarness.ParseOptions, path: "Settings.cs");

        var idsHit = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        var checkedShapes = new HashSet<string>(StringComparer.Ordinal);
        GeneratorDriver driver = GeneratorHarness.CreateDriver();
        CSharpCompilation empty = GeneratorHarness.Compile(); // one compilation to derive from: its references are bound once
        for (int start = 0; start < declarations.Length; start += BatchSize)
        {
            Declaration[] batch = declarations.Skip(start).Take(BatchSize).ToArray();

            // The same file names in every batch: each batch is an edit of the last, run on the same driver.
            SyntaxTree[] trees = batch.Select((d, k) => CSharpSyntaxTree.ParseText(d.Text, GeneratorHarness.ParseOptions, path: $"Fuzz{k}.cs")).ToArray();
            CSharpCompilation compilation = empty.AddSyntaxTrees(trees.Append(settings));
            string? threshold = maxParameters(start / BatchSize);
            driver = driver.WithUpdatedAnalyzerConfigOptions(new BuildPropertiesProvider(
                threshold is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["GenNetMaxParameters"] = threshold }));
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation outputCompilation, out ImmutableArray<Diagnostic> driverDiagnostics);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();

            if (result.Exception is not null || driverDiagnostics.Concat(result.Diagnostics).Any(d => d.Id is "CS8785" or "AD0001"))
            {
                string[] culprits = Isolate(batch, settings, seed).ToArray();
                failures.AddRange(culprits.Length > 0 ? culprits :
                    [$"batch at {start} (seed {seed}) crashed the generator, though no declaration does alone: {result.Exception}"]);
                driver = GeneratorHarness.CreateDriver(); // a failed generator is disabled on its driver
                continue;
            }

            ImmutableArray<Diagnostic> generatorDiagnostics = result.Diagnostics.Where(d => !d.IsSuppressed).ToImmutableArray();
            foreach (Diagnostic diagnostic in generatorDiagnostics)
            {
                idsHit[diagnostic.Id] = idsHit.GetValueOrDefault(diagnostic.Id) + 1;
                string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
                if (!diagnostic.Id.StartsWith("GN", StringComparison.Ordinal) || s_unformatted.IsMatch(message) ||
                    (diagnostic.Id != "GN0016" && diagnostic.Location.Kind != LocationKind.SourceFile))
                {
                    failures.Add($"batch at {start}: malformed diagnostic {diagnostic}");
                }
            }

            for (int k = 0; k < batch.Length; k++)
            {
                string? problem = Check(batch[k], trees[k], outputCompilation, result, generatorDiagnostics, checkedShapes, out string outcome);
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                if (problem is not null)
                {
                    failures.Add($"declaration {batch[k].Index} (seed {seed}, {trees[k].FilePath}): {problem}\n{batch[k].Text}");
                }
            }
        }

        stopwatch.Stop();
        output.WriteLine($"{declarations.Length} declarations in {(declarations.Length + BatchSize - 1) / BatchSize} batches, {stopwatch.Elapsed.TotalSeconds:F1} s ({(Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds:F1} s CPU); {checkedShapes.Count} distinct shapes of generated code bound");
        output.WriteLine($"outcomes: {string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"))}");
        output.WriteLine($"{idsHit.Count(p => p.Key.StartsWith("GN", StringComparison.Ordinal))} distinct GN IDs: {string.Join(", ", idsHit.Select(p => $"{p.Key}×{p.Value}"))}");
        return new FuzzReport(idsHit, outcomes, failures);
    }

    /// <summary>What one declaration must end in. Returns the problem, or null; <paramref name="outcome"/> names what happened.</summary>
    private static string? Check(
        Declaration declaration, SyntaxTree tree, Compilation output, GeneratorRunResult result,
        ImmutableArray<Diagnostic> generatorDiagnostics, HashSet<string> checkedShapes, out string outcome)
    {
        Diagnostic[] ours = generatorDiagnostics.Where(d => d.Location.SourceTree?.FilePath == tree.FilePath).ToArray();
        string prefix = $"Fuzz{declaration.Index}.";
        GeneratedSourceResult[] generated = result.GeneratedSources.Where(s => s.HintName.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
        bool gnError = ours.Any(d => d.Severity == DiagnosticSeverity.Error);

        string? unmet = declaration.Expected is { } expected ? Unmet(expected, ours, generated.Length > 0) : null;
        if (generated.Length > 0)
        {
            outcome = "generated";
            bool bindAll = declaration.Index % FullyBoundEvery == 0;
            Diagnostic[] errors = generated.SelectMany(s => ErrorsInGenerated(output, s.SyntaxTree, checkedShapes, bindAll)).ToArray();
            if (errors.Length > 0)
            {
                return "the generated code does not compile: " + string.Join("; ", errors.Take(3));
            }

            // A GN error may belong to another type in the file (a half-typed brace nests the next declaration), never to this one.
            string[] generatedTypes = generated.Select(g => g.HintName.Substring(0, g.HintName.Length - ".g.cs".Length)).ToArray();
            Diagnostic[] contradicting = ours.Where(d => d.Severity == DiagnosticSeverity.Error && generatedTypes.Contains(TypeAt(d.Location, output))).ToArray();
            return contradicting.Length > 0 ? "generated code despite a GN error on the same type: " + string.Join("; ", contradicting) : unmet;
        }

        if (gnError)
        {
            outcome = "GN error";
            return unmet;
        }

        (bool networkClass, bool anyGenNetAttribute) = Inspect(tree, output);
        Diagnostic[] userErrors = output.GetSemanticModel(tree).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (networkClass)
        {
            outcome = "no code, no GN error";
            return "a [Network] class got neither code nor a GN error; diagnostics: " + string.Join("; ", ours.Concat(userErrors).Take(5));
        }

        if (ours.Length > 0)
        {
            outcome = "GN warning only";
            return "GN warnings without code: " + string.Join("; ", ours);
        }

        outcome = userErrors.Length > 0 ? "compiler errors only" : "nothing to generate";
        return unmet ?? (userErrors.Length > 0 || !anyGenNetAttribute ? null : "GenNet attributes on a type that got no GN diagnostic and no compiler error");
    }

    /// <summary>
    /// Whether a graph declaration got what it was built to provoke (<see cref="Expectation"/>): exactly its IDs, with code
    /// unless one is an error; for stacked mistakes that include an error, some GN error. Returns the problem, or null.
    /// </summary>
    private static string? Unmet(Expectation expected, Diagnostic[] ours, bool generated)
    {
        string[] reported = ours.Select(d => d.Id).Distinct().OrderBy(id => id, StringComparer.Ordinal).ToArray();
        string got = reported.Length == 0 ? "no diagnostic" : string.Join("; ", ours.Select(d => d.ToString()));
        bool error = expected.Ids.Any(id => DiagnosticDescriptors.ById(id).DefaultSeverity == DiagnosticSeverity.Error);
        if (error && expected.Stacked)
        {
            return ours.Any(d => d.Severity == DiagnosticSeverity.Error) ? null : $"expected a GN error ({string.Join(", ", expected.Ids)} stacked), got {got}";
        }

        if (!reported.SequenceEqual(expected.Ids))
        {
            return $"expected {(expected.Ids.Length == 0 ? "no diagnostic" : string.Join(", ", expected.Ids))}, got {got}";
        }

        return error || generated ? null : "no code for a declaration with no error";
    }

    /// <summary>
    /// Errors in one generated file: its syntax always; its declarations, and the body of each member, whenever their
    /// <see cref="Shape"/> is new; everything when <paramref name="bindAll"/>. Binding every body of every network would
    /// take half a minute; code that differs only in numbers binds alike (the planner's 2^28 limit keeps every size product
    /// inside int), so this checks every distinct shape of generated code in a few seconds, and a deterministic sample of
    /// whole files (every <see cref="FullyBoundEvery"/>th declaration) covers what shapes cannot see.
    /// </summary>
    private static IEnumerable<Diagnostic> ErrorsInGenerated(Compilation compilation, SyntaxTree tree, HashSet<string> checkedShapes, bool bindAll)
    {
        SemanticModel model = compilation.GetSemanticModel(tree);
        if (bindAll)
        {
            return model.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);
        }

        var diagnostics = new List<Diagnostic>(tree.GetDiagnostics());
        SyntaxNode root = tree.GetRoot();
        if (checkedShapes.Add(Shape(DeclarationShape(root))))
        {
            diagnostics.AddRange(model.GetDeclarationDiagnostics());
        }

        foreach (MemberDeclarationSyntax member in root.DescendantNodes().OfType<MemberDeclarationSyntax>())
        {
            if (member is BaseTypeDeclarationSyntax or BaseNamespaceDeclarationSyntax ||
                member is FieldDeclarationSyntax field && field.Modifiers.Any(SyntaxKind.ConstKeyword))
            {
                continue; // types and constants: their errors are declaration diagnostics
            }

            if (checkedShapes.Add(Shape(member.ToString())))
            {
                diagnostics.AddRange(model.GetMethodBodyDiagnostics(member.Span));
            }
        }

        return diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
    }

    /// <summary>What declaration diagnostics depend on: namespaces, type headers and member signatures, without bodies or values.</summary>
    private static string DeclarationShape(SyntaxNode root) => string.Join("\n", root
        .DescendantNodes(node => node is not (BlockSyntax or ArrowExpressionClauseSyntax or EqualsValueClauseSyntax))
        .OfType<MemberDeclarationSyntax>()
        .Select(member => member switch
        {
            BaseNamespaceDeclarationSyntax n => $"namespace {n.Name}",
            BaseTypeDeclarationSyntax t => $"{t.Modifiers} {t.Kind()} {t.Identifier}{(t as TypeDeclarationSyntax)?.TypeParameterList} {t.BaseList}",
            MethodDeclarationSyntax m => $"{m.Modifiers} {m.ReturnType} {m.ExplicitInterfaceSpecifier}{m.Identifier}{m.ParameterList}",
            BasePropertyDeclarationSyntax p => $"{p.Modifiers} {p.Type} {p.ExplicitInterfaceSpecifier}{(p as PropertyDeclarationSyntax)?.Identifier}",
            BaseFieldDeclarationSyntax f => $"{f.Modifiers} {f.Declaration.Type} {string.Join(", ", f.Declaration.Variables.Select(v => v.Identifier))}",
            _ => member.Kind().ToString(),
        }));

    /// <summary>
    /// Code with comments dropped and every number written 0, in literals and in the fuzz, input and layer names (Fuzz12,
    /// Net12, Dense3Output, maxPool1, input2, max_pool_3): two texts of one shape bind alike. What this cannot see is a
    /// reference to a layer index that does not exist in one network but does in the first network of that shape; the
    /// sample bound in full, and the snapshot and runtime tests, compile emitter paths with real indices.
    /// </summary>
    private static string Shape(string code) => s_numbers.Replace(s_comments.Replace(code, ""), match => match.Groups["name"].Success ? match.Groups["name"].Value : "0");

    private static readonly Regex s_numbers = new(
        @"(?<name>\bFuzz|\bNet|\b(?i:dense|conv|max_?pool|average_?pool|flatten|dropout|add|multiply|concatenate|input)_?)\d+|\b\d+\b",
        RegexOptions.Compiled);
    private static readonly Regex s_comments = new(@"//[^\n]*", RegexOptions.Compiled);

    /// <summary>The type whose declaration holds <paramref name="location"/>, named as in hint names.</summary>
    private static string? TypeAt(Location location, Compilation compilation)
    {
        if (location.SourceTree is not { } tree)
        {
            return null;
        }

        BaseTypeDeclarationSyntax? type = tree.GetRoot().FindNode(location.SourceSpan).AncestorsAndSelf().OfType<BaseTypeDeclarationSyntax>().FirstOrDefault();
        return type is null ? null : compilation.GetSemanticModel(tree).GetDeclaredSymbol(type)?.ToDisplayString(s_hintNameFormat);
    }

    private static readonly SymbolDisplayFormat s_hintNameFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted)
        .RemoveMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    /// <summary>Whether the tree declares a named type carrying [Network], and whether any type carries a GenNet attribute.</summary>
    private static (bool NetworkClass, bool AnyGenNetAttribute) Inspect(SyntaxTree tree, Compilation compilation)
    {
        SemanticModel model = compilation.GetSemanticModel(tree);
        bool network = false, any = false;
        foreach (BaseTypeDeclarationSyntax type in tree.GetRoot().DescendantNodes().OfType<BaseTypeDeclarationSyntax>())
        {
            if (model.GetDeclaredSymbol(type) is not INamedTypeSymbol symbol)
            {
                continue;
            }

            string?[] names = symbol.GetAttributes().Select(a => a.AttributeClass?.ToDisplayString()).ToArray();
            any |= names.Any(n => n?.StartsWith("GenNet.", StringComparison.Ordinal) == true);
            network |= type is TypeDeclarationSyntax && !type.Identifier.IsMissing && names.Contains("GenNet.NetworkAttribute");
        }

        return (network, any);
    }

    /// <summary>After a batch threw, runs its declarations one by one on fresh drivers to name those that throw.</summary>
    private static IEnumerable<string> Isolate(Declaration[] batch, SyntaxTree settings, int seed)
    {
        foreach (Declaration declaration in batch)
        {
            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(declaration.Text).AddSyntaxTrees(settings));
            GeneratorRunResult result = run.Result.Results.Single();
            if (result.Exception is not null || run.Result.Diagnostics.Any(d => d.Id is "CS8785" or "AD0001"))
            {
                yield return $"declaration {declaration.Index} (seed {seed}) crashed the generator: {result.Exception}\n{declaration.Text}";
            }
        }
    }
}

/// <summary>One fuzzed source file: a namespace of its own, then the declaration, and for a graph what it should get.</summary>
public sealed record Declaration(int Index, string Text, Expectation? Expected = null);

/// <summary>
/// Writes random declarations: a plausible network (a random input shape, or an image through convolutions and pooling;
/// 1–12 layers, dropout, a fitting output and loss), then, for most of them, one to three mistakes drawn from every kind
/// GenNet must catch (every layer kind's bad arguments, names and references among them), or a cut as if the user were
/// still typing. <see cref="GraphFuzzer"/> writes the graphs.
/// </summary>
public static class DeclarationFuzzer
{
    private static readonly int[] s_sizes = [1, 2, 3, 4, 7, 8, 10, 16, 28, 64, 128];
    private static readonly string[] s_initializers = ["GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LeCunNormal", "Zeros", "Ones"];
    private static readonly string[] s_hiddenActivations = ["Linear", "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "Gelu"];
    private static readonly string[] s_losses = ["Auto", "MeanSquaredError", "BinaryCrossEntropy", "CategoricalCrossEntropy", "SparseCategoricalCrossEntropy"];
    private static readonly string[] s_reservedNames = ["Loss", "Summary", "Forward", "Dense0Forward", "Parameters", "Outputs"];
    private static readonly string[] s_keywordNames = ["@class", "@event", "@object"];
    private static readonly string[] s_badSizes = ["0", "-1", "-5", "100000", "int.MaxValue", "1 << 20"];
    private static readonly string[] s_typeKinds =
        ["class", "partial struct", "partial record", "partial record struct", "partial interface", "static partial class",
         "abstract partial class", "sealed partial class", "file partial class", "partial class"];
    private static readonly string[] s_outers =
        ["public partial class Outer", "public class Outer", "public partial class Outer<TOuter>", "public partial struct Outer",
         "public static partial class Outer", "public partial record Outer", "public partial interface IOuter"];
    private static readonly string[] s_tokens = ["[", "]", "(", ")", ",", "Dense(", "Activation.", "\"", "{", "}", ";", "=", "Input(", "partial", "class"];
    private static readonly string[] s_badLayers =
        ["Conv2D(0, 3)", "Conv2D(4, 3, Stride = 0)", "Conv2D(4, 3, Activation.Softmax)", "Conv2D(4)", "Conv2D(4, 3, 3, 3)", "Conv2D(4, 3, Padding = (Padding)7)",
         "Conv2D(4, 3, KernelInitializer = (Initializer)7)", "Conv2D(4, 3, KernelRegularizerL2 = -1f)", "Dense(4, BiasInitializer = (Initializer)(-2))",
         "Dense(4, KernelRegularizerL2 = float.NaN)", "Dense(4, BiasRegularizerL2 = float.PositiveInfinity)", "Dense(4, KernelRegularizerL2 = Settings.Slope)",
         "MaxPool2D(0)", "MaxPool2D(2, Padding = (Padding)7)", "AveragePool2D(\"2\")", "AveragePool2D(2, Stride = -1)",
         "Dropout(1.5)", "Dropout(-0.5)", "Dropout(\"half\")", "Dropout", "Add()", "Concatenate(\"\")", "Multiply(null)",
         "Add(\"input\", Activation = Activation.Softmax)", "Add(\"input\", From = \"input\")",
         "BatchNormalization(Momentum = 2f)", "BatchNormalization(Epsilon = -1f)", "BatchNormalization(Activation = Activation.Softmax)",
         "GlobalMaxPooling2D(2)", "GlobalAveragePooling2D(Stride = 2)",
         "Conv1D(0, 3)", "Conv1D(4, 3, 3)", "Conv1D(4, 3, Activation.Softmax)", "Conv1D(4, 3, Stride = -1)", "MaxPool1D(0)",
         "AveragePool1D(2, Padding = (Padding)7)", "GlobalMaxPooling1D(2)",
         "LayerNormalization(Epsilon = 0f)", "LayerNormalization(Epsilon = float.NaN)", "LayerNormalization(Activation = Activation.Softmax)",
         "Normalization(1f)", "Normalization(Epsilon = 1e-3f)",
         "DepthwiseConv2D(0)", "DepthwiseConv2D(3, DepthMultiplier = 0)", "DepthwiseConv2D(3, Activation.Softmax)", "DepthwiseConv2D(1, Padding = (Padding)7)",
         "SeparableConv2D(4)", "SeparableConv2D(0, 3)", "SeparableConv2D(4, 3, DepthMultiplier = -1)", "SeparableConv2D(4, 1, Activation.Softmax)",
         "LSTM(0)", "GRU(-2, ReturnSequences = true)", "SimpleRNN(\"4\")", "LSTM(4, 4)", "GRU", "SimpleRNN(3, ReturnSequences = 1)",
         "Embedding(0, 4)", "Embedding(10)", "Embedding(10, -1)", "Embedding(\"10\", 4)", "Embedding(0, 4, MaskZero = true)", "Embedding(10, 4, MaskZero = 1)",
         "Masking(float.NaN)", "Masking(\"0\")", "Masking(1f, 2f)"];
    private static readonly string[] s_windowLayers =
        ["Conv2D(4, 3, Activation.ReLU)", "Conv2D(2, 1, 3, Stride = 2, Padding = Padding.Same)", "MaxPool2D(2)",
         "AveragePool2D(3, Stride = 1, Padding = Padding.Same)", "Conv2D(8, 5)", "GlobalMaxPooling2D", "GlobalAveragePooling2D",
         "Conv1D(4, 3, Activation.ReLU)", "MaxPool1D(2)", "AveragePool1D(3, Stride = 1, Padding = Padding.Same)", "GlobalAveragePooling1D",
         "DepthwiseConv2D(3, Activation.ReLU)", "SeparableConv2D(4, 1, 3, Activation.Tanh, DepthMultiplier = 2, Stride = 2, Padding = Padding.Same)",
         "LSTM(4)", "GRU(3, ReturnSequences = true)", "SimpleRNN(2)", "Embedding(10, 4)", "Embedding(10, 4, MaskZero = true)", "Masking"];
    private static readonly string[] s_merges =
        ["Add(\"input\")", "Concatenate(\"input\")", "Multiply(\"dense_0\")", "Add(\"dense_0\", \"dense_1\")", "Concatenate(\"flatten\", \"input\")", "Add(\"h\")"];
    private static readonly string[] s_graphArguments =
        ["Name = \"h\"", "Name = \"a b\"", "Name = \"dense_0\"", "Name = \"input\"", "From = \"input\"", "From = \"nowhere\"", "From = \"dense_0\"",
         "From = \"h\"", "Name = Settings.LayerName", "From = null"];

    private sealed class Model
    {
        public List<string> Header = [];
        public string? Network = "Network";
        public string? Input;
        public List<string> Layers = [];
        public string Kind = "partial class";
        public string Name = "";
        public string TypeParameters = "";
        public string Body = ";";
        public string? Outer;
        public int SplitAt = -1;
        public bool NetworkOnSecondPart;
        public bool Grouped;
        public bool Shuffled;
    }

    public static Declaration Next(Random random, int index)
    {
        Model model = Plausible(random, index);
        int mutations = random.Next(100) switch { < 10 => 0, < 55 => 1, < 85 => 2, _ => 3 };
        for (int i = 0; i < mutations; i++)
        {
            Mutate(random, model);
        }

        string text = Write(model);
        if (Chance(random, 0.1))
        {
            text = Corrupt(random, text);
        }

        return new Declaration(index, $"using GenNet;\n\nnamespace Fuzz{index};\n\n{text}");
    }

    private static Model Plausible(Random random, int index)
    {
        var model = new Model { Name = $"Net{index}", Body = random.Next(3) switch { 0 => ";", 1 => " { }", _ => " { public int Helper() => 1; }" } };
        if (Chance(random, 0.3))
        {
            (model.Input, string[] stem) = GraphFuzzer.ImageStem(random); // convolutions, pooling and dropout, then [Flatten]
            model.Layers.AddRange(stem);
        }
        else
        {
            int dimensions = random.Next(10) switch { < 6 => 1, < 9 => 2, _ => 3 };
            model.Input = $"Input({string.Join(", ", Enumerable.Range(0, dimensions).Select(_ => Size(random)))})";
            if (Chance(random, 0.2))
            {
                model.Layers.Add(Pick(random, ["Normalization", "Normalization(Name = \"scaler\")"])); // raw features standardised
            }

            if (dimensions > 1)
            {
                model.Layers.Add("Flatten");
            }
        }

        int hidden = random.Next(10) < 8 ? random.Next(0, 4) : random.Next(4, 12);
        for (int i = 0; i < hidden; i++)
        {
            if (Chance(random, 0.08))
            {
                model.Layers.Add("Flatten");
                continue;
            }

            if (Chance(random, 0.1))
            {
                model.Layers.Add($"Dropout({Pick(random, ["0.2", "0.5"])})");
            }

            model.Layers.Add(Dense(Size(random), Pick(random, s_hiddenActivations), random));
            if (Chance(random, 0.1))
            {
                model.Layers.Add(Pick(random, ["BatchNormalization", "BatchNormalization(Activation = Activation.ReLU)", "BatchNormalization(Momentum = 0.01f, Epsilon = 1e-3f)"]));
            }
            else if (Chance(random, 0.1))
            {
                model.Layers.Add(Pick(random, ["LayerNormalization", "LayerNormalization(Activation = Activation.Gelu)", "LayerNormalization(Epsilon = 1e-3f)"]));
            }
        }

        (string last, string loss) = random.Next(3) switch
        {
            0 => (Dense(Pick(random, ["2", "3", "10"]), "Softmax", random), Pick(random, ["Auto", "SparseCategoricalCrossEntropy", "CategoricalCrossEntropy"])),
            1 => (Dense(Pick(random, ["1", "2", "3"]), "Sigmoid", random), Pick(random, ["Auto", "BinaryCrossEntropy", "MeanSquaredError"])),
            _ => (Dense(Size(random), Pick(random, s_hiddenActivations), random), Pick(random, ["Auto", "MeanSquaredError"])),
        };
        model.Layers.Add(last);
        model.Network = loss == "Auto" && Chance(random, 0.7) ? "Network" : $"Network(Loss = Loss.{loss})";
        model.Grouped = Chance(random, 0.1);
        return model;
    }

    /// <summary>One mistake (or one unusual but valid form), chosen uniformly from every kind.</summary>
    private static void Mutate(Random random, Model model)
    {
        int layer = model.Layers.Count == 0 ? -1 : random.Next(model.Layers.Count);
        switch (random.Next(28))
        {
            case 0: model.Network = null; break;
            case 1: model.Header.Add("Network"); break;
            case 2: model.Network = Pick(random, ["Network(Loss = (Loss)99)", "Network(Loss = Settings.Chosen)", "Network(Loss = \"cross-entropy\")", "Network(Loss = )"]); break;
            case 3: model.Network = $"Network(Loss = Loss.{Pick(random, s_losses)})"; break;
            case 4: model.Input = null; break;
            case 5: model.Header.Add(model.Input ?? "Input(3)"); break;
            case 6:
                model.Input = Pick(random, ["Input", "Input()", "Input(\"28\")", "Input(null)", "Input(2.5)", "Input(Settings.Width)",
                    "Input(new[] { 4, Settings.Constant })", "Input(new int[] { 28, 28 })", $"Input({Pick(random, s_badSizes)})", $"Input(28, {Pick(random, s_badSizes)})"]);
                break;
            case 7: model.Layers.Clear(); break;
            case 8: model.Layers.Remove("Flatten"); model.Input = "Input(28, 28)"; break;
            case 9 when layer >= 0: model.Layers[layer] = $"Dense({Pick(random, s_badSizes)})"; break;
            case 10 when layer >= 0:
                model.Layers[layer] = Pick(random, ["Dense", "Dense()", "Dense(\"8\")", "Dense(2.5)", "Dense(3, 4, 5)", "Dense(Settings.Hidden)",
                    "Dense(Settings.Constant, Settings.ChosenActivation)", "Dense(activation: Activation.ReLU, units: 4)", "Dense(3, (Activation)42)",
                    "Dense(3, Activation.Nonexistent)", "Flatten(3)"]);
                break;
            case 11 when layer >= 0:
                model.Layers[layer] = $"Dense(4, Activation.LeakyReLU, NegativeSlope = {Pick(random, ["0.2f", "-0.5f", "1f", "float.NaN", "Settings.Slope"])})";
                break;
            case 12 when layer >= 0: model.Layers[layer] = $"Dense({Pick(random, ["1", "4"])}, Activation.Softmax)"; break;
            case 13: model.Kind = Pick(random, s_typeKinds); break;
            case 14: model.TypeParameters = "<T>"; break;
            case 15: model.Name = Pick(random, Chance(random, 0.5) ? s_reservedNames : s_keywordNames); break;
            case 16: model.Outer = Pick(random, s_outers); break;
            case 17 when model.Layers.Count > 1: model.SplitAt = random.Next(1, model.Layers.Count); break;
            case 17: model.NetworkOnSecondPart = true; break;
            case 18: model.Grouped = true; break;
            case 19: model.Shuffled = true; break;
            case 20: model.Input = "Input(4000)"; model.Layers = ["Dense(3000, Activation.ReLU)", "Dense(10, Activation.Softmax)"]; break;
            case 21 when layer >= 0: model.Layers.Insert(layer, model.Layers[layer]); break;
            case 22: model.Layers.Insert(0, "Dense(8, Activation.ReLU)"); model.Input = "Input(2, 3)"; break;
            case 23 when layer >= 0: model.Layers[layer] = Pick(random, s_badLayers); break;
            case 24: model.Layers.Insert(random.Next(model.Layers.Count + 1), Pick(random, s_windowLayers)); break; // on a vector: GN0020
            case 25 when layer >= 0: model.Layers[layer] = WithNamed(model.Layers[layer], Pick(random, s_graphArguments)); break;
            case 26: model.Layers.Insert(random.Next(model.Layers.Count + 1), Pick(random, s_merges)); break;
            default: model.Body = Pick(random, [" { public void Forward() { } }", " { int x = ; }", " {", " { public int Helper() => 1; }"]); break;
        }
    }

    private static string Write(Model model)
    {
        var attributes = new List<string>();
        if (model.Network is not null)
        {
            attributes.Add(model.Network);
        }

        attributes.AddRange(model.Header);
        if (model.Input is not null)
        {
            attributes.Add(model.Input);
        }

        List<string> first = model.SplitAt > 0 ? model.Layers.Take(model.SplitAt).ToList() : model.Layers;
        attributes.AddRange(first);
        if (model.Shuffled)
        {
            attributes.Reverse();
        }

        string header = model.Grouped
            ? "[" + string.Join(", ", attributes) + "]\n"
            : string.Concat(attributes.Select(a => "[" + a + "]\n"));
        string text = $"{header}public {model.Kind} {model.Name}{model.TypeParameters}{model.Body}\n";
        if (model.SplitAt > 0 || model.NetworkOnSecondPart)
        {
            var second = new List<string>();
            if (model.NetworkOnSecondPart)
            {
                second.Add("Network"); // [Network] twice: CS0579, and the generator must still generate the class once
            }

            if (model.SplitAt > 0)
            {
                second.AddRange(model.Layers.Skip(model.SplitAt));
            }

            text += "\n" + string.Concat(second.Select(a => "[" + a + "]\n")) + $"public partial class {model.Name};\n";
        }

        return model.Outer is null ? text : $"{model.Outer}\n{{\n{text}}}\n";
    }

    private static string Dense(string units, string activation, Random random)
    {
        if (activation == "Linear" && Chance(random, 0.5))
        {
            return $"Dense({units})";
        }

        string slope = activation == "LeakyReLU" && Chance(random, 0.3) ? ", NegativeSlope = 0.2f" : "";
        return $"Dense({units}, Activation.{activation}{slope}{ParameterOptions(random)})";
    }

    /// <summary>Now and then an initializer or an L2 penalty for a layer's weight or bias: <c>, KernelInitializer = Initializer.HeNormal</c>.</summary>
    public static string ParameterOptions(Random random)
    {
        string options = "";
        if (Chance(random, 0.2))
        {
            options += $", KernelInitializer = Initializer.{Pick(random, s_initializers)}";
        }

        if (Chance(random, 0.1))
        {
            options += $", BiasInitializer = Initializer.{Pick(random, s_initializers)}";
        }

        if (Chance(random, 0.2))
        {
            options += $", {Pick(random, ["KernelRegularizerL2", "BiasRegularizerL2"])} = {Pick(random, ["0f", "1e-4f", "0.01f", "2.5f"])}";
        }

        return options;
    }

    /// <summary>The attribute with one more named argument: <c>Flatten</c> → <c>Flatten(Name = "h")</c>.</summary>
    private static string WithNamed(string attribute, string named) =>
        !attribute.EndsWith(')') ? $"{attribute}({named})" :
        attribute.EndsWith("()", StringComparison.Ordinal) ? $"{attribute[..^1]}{named})" :
        $"{attribute[..^1]}, {named})";

    private static string Size(Random random) => Pick(random, s_sizes).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The declaration as if caught mid-edit: cut short, a character lost, or a stray token typed.</summary>
    private static string Corrupt(Random random, string text) => random.Next(3) switch
    {
        0 => text.Substring(0, random.Next(text.Length)),
        1 => text.Remove(random.Next(text.Length), 1),
        _ => text.Insert(random.Next(text.Length + 1), Pick(random, s_tokens)),
    };

    private static bool Chance(Random random, double probability) => random.NextDouble() < probability;

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
