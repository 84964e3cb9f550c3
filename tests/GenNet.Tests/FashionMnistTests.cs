using System.IO;
using GenNet.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>
/// The seed script end to end on real data: Fashion-MNIST from Debian's dataset-fashion-mnist package
/// (.ci/run installs it; set GENNET_DATA to use another copy). Missing data fails the test rather than skipping it.
/// </summary>
public sealed class FashionMnistTests(ITestOutputHelper output)
{
    [Fact]
    public void The_seed_mlp_reaches_86_percent_after_5_epochs()
    {
        string directory = System.Environment.GetEnvironmentVariable("GENNET_DATA") is { Length: > 0 } custom ? custom : Mnist.DebianFashionMnistDirectory;
        Assert.True(Directory.Exists(directory), $"Fashion-MNIST is not in {directory}: run `sudo apt-get install dataset-fashion-mnist` (as .ci/run does) or set GENNET_DATA.");
        (Dataset train, Dataset test) = Mnist.Load(directory);
        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);

        var model = new MnistMlp();
        model.InitializeParameters(seed: 42);
        History history = model.Fit(train, new Adam(), epochs: 5, batchSize: 32, seed: 42, verbosity: Verbosity.Silent);
        Evaluation result = model.Evaluate(test);
        foreach (EpochReport epoch in history.Epochs)
        {
            output.WriteLine($"epoch {epoch.Epoch}: {epoch.Metrics()} ({epoch.Seconds:F2} s)");
        }

        output.WriteLine($"test loss {result.Loss:F4}, test accuracy {result.Accuracy:F4}");
        Assert.True(result.Accuracy >= 0.86, $"test accuracy {result.Accuracy:F4} is below 0.86");
    }

    [Fact]
    public void The_keras_convnet_reaches_82_percent_after_one_epoch()
    {
        // The sample (samples/MnistConv) trains 15 epochs, as Keras's script does; one keeps this test near ten seconds.
        string directory = System.Environment.GetEnvironmentVariable("GENNET_DATA") is { Length: > 0 } custom ? custom : Mnist.DebianFashionMnistDirectory;
        Assert.True(Directory.Exists(directory), $"Fashion-MNIST is not in {directory}: run `sudo apt-get install dataset-fashion-mnist` (as .ci/run does) or set GENNET_DATA.");
        (Dataset train, Dataset test) = Mnist.Load(directory);

        var model = new MnistConvNet();
        model.InitializeParameters(seed: 42);
        History history = model.Fit(train, new Adam(), epochs: 1, batchSize: 128, seed: 42, verbosity: Verbosity.Silent);
        Evaluation result = model.Evaluate(test);
        output.WriteLine($"epoch 1: {history.Epochs[0].Metrics()} ({history.Epochs[0].Seconds:F2} s)");
        output.WriteLine($"test loss {result.Loss:F4}, test accuracy {result.Accuracy:F4}");
        Assert.True(result.Accuracy >= 0.82, $"test accuracy {result.Accuracy:F4} is below 0.82"); // 0.839 measured (seed 42)
    }
}
