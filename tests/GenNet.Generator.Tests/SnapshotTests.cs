using System.Linq;
using Xunit;

namespace GenNet.Generator.Tests;

/// <summary>The generated code, read and committed: the seed's MNIST MLP and a network using every activation.</summary>
public sealed class SnapshotTests
{
    [Fact]
    public void Mnist_mlp()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples;

            [Network]
            [Input(28, 28)]
            [Flatten]
            [Dense(128, Activation.ReLU)]
            [Dense(10, Activation.Softmax)]
            public partial class MnistMlp;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("MnistMlp", run.Source("Samples.MnistMlp.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Every_activation()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Zoo
            {
                [Network(Loss = Loss.CategoricalCrossEntropy)]
                [Input(4, 3)]
                [Flatten]
                [Dense(9, Activation.ReLU)]
                [Dense(8, Activation.Sigmoid)]
                [Dense(7, Activation.Tanh)]
                [Dense(6, Activation.LeakyReLU, NegativeSlope = 0.1f)]
                [Dense(5, Activation.Gelu)]
                [Dense(4)]
                [Dense(3, Activation.Softmax)]
                internal sealed partial class EveryActivation
                {
                    public int UserMember() => 42;
                }
            }
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("EveryActivation", run.Source("Samples.Zoo.EveryActivation.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Mean_squared_error_through_softmax_in_the_global_namespace_nested_in_a_partial_type()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            public static partial class Models
            {
                [Network(Loss = Loss.MeanSquaredError)]
                [Input(3)]
                [Dense(2, Activation.Softmax)]
                public partial class Tiny;
            }
            """);

        // MSE on softmax probabilities is legal and generated, with a warning that it learns slowly.
        Assert.Null(run.Result.Results.Single().Exception);
        Assert.Equal("GN0013", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Empty(run.CompilationDiagnostics);
        Snapshot.Match("NestedTiny", run.Source("Models.Tiny.g.cs"));
        Assertions.SecondRunIsCached(run);
    }
}
