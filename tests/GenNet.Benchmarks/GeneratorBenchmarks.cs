using System;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using GenNet.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GenNet.Benchmarks;

/// <summary>
/// What the generator costs the compiler: a full run on a fresh driver (a build), and a re-run after an edit to another
/// file (what the IDE does on every keystroke), for the MNIST MLP, a 12-layer MLP and a 31-layer residual convnet. The
/// generated source size is printed by <see cref="Setup"/>.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private const string MnistMlp = """
        using GenNet;

        namespace Samples;

        [Network]
        [Input(28, 28)]
        [Flatten]
        [Dense(128, Activation.ReLU)]
        [Dense(10, Activation.Softmax)]
        public partial class MnistMlp;
        """;

    private const string Deep12 = """
        using GenNet;

        namespace Samples;

        [Network]
        [Input(28, 28)]
        [Flatten]
        [Dense(512, Activation.ReLU)]
        [Dense(256, Activation.Gelu)]
        [Dense(256, Activation.LeakyReLU, NegativeSlope = 0.1f)]
        [Dense(128, Activation.Tanh)]
        [Dense(128, Activation.ReLU)]
        [Dense(64, Activation.Sigmoid)]
        [Dense(64, Activation.Gelu)]
        [Dense(32, Activation.ReLU)]
        [Dense(32, Activation.Linear)]
        [Dense(16, Activation.ReLU)]
        [Dense(10, Activation.Softmax)]
        public partial class Deep12;
        """;

    /// <summary>A stem, nine residual blocks (two convolutions and an Add each), pooling and a classifier: 31 layers after the input.</summary>
    private static readonly string Residual30 =
        """
        using GenNet;

        namespace Samples;

        [Network]
        [Input(28, 28, 1)]
        [Conv2D(16, 3, Activation.ReLU, Padding = Padding.Same, Name = "block0")]

        """ +
        string.Concat(Enumerable.Range(1, 9).Select(b =>
            $"[Conv2D(16, 3, Activation.ReLU, Padding = Padding.Same, Name = \"block{b}.conv1\")]\n" +
            $"[Conv2D(16, 3, Activation.Linear, Padding = Padding.Same, Name = \"block{b}.conv2\")]\n" +
            $"[Add(\"block{b - 1}\", Activation = Activation.ReLU, Name = \"block{b}\")]\n")) +
        """
        [MaxPool2D(2)]
        [Flatten]
        [Dense(10, Activation.Softmax)]
        public partial class Residual30;
        """;

    private const string Other = """
        namespace Samples;

        public static class Helpers
        {
            public static int Twice(int x) => x * 2;
        }
        """;

    private static readonly MetadataReference[] s_references =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.Ordinal))
            .Append(typeof(NetworkAttribute).Assembly.Location)
            .Distinct()
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();

    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest);

    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warmDriver = null!;

    /// <summary>The network under test: the seed's MNIST MLP (4 layer attributes), a 12-layer MLP or a 31-layer residual convnet.</summary>
    [Params(nameof(MnistMlp), nameof(Deep12), nameof(Residual30))]
    public string Network { get; set; } = nameof(MnistMlp);

    [GlobalSetup]
    public void Setup()
    {
        string source = Network switch
        {
            nameof(MnistMlp) => MnistMlp,
            nameof(Deep12) => Deep12,
            _ => Residual30,
        };
        SyntaxTree other = CSharpSyntaxTree.ParseText(Other, s_parseOptions, path: "Helpers.cs");
        _compilation = CSharpCompilation.Create(
            "Benchmark",
            [CSharpSyntaxTree.ParseText(source, s_parseOptions, path: Network + ".cs"), other],
            s_references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        // The IDE case: a method body in another file changes.
        SyntaxTree edited = other.WithChangedText(other.GetText().Replace(Other.IndexOf("x * 2", StringComparison.Ordinal), 5, "x + x"));
        _edited = _compilation.ReplaceSyntaxTree(other, edited);

        _warmDriver = NewDriver().RunGeneratorsAndUpdateCompilation(_compilation, out Compilation output, out var diagnostics);
        GeneratorRunResult result = _warmDriver.GetRunResult().Results.Single();
        var errors = output.GetDiagnostics().Concat(diagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (result.Exception is not null || errors.Length > 0 || result.GeneratedSources.Length != 1)
        {
            throw new InvalidOperationException($"the benchmark network does not generate cleanly: {result.Exception} {string.Join("; ", errors.Take(3))}");
        }

        string generated = result.GeneratedSources[0].SourceText.ToString();
        Console.WriteLine(
            $"// {Network}: generated {result.GeneratedSources[0].HintName}, {Encoding.UTF8.GetByteCount(generated):N0} bytes, " +
            $"{generated.Split('\n').Length:N0} lines, for {source.Split('\n').Length:N0} lines of declaration");
    }

    /// <summary>A build: a new driver, nothing cached, on a compilation that has not bound the attributes yet.</summary>
    [Benchmark]
    public GeneratorDriver FullRun() => NewDriver().RunGenerators(_compilation.Clone());

    /// <summary>A keystroke in another file: every step of the warm driver should come back cached.</summary>
    [Benchmark]
    public GeneratorDriver RunAfterUnrelatedEdit() => _warmDriver.RunGenerators(_edited);

    private static GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create([new NetworkGenerator().AsSourceGenerator()], parseOptions: s_parseOptions);
}
