// The Tabular sample's networks and training, apart from its command line so that tests/GenNet.Tests runs the same code.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace GenNet.Samples.Tabular
{
    /// <summary>Wine: 13 raw chemical measurements → 3 cultivars. A Normalization adapted on the training part, then a small MLP.</summary>
    [Network]
    [Input(13)]
    [Normalization]
    [Dense(64, Activation.ReLU)]
    [Dense(32, Activation.ReLU)]
    [Dense(3, Activation.Softmax)]
    public partial class WineClassifier;

    /// <summary>Breast cancer: 30 raw measurements of cell nuclei → benign (1) or malignant (0).</summary>
    [Network]
    [Input(30)]
    [Normalization]
    [Dense(64, Activation.ReLU)]
    [Dense(32, Activation.ReLU)]
    [Dense(1, Activation.Sigmoid)]
    public partial class BreastCancerClassifier;

    /// <summary>Diabetes: 10 raw baseline variables → disease progression a year later (mean squared error).</summary>
    [Network]
    [Input(10)]
    [Normalization]
    [Dense(64, Activation.ReLU)]
    [Dense(32, Activation.ReLU)]
    [Dense(1, Activation.Linear)]
    public partial class DiabetesRegressor;

    /// <summary>What a run measured on the test part: one of the three reports, and the training history.</summary>
    public sealed record TabularResult(
        string Dataset, int TrainCount, int TestCount, History History, int BestEpoch,
        ClassificationReport? Classification, BinaryReport? Binary, RegressionReport? Regression)
    {
        /// <summary>The headline figure: accuracy for the classifiers, R² for the regressor.</summary>
        public double Score => Classification?.Accuracy ?? Binary?.Accuracy ?? Regression!.R2;
    }

    /// <summary>
    /// The three datasets (samples/Tabular/data, see ATTRIBUTION.md), a split Python reproduces exactly
    /// (<see cref="SplitIndices"/>, and sklearn_baseline.py), and Keras's recipe for small tables: a Normalization layer
    /// adapted on the training part, Dense 64 and 32 with ReLU, Adam, early stopping on a validation split that restores
    /// the best weights.
    /// </summary>
    public static class TabularSample
    {
        /// <summary>The datasets the sample knows, with their CSV file and label column.</summary>
        public static readonly IReadOnlyDictionary<string, (string File, string Label, bool Regression)> Datasets =
            new Dictionary<string, (string, string, bool)>(StringComparer.Ordinal)
            {
                ["wine"] = ("wine.csv", "class", false),
                ["breast-cancer"] = ("breast_cancer.csv", "benign", false),
                ["diabetes"] = ("diabetes.csv", "progression", true),
            };

        /// <summary>The fraction of each class (of all samples, for regression) held out for the test.</summary>
        public const double TestFraction = 0.2;

        /// <summary>The fraction of the training part Fit holds out to stop early on (Keras's validation_split: its last samples).</summary>
        public const double ValidationSplit = 0.2;

        /// <summary>Where the build copies the CSV files.</summary>
        public static string DataDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "data");

        /// <summary>
        /// The sample's split of <paramref name="count"/> samples: each group (a class, or all samples for regression)
        /// ordered by <see cref="Key"/>, its first round(<see cref="TestFraction"/> · n) (halves up) held out for the test. The
        /// training part comes in key order (so classes are mixed and a validation split's last samples are a random draw),
        /// the test part in file order. sklearn_baseline.py computes the same indices.
        /// </summary>
        public static (int[] Train, int[] Test) SplitIndices(ReadOnlySpan<int> labels, int count, ulong seed)
        {
            int[] groups = labels.IsEmpty ? new int[count] : labels.ToArray();
            var train = new List<int>();
            var test = new List<int>();
            foreach (int group in groups.Distinct().Order())
            {
                int[] members = Enumerable.Range(0, count).Where(i => groups[i] == group).OrderBy(i => Key(seed, i)).ThenBy(i => i).ToArray();
                int held = (int)((members.Length * 2L + 5) / 10); // round(n / 5), halves up
                test.AddRange(members.Take(held));
                train.AddRange(members.Skip(held));
            }

            return (train.OrderBy(i => Key(seed, i)).ThenBy(i => i).ToArray(), test.Order().ToArray());
        }

        /// <summary>SplitMix64's output for the state <c>seed · 1000003 + index</c> (mod 2⁶⁴): a sort key Python reproduces.</summary>
        public static ulong Key(ulong seed, int index)
        {
            ulong z = unchecked(seed * 1000003UL + (ulong)index + 0x9E3779B97F4A7C15UL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            return z ^ (z >> 31);
        }

        /// <summary>The dataset's training and test parts.</summary>
        public static (Dataset Train, Dataset Test) Load(string dataset, string dataDirectory, ulong splitSeed)
        {
            (string file, string label, bool regression) = Datasets.TryGetValue(dataset, out var known)
                ? known
                : throw new ArgumentException($"Unknown dataset '{dataset}': use {string.Join(", ", Datasets.Keys)}.", nameof(dataset));
            Dataset all = Csv.Load(Path.Combine(dataDirectory, file), label, regression);
            (int[] train, int[] test) = SplitIndices(regression ? ReadOnlySpan<int>.Empty : all.Labels, all.Count, splitSeed);
            return (all.Subset(train), all.Subset(test));
        }

        /// <summary>
        /// Trains the dataset's network from <paramref name="seed"/> (its initial weights and the order of its batches) on
        /// the split of <paramref name="splitSeed"/> and measures it on the test part.
        /// </summary>
        public static TabularResult Run(
            string dataset, string dataDirectory, int seed = 1, ulong splitSeed = 42, int maxEpochs = 1000, Verbosity verbosity = Verbosity.Silent)
        {
            (Dataset train, Dataset test) = Load(dataset, dataDirectory, splitSeed);
            ITrainableNetwork network = dataset switch
            {
                "wine" => new WineClassifier(),
                "breast-cancer" => new BreastCancerClassifier(),
                _ => new DiabetesRegressor(),
            };
            network.InitializeParameters(seed);
            network.Adapt(train); // the features' mean and variance, from the training part only: the network takes raw features

            // The regressor's raw targets (25 to 346) need larger steps than the classifiers' probabilities.
            var optimizer = new Adam(learningRate: dataset == "diabetes" ? 3e-3f : 1e-3f);
            var stop = new EarlyStopping(monitor: "val_loss", patience: 20, minDelta: 1e-3, restoreBestWeights: true);
            // Recorded per epoch for training and validation (they steer nothing here; early stopping watches the loss).
            Metric[] metrics = dataset switch
            {
                "wine" => [Metric.F1],
                "breast-cancer" => [Metric.Auc],
                _ => [Metric.MeanAbsoluteError, Metric.R2],
            };
            History history = network.Fit(train, optimizer, maxEpochs, new FitOptions { ValidationSplit = ValidationSplit, Metrics = metrics }, [stop],
                batchSize: 32, seed: seed, verbosity: verbosity);
            return dataset switch
            {
                "wine" => new TabularResult(dataset, train.Count, test.Count, history, stop.BestEpoch, network.EvaluateClassification(test, topK: 2), null, null),
                "breast-cancer" => new TabularResult(dataset, train.Count, test.Count, history, stop.BestEpoch, null, network.EvaluateBinary(test), null),
                _ => new TabularResult(dataset, train.Count, test.Count, history, stop.BestEpoch, null, null, network.EvaluateRegression(test)),
            };
        }
    }
}
