using System.Linq;
using GenNet.Generator.Emit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace GenNet.Generator.Tests;

/// <summary>Declarations that once crashed the generator or made it emit code that did not compile (found by <see cref="FuzzTests"/>).</summary>
public sealed class RobustnessTests
{
    [Fact]
    public void Keyword_names_are_written_verbatim_in_generated_code()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace @event.@class;

            public partial class @static
            {
                [Network]
                [Input(4)]
                [Dense(2)]
                public partial class @object;
            }
            """);
        Assertions.CleanRun(run);
        Assert.Contains("namespace @event.@class", run.Source("event.class.static.object.g.cs")); // hint names cannot hold '@'
        Assert.Contains("partial class @object : global::GenNet.TrainableNetworkBase", run.Source("event.class.static.object.g.cs"));
    }

    [Fact]
    public void Network_on_two_partial_declarations_is_generated_once()
    {
        GeneratorRun run = GeneratorHarness.Run(
            "using GenNet;\n[Network]\n[Input(3)]\n[Dense(2)]\npublic partial class Twice;",
            "using GenNet;\n[Network]\npublic partial class Twice;");
        Assert.Null(run.Result.Results.Single().Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Result.Results.Single().GeneratedSources);
        Assert.Equal(["CS0579"], run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id)); // duplicate 'Network' attribute
    }

    [Theory]
    [InlineData("[Network]\n[Input(4)]\n[Dense(3)]\npublic partial class ;")]
    [InlineData("[Network]\n[Input(4)]\n[Dense(3)]\npublic partial class")]
    [InlineData("[Network]\n[Input(4)]\n[Dense(3)]\npublic partial class {")]
    public void A_class_without_a_name_yet_gets_only_the_compilers_errors(string declaration)
    {
        GeneratorRun run = GeneratorHarness.Run("using GenNet;\n" + declaration);
        Assert.Null(run.Result.Results.Single().Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Result.Results.Single().GeneratedSources);
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS1001"); // identifier expected
    }

    [Theory]
    [InlineData("Summary")]
    [InlineData("Forward")]
    [InlineData("Dense0Forward")]
    [InlineData("Dense12Weight")]
    public void A_class_named_like_a_generated_member_is_rejected(string name)
    {
        GeneratorRun run = GeneratorHarness.Run($"using GenNet;\n[Network]\n[Input(4)]\n[Dense(3)]\npublic partial class {name};");
        Assert.Equal("GN0007", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Empty(run.Result.Results.Single().GeneratedSources);
    }

    [Theory]
    [InlineData("Dense")]
    [InlineData("DenseWeight")]
    [InlineData("Dense0")]
    [InlineData("Network")]
    public void Names_close_to_generated_members_are_allowed(string name) =>
        Assertions.CleanRun(GeneratorHarness.Run($"using GenNet;\n[Network]\n[Input(4)]\n[Dense(3)]\npublic partial class {name};"));

    /// <summary>A merge's inputs were named a, b, …, z: the 15th's gradient was <c>do</c>, a keyword, and y, z and dy clashed with its own parameters.</summary>
    [Theory]
    [InlineData("Add", 15)]
    [InlineData("Multiply", 26)]
    [InlineData("Concatenate", 27)]
    public void A_merge_of_many_outputs_compiles(string kind, int count)
    {
        string branches = string.Concat(Enumerable.Range(0, count).Select(i => $"[Dense(2, Activation.ReLU, From = \"h\", Name = \"b{i}\")]\n"));
        string names = string.Join(", ", Enumerable.Range(0, count).Select(i => $"\"b{i}\""));
        GeneratorRun run = GeneratorHarness.Run(
            $"using GenNet;\n[Network]\n[Input(4)]\n[Dense(4, Name = \"h\")]\n{branches}[{kind}({names}, Activation = Activation.Gelu)]\n[Dense(2, Activation.Softmax)]\npublic partial class Wide;");
        Assertions.CleanRun(run);
        Assert.Contains("global::System.Span<float> dx14", run.Source("Wide.g.cs"));
    }

    /// <summary>The per-input overloads named their parameters after the inputs, so an input could take a name they use themselves.</summary>
    [Fact]
    public void Inputs_named_like_the_overloads_own_parameters_get_parameters_of_their_own()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            [Network]
            [Input(4, Name = "labels")]
            [Input(3, Name = "side.features")]
            [Input(2, Name = "side_features")]
            [Input(1, Name = "Forward")]
            [Concatenate("labels", "side.features", "side_features", "Forward")]
            [Dense(2, Activation.Softmax)]
            public partial class Conditioned;
            """);
        Assertions.CleanRun(run);
        Assert.Contains(
            "public float ComputeGradients(global::System.ReadOnlySpan<float> labelsInput, global::System.ReadOnlySpan<float> side_features, " +
            "global::System.ReadOnlySpan<float> side_featuresInput, global::System.ReadOnlySpan<float> ForwardInput, global::System.ReadOnlySpan<int> labels, int batchSize)",
            run.Source("Conditioned.g.cs"));
    }

    /// <summary>Keeps <see cref="GeneratedMembers"/> honest: every member the emitter writes, for every layer kind and activation, is in it.</summary>
    [Theory]
    [InlineData("[Input(2, 3)]\n[Flatten]\n[Dense(4, Activation.Gelu)]\n[Dense(4, Activation.LeakyReLU)]\n[Dense(3, Activation.Softmax)]")]
    [InlineData("[Input(6, 6, 2)]\n[Conv2D(3, 3, Activation.Gelu, Padding = Padding.Same)]\n[MaxPool2D(2)]\n[Conv2D(4, 1)]\n[AveragePool2D(3)]\n[Flatten]\n[Dropout(0.5)]\n[Flatten]\n[Dense(3, Activation.Softmax)]")]
    public void Every_generated_member_name_is_reserved(string layers)
    {
        GeneratorRun run = GeneratorHarness.Run("using GenNet;\n\n[Network]\n" + layers + "\npublic partial class Members;");
        Assertions.CleanRun(run);
        ClassDeclarationSyntax generated = CSharpSyntaxTree.ParseText(run.Source("Members.g.cs")).GetRoot()
            .DescendantNodes().OfType<ClassDeclarationSyntax>().Single();
        string[] names = generated.Members.SelectMany(MemberNames).ToArray();
        Assert.True(names.Length > 30, $"only {names.Length} members found");
        Assert.All(names, name => Assert.True(GeneratedMembers.IsReserved(name), $"'{name}' is generated but not in GeneratedMembers"));
    }

    private static string[] MemberNames(MemberDeclarationSyntax member) => member switch
    {
        MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } method => [method.Identifier.Text],
        PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } property => [property.Identifier.Text],
        BaseFieldDeclarationSyntax field => field.Declaration.Variables.Select(v => v.Identifier.Text).ToArray(),
        _ => [], // explicit interface implementations do not clash with the class name
    };
}
