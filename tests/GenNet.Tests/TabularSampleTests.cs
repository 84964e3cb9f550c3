using System.Linq;
using GenNet.Samples.Tabular;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>
/// samples/Tabular's own code (TabularSample.cs is compiled into this project, its CSV files copied beside the tests):
/// the split Python's sklearn_baseline.py reproduces, and the wine and diabetes runs end to end from raw features.
/// </summary>
public sealed class TabularSampleTests(ITestOutputHelper output)
{
    [Fact]
    public void The_split_is_the_one_sklearn_baseline_py_computes()
    {
        // Printed by sklearn_baseline.py's split() and key() (Python integers masked to 64 bits).
        Assert.Equal(15957650721519268447UL, TabularSample.Key(42, 0));
        Assert.Equal(12450211729832305065UL, TabularSample.Key(7, 123));
        (Dataset train, Dataset test) = TabularSample.Load("wine", TabularSample.DataDirectory, splitSeed: 42);
        Assert.Equal((142, 36), (train.Count, test.Count));
        int[] labels = Csv.Load(System.IO.Path.Combine(TabularSample.DataDirectory, "wine.csv"), "class").Labels.ToArray();
        (int[] trainIndices, int[] testIndices) = TabularSample.SplitIndices(labels, labels.Length, seed: 42);
        Assert.Equal([1, 2, 8, 10, 12, 16, 21, 28, 37, 38, 39, 49, 60, 72, 73, 80, 85, 88, 90, 91, 92, 109, 112, 113, 117, 128, 148, 151,
            156, 157, 160, 161, 163, 167, 173, 176], testIndices);
        Assert.Equal([34, 51, 44, 57, 58, 139, 17, 162, 7, 93], trainIndices.Take(10));
        Assert.Equal([12, 14, 10], Enumerable.Range(0, 3).Select(c => testIndices.Count(i => labels[i] == c))); // stratified: 59, 71, 48 → 12, 14, 10

        (int[] regressionTrain, int[] regressionTest) = TabularSample.SplitIndices([], 442, seed: 42);
        Assert.Equal([1, 2, 8, 10, 12, 16, 21, 28, 34, 37, 38, 39], regressionTest.Take(12));
        Assert.Equal([17, 353, 432, 262, 162], regressionTrain.Take(5));
        Assert.Equal(Enumerable.Range(0, 442), regressionTrain.Concat(regressionTest).Order());
    }

    [Fact]
    public void Wine_classifier_from_raw_features_reaches_94_percent()
    {
        TabularResult result = TabularSample.Run("wine", TabularSample.DataDirectory, seed: 1, maxEpochs: 400);
        output.WriteLine($"{result.History.Epochs.Count} epochs, best {result.BestEpoch}");
        output.WriteLine(result.Classification!.ToString());
        Assert.True(result.Classification.Accuracy >= 0.94, $"test accuracy {result.Classification.Accuracy:F4} is below 0.94"); // 1.0 measured (seed 1)
    }

    [Fact]
    public void Diabetes_regressor_from_raw_features_explains_40_percent_of_the_variance()
    {
        TabularResult result = TabularSample.Run("diabetes", TabularSample.DataDirectory, seed: 1);
        output.WriteLine($"{result.History.Epochs.Count} epochs, best {result.BestEpoch}: {result.Regression}");
        Assert.True(result.Regression!.R2 >= 0.4, $"test R² {result.Regression.R2:F4} is below 0.4"); // 0.48 measured (seed 1)
    }
}
