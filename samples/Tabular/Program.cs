// Keras's recipe for a small table in GenNet: raw features into a Normalization layer adapted on the training part,
// Dense 64 and 32 with ReLU, Adam, early stopping on a 20% validation split with the best weights restored, and the
// test part's metrics. Three datasets from scikit-learn's collection (data/ATTRIBUTION.md):
//   dotnet run --project samples/Tabular -c Release -- --dataset wine            (3 classes)
//   dotnet run --project samples/Tabular -c Release -- --dataset breast-cancer   (binary)
//   dotnet run --project samples/Tabular -c Release -- --dataset diabetes        (regression)
// Options: --seed N (weights and batch order, default 1), --split-seed N (the train/test split, default 42; the same
// split as sklearn_baseline.py), --epochs N (at most, default 1000), --data DIRECTORY, --quiet, --plot FILE.png|.svg (the
// learning curves; for the classifiers also the test part's confusion matrix in FILE-confusion.png).
using System;
using System.Globalization;
using System.IO;
using GenNet;
using GenNet.Plots;
using GenNet.Samples.Tabular;

string dataset = "wine", data = TabularSample.DataDirectory;
string? plot = null;
int seed = 1, epochs = 1000;
ulong splitSeed = 42;
bool quiet = false;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--dataset": dataset = Next(); break;
        case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--split-seed": splitSeed = ulong.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--epochs": epochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--data": data = Next(); break;
        case "--quiet": quiet = true; break;
        case "--plot":
            plot = Next();
            if (!(plot.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || plot.EndsWith(".svg", StringComparison.OrdinalIgnoreCase)))
            {
                Console.Error.WriteLine($"--plot needs a file ending in .png or .svg, not '{plot}'");
                return 2;
            }
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; usage: --dataset {string.Join("|", TabularSample.Datasets.Keys)} [--seed N] [--split-seed N] [--epochs N] [--data DIRECTORY] [--quiet] [--plot FILE.png]");
            return 2;
    }
}

if (!TabularSample.Datasets.ContainsKey(dataset))
{
    Console.Error.WriteLine($"unknown dataset {dataset}: use {string.Join(", ", TabularSample.Datasets.Keys)}");
    return 2;
}

TabularResult result = TabularSample.Run(dataset, data, seed, splitSeed, epochs, quiet ? Verbosity.Silent : Verbosity.Auto);
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{dataset}: {result.TrainCount} training samples (the last {TabularSample.ValidationSplit * 100:0}% for validation), {result.TestCount} test; " +
    $"{result.History.Epochs.Count} epochs, best {result.BestEpoch} (restored), seed {seed}, split seed {splitSeed}"));
Console.WriteLine();
if (result.Classification is { } report)
{
    Console.WriteLine(report);
}
else if (result.Binary is { } binary)
{
    Console.WriteLine(binary);
}
else
{
    Console.WriteLine(result.Regression);
}

if (plot is not null)
{
    try
    {
        LearningCurves.Save(result.History, plot);
        Console.WriteLine($"Learning curves written to {plot}");
        string confusion = Path.Combine(Path.GetDirectoryName(plot) ?? "", Path.GetFileNameWithoutExtension(plot) + "-confusion" + Path.GetExtension(plot));
        if (result.Classification is { } classes)
        {
            ConfusionMatrixPlot.Save(classes, confusion);
            Console.WriteLine($"The test part's confusion matrix written to {confusion}");
        }
        else if (result.Binary is { } b)
        {
            // Rows are the actual class, columns the predicted one: label 0 (malignant in scikit-learn's coding), then 1 (benign).
            ConfusionMatrixPlot.Save([b.TrueNegatives, b.FalsePositives, b.FalseNegatives, b.TruePositives], 2, ["malignant", "benign"], confusion, 0, 0);
            Console.WriteLine($"The test part's confusion matrix written to {confusion}");
        }
    }
    catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException)
    {
        Console.Error.WriteLine($"error: could not write the plots: {error.Message}");
        return 1;
    }
}

return 0;
