// Keras's recipe for a small table in GenNet: raw features into a Normalization layer adapted on the training part,
// Dense 64 and 32 with ReLU, Adam, early stopping on a 20% validation split with the best weights restored, and the
// test part's metrics. Three datasets from scikit-learn's collection (data/ATTRIBUTION.md):
//   dotnet run --project samples/Tabular -c Release -- --dataset wine            (3 classes)
//   dotnet run --project samples/Tabular -c Release -- --dataset breast-cancer   (binary)
//   dotnet run --project samples/Tabular -c Release -- --dataset diabetes        (regression)
// Options: --seed N (weights and batch order, default 1), --split-seed N (the train/test split, default 42; the same
// split as sklearn_baseline.py), --epochs N (at most, default 1000), --data DIRECTORY, --quiet.
using System;
using System.Globalization;
using GenNet;
using GenNet.Samples.Tabular;

string dataset = "wine", data = TabularSample.DataDirectory;
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
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; usage: --dataset {string.Join("|", TabularSample.Datasets.Keys)} [--seed N] [--split-seed N] [--epochs N] [--data DIRECTORY] [--quiet]");
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

return 0;
