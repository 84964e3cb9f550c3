using System;
using System.Linq;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// Every metric on small cases worked by hand. Where a comment says "scikit-learn", the expected value was also computed
/// with scikit-learn 1.2.1 (Debian's python3-sklearn) while writing the test — <c>precision_recall_fscore_support(y, argmax,
/// labels=range(classes), zero_division=0)</c>, <c>top_k_accuracy_score</c>, <c>roc_auc_score</c>, <c>r2_score</c> and
/// friends on the same numbers — and pasted here; the suite itself needs no Python.
/// </summary>
public sealed class MetricsTests
{
    private const double Tolerance = 1e-12;

    // Three classes, seven samples. Predicted (arg-max): 0, 1, 1, 2, 2, 0, 1.
    private static readonly float[] ThreeClassOutputs =
    [
        0.7f, 0.2f, 0.1f,
        0.1f, 0.6f, 0.3f,
        0.2f, 0.5f, 0.3f,
        0.3f, 0.25f, 0.45f,
        0.1f, 0.2f, 0.7f,
        0.6f, 0.3f, 0.1f,
        0.1f, 0.8f, 0.1f,
    ];

    private static readonly int[] ThreeClassLabels = [0, 0, 1, 1, 2, 2, 1];

    [Fact]
    public void Classification_counts_the_confusion_matrix_and_per_class_scores()
    {
        ClassificationReport report = Metrics.Classification(ThreeClassOutputs, ThreeClassLabels, classes: 3, topK: 2);

        // Rows are the true class: class 1's samples went to 1, 1 and 2.
        Assert.Equal([1, 1, 0, 0, 2, 1, 1, 0, 1], report.ConfusionMatrix.ToArray());
        Assert.Equal(1, report.Confusion(actual: 1, predicted: 2));
        Assert.Equal(7, report.Count);
        Assert.Equal([2, 3, 2], report.Support);

        // Class 1: 2 right of 3 predicted and of 3 true. Classes 0 and 2: 1 right of 2 and of 2.
        AssertClose([0.5, 2.0 / 3, 0.5], report.Precision);
        AssertClose([0.5, 2.0 / 3, 0.5], report.Recall);
        AssertClose([0.5, 2.0 / 3, 0.5], report.F1);
        Assert.Equal(4.0 / 7, report.Accuracy, Tolerance);
        Assert.Equal(0.5555555555555555, report.MacroPrecision, Tolerance); // scikit-learn, average="macro"
        Assert.Equal(0.5555555555555555, report.MacroF1, Tolerance);
        Assert.Equal(0.5714285714285714, report.WeightedF1, Tolerance); // scikit-learn, average="weighted"

        // Top 2: sample 1 (label 0, scores .1 .6 .3) and 3 (label 1, .3 .25 .45) and 5 (label 2, .6 .3 .1) miss.
        Assert.Equal(2, report.TopK);
        Assert.Equal(0.5714285714285714, report.TopKAccuracy, Tolerance); // scikit-learn top_k_accuracy_score(k=2)
    }

    [Fact]
    public void A_class_never_predicted_or_never_true_scores_zero_and_still_counts_in_the_macro_average()
    {
        // Four classes. Predicted: 0, 1, 2, 0, 1, 0. Class 2 is predicted once but never true; class 3 is true twice but
        // never predicted.
        float[] outputs =
        [
            0.5f, 0.2f, 0.2f, 0.1f,
            0.1f, 0.7f, 0.1f, 0.1f,
            0.2f, 0.3f, 0.4f, 0.1f,
            0.4f, 0.3f, 0.1f, 0.2f,
            0.1f, 0.5f, 0.1f, 0.3f,
            0.3f, 0.2f, 0.1f, 0.25f,
        ];
        int[] labels = [0, 1, 1, 3, 3, 0];
        ClassificationReport report = Metrics.Classification(outputs, labels, classes: 4, topK: 2);

        Assert.Equal([2, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0], report.ConfusionMatrix.ToArray());
        AssertClose([2.0 / 3, 0.5, 0, 0], report.Precision);
        AssertClose([1, 0.5, 0, 0], report.Recall);
        AssertClose([0.8, 0.5, 0, 0], report.F1);
        Assert.Equal([2, 2, 0, 2], report.Support);
        Assert.Equal(0.29166666666666663, report.MacroPrecision, Tolerance); // scikit-learn, labels=range(4), zero_division=0
        Assert.Equal(0.375, report.MacroRecall, Tolerance);
        Assert.Equal(0.325, report.MacroF1, Tolerance);
        Assert.Equal(0.38888888888888884, report.WeightedPrecision, Tolerance);
        Assert.Equal(0.5, report.WeightedRecall, Tolerance);
        Assert.Equal(0.43333333333333335, report.WeightedF1, Tolerance);
        Assert.Equal(0.5, report.Accuracy, Tolerance);
        Assert.Equal(0.8333333333333334, report.TopKAccuracy, Tolerance); // scikit-learn, k=2: only sample 3 (label 3: .4 .3 .1 .2) misses
        Assert.Equal(1.0, Metrics.TopKAccuracy(outputs, labels, classes: 4, k: 3), Tolerance);
        Assert.Equal(1.0, Metrics.TopKAccuracy(outputs, labels, classes: 4, k: 9), Tolerance);
    }

    [Fact]
    public void Top_1_accuracy_equals_accuracy_and_ties_go_to_the_lower_index_like_the_arg_max()
    {
        Assert.Equal(4.0 / 7, Metrics.TopKAccuracy(ThreeClassOutputs, ThreeClassLabels, 3, k: 1), Tolerance);

        // Every score tied: the arg-max is class 0, so only label 0 is in the top 1, labels 0 and 1 in the top 2.
        float[] tied = [0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f];
        Assert.Equal(1.0 / 3, Metrics.TopKAccuracy(tied, [0, 1, 2], 3, k: 1), Tolerance);
        Assert.Equal(2.0 / 3, Metrics.TopKAccuracy(tied, [0, 1, 2], 3, k: 2), Tolerance);
        Assert.Equal(1.0 / 3, Metrics.Classification(tied, [0, 1, 2], 3).Accuracy, Tolerance);
    }

    [Fact]
    public void Roc_auc_counts_a_tie_between_a_positive_and_a_negative_as_one_half()
    {
        // Positives score .35, .8, .4, .9; negatives .1, .4, .4, .2. Negatives below each positive: 2, 4, 2 + ½·2 (the
        // two tied at .4), 4 — U = 13 of 16 pairs.
        float[] scores = [0.1f, 0.4f, 0.35f, 0.8f, 0.4f, 0.4f, 0.9f, 0.2f];
        int[] labels = [0, 0, 1, 1, 1, 0, 1, 0];
        Assert.Equal(13.0 / 16, Metrics.RocAuc(scores, labels), Tolerance); // scikit-learn roc_auc_score: 0.8125

        BinaryReport report = Metrics.Binary(scores, labels);
        Assert.Equal(13.0 / 16, report.RocAuc, Tolerance);

        // At 0.5 only .8 and .9 are predicted positive, both right.
        Assert.Equal((2, 0, 4, 2), (report.TruePositives, report.FalsePositives, report.TrueNegatives, report.FalseNegatives));
        Assert.Equal(1.0, report.Precision, Tolerance);
        Assert.Equal(0.5, report.Recall, Tolerance);
        Assert.Equal(2.0 / 3, report.F1, Tolerance);
        Assert.Equal(0.75, report.Accuracy, Tolerance);
        Assert.Equal(8, report.Count);
    }

    [Fact]
    public void Roc_auc_matches_scikit_learn_on_many_ties()
    {
        // Scores rounded to one decimal (numpy default_rng(7)), so most are tied with others.
        float[] scores =
        [
            0.6f, 0.9f, 0.8f, 0.2f, 0.3f, 0.9f, 0.0f, 0.8f, 0.8f, 0.5f, 0.3f, 0.3f, 0.3f, 0.4f, 0.5f, 0.6f, 1.0f, 0.8f, 0.6f, 1.0f,
            0.2f, 0.2f, 0.6f, 0.0f, 0.0f, 0.5f, 0.5f, 0.9f, 0.6f, 0.5f, 0.5f, 0.2f, 0.0f, 0.2f, 0.7f, 0.2f, 0.4f, 0.0f, 0.8f, 0.2f,
        ];
        int[] labels = [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1];
        BinaryReport report = Metrics.Binary(scores, labels);
        Assert.Equal(0.45066666666666666, report.RocAuc, Tolerance); // scikit-learn roc_auc_score
        Assert.Equal(0.36363636363636365, report.Precision, Tolerance); // scikit-learn on (scores >= 0.5)
        Assert.Equal(0.5333333333333333, report.Recall, Tolerance);
        Assert.Equal(0.43243243243243246, report.F1, Tolerance);

        // A perfect ranking scores 1, a reversed one 0, all scores equal ½.
        Assert.Equal(1.0, Metrics.RocAuc([0.1f, 0.2f, 0.7f, 0.9f], [0, 0, 1, 1]));
        Assert.Equal(0.0, Metrics.RocAuc([0.1f, 0.2f, 0.7f, 0.9f], [1, 1, 0, 0]));
        Assert.Equal(0.5, Metrics.RocAuc([0.3f, 0.3f, 0.3f, 0.3f], [1, 0, 1, 0]));
    }

    [Fact]
    public void Binary_metrics_of_one_class_give_nan_auc_and_zero_where_scikit_learn_divides_by_zero()
    {
        BinaryReport report = Metrics.Binary([0.1f, 0.2f, 0.3f], [0, 0, 0]);
        Assert.True(double.IsNaN(report.RocAuc));
        Assert.Equal(0, report.Precision); // nothing predicted positive
        Assert.Equal(0, report.Recall); // no positives
        Assert.Equal(0, report.F1);
        Assert.Equal(1, report.Accuracy);
    }

    [Fact]
    public void Regression_averages_each_output_as_scikit_learn_does()
    {
        float[] targets = [1, 10, 2, 20, 3, 15, 4, 5];
        float[] outputs = [1.5f, 12, 1, 18, 3.5f, 15, 4, 9];
        RegressionReport report = Metrics.Regression(outputs, targets, width: 2);

        // Output 0: errors .5, 1, .5, 0 → MAE .5, MSE .375; targets' mean 2.5, SS_tot 5, SS_res 1.5 → R² .7.
        // Output 1: errors 2, 2, 0, 4 → MAE 2, MSE 6; mean 12.5, SS_tot 125, SS_res 24 → R² .808.
        AssertClose([0.5, 2], report.MeanAbsoluteErrorPerOutput);
        AssertClose([Math.Sqrt(0.375), Math.Sqrt(6)], report.RootMeanSquaredErrorPerOutput);
        AssertClose([0.7, 0.808], report.R2PerOutput);
        Assert.Equal(1.25, report.MeanAbsoluteError, Tolerance); // scikit-learn mean_absolute_error
        Assert.Equal(3.1875, report.MeanSquaredError, Tolerance); // mean_squared_error
        Assert.Equal(1.5309310892394863, report.RootMeanSquaredError, Tolerance); // mean_squared_error(squared=False), float64
        Assert.Equal(0.754, report.R2, Tolerance); // r2_score, multioutput="uniform_average"
        Assert.Equal((4, 2), (report.Count, report.Outputs));
    }

    [Fact]
    public void R2_is_one_for_a_perfect_regressor_zero_for_the_mean_and_follows_force_finite_for_constant_targets()
    {
        float[] targets = [1, 2, 3, 6];
        Assert.Equal(1.0, Metrics.Regression(targets, targets).R2);
        Assert.Equal(0.0, Metrics.Regression([3, 3, 3, 3], targets).R2, Tolerance); // always the mean, 3
        Assert.Equal(1 - 52.0 / 14, Metrics.Regression([6, 3, 2, 1], targets).R2, Tolerance); // worse than the mean: negative

        // All targets equal: SS_tot = 0. scikit-learn gives 1 for an exact prediction, 0 otherwise.
        Assert.Equal(1.0, Metrics.Regression([3, 3, 3], [3, 3, 3]).R2);
        Assert.Equal(0.0, Metrics.Regression([3, 4, 3], [3, 3, 3]).R2);
        Assert.Equal(1.5, Metrics.Regression([3, 3, 3, 3], targets).MeanAbsoluteError, Tolerance);
    }

    [Fact]
    public void Bad_input_is_an_argument_exception_that_says_what_is_wrong()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Metrics.Classification(new float[8], [0, 1, 2], 3));
        Assert.Contains("3 labels × 3 classes need 9", e.Message);
        e = Assert.Throws<ArgumentException>(() => Metrics.Classification(new float[9], [0, 3, 1], 3));
        Assert.Contains("Label 3 of sample 1 is out of range", e.Message);
        Assert.Throws<ArgumentException>(() => Metrics.Classification(new float[9], [0, -1, 1], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.Classification(new float[9], [0, 1, 2], 3, topK: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.TopKAccuracy(new float[9], [0, 1, 2], 3, k: -1));
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.Classification(new float[3], [0, 0, 0], 1));
        Assert.Contains("Metrics.Binary", e.Message);
        Assert.Contains("no samples", Assert.Throws<ArgumentException>(() => Metrics.Classification([], [], 3)).Message);

        Assert.Contains("3 scores but 2 labels", Assert.Throws<ArgumentException>(() => Metrics.Binary(new float[3], [0, 1])).Message);
        Assert.Contains("Label 2 of sample 1 is not 0 or 1", Assert.Throws<ArgumentException>(() => Metrics.RocAuc(new float[2], [0, 2])).Message);
        Assert.Contains("sample 0 is NaN", Assert.Throws<ArgumentException>(() => Metrics.RocAuc([float.NaN, 1], [0, 1])).Message);

        Assert.Contains("3 outputs but 4 targets", Assert.Throws<ArgumentException>(() => Metrics.Regression(new float[3], new float[4])).Message);
        Assert.Contains("not whole samples of 2", Assert.Throws<ArgumentException>(() => Metrics.Regression(new float[3], new float[3], 2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.Regression(new float[3], new float[3], 0));
    }

    [Fact]
    public void ToString_prints_a_scikit_learn_like_table()
    {
        string text = Metrics.Classification(ThreeClassOutputs, ThreeClassLabels, 3, topK: 2, classNames: ["cat", "dog", "bird"]).ToString();
        Assert.Contains("precision    recall  f1-score   support", text);
        Assert.Contains("         dog     0.6667    0.6667    0.6667         3", text);
        Assert.Contains("   macro avg     0.5556    0.5556    0.5556         7", text);
        Assert.Contains("    accuracy                         0.5714         7", text);
        Assert.Contains("        bird 1 0 1", text); // the confusion matrix's last row

        Assert.Equal("mae: 1.2500 - mse: 3.1875 - rmse: 1.5309 - r2: 0.7540 (4 samples, 2 outputs)",
            Metrics.Regression([1.5f, 12, 1, 18, 3.5f, 15, 4, 9], [1, 10, 2, 20, 3, 15, 4, 5], 2).ToString());
        Assert.StartsWith("auc: 0.8125 - accuracy: 0.7500 - precision: 1.0000 - recall: 0.5000 - f1: 0.6667",
            Metrics.Binary([0.1f, 0.4f, 0.35f, 0.8f, 0.4f, 0.4f, 0.9f, 0.2f], [0, 0, 1, 1, 1, 0, 1, 0]).ToString());
    }

    [Fact]
    public void A_network_evaluates_in_batches_exactly_as_the_metrics_of_its_predictions()
    {
        var random = new Random(5);
        int count = 53; // batches of 16: three full and a partial one
        float[] features = Enumerable.Range(0, count * 4).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray();
        int[] labels = Enumerable.Range(0, count).Select(i => i % 3).ToArray();
        Dataset data = Dataset.Create(features, labels, 4);
        var classifier = new Classifier();
        classifier.InitializeParameters(11);

        ClassificationReport report = classifier.EvaluateClassification(data, topK: 2, batchSize: 16);
        ClassificationReport direct = Metrics.Classification(classifier.Predict(data), labels, 3, topK: 2);
        Assert.Equal(direct.ConfusionMatrix.ToArray(), report.ConfusionMatrix.ToArray());
        Assert.Equal(direct.TopKAccuracy, report.TopKAccuracy);
        Assert.Equal(direct.MacroF1, report.MacroF1);
        Assert.Equal(count, report.ConfusionMatrix.ToArray().Sum());
        Assert.Equal(classifier.Evaluate(data).Accuracy!.Value, report.Accuracy, Tolerance);

        // One-hot targets are read by their arg-max: the same report as the labels.
        float[] oneHot = Enumerable.Range(0, count * 3).Select(i => labels[i / 3] == i % 3 ? 1f : 0f).ToArray();
        ClassificationReport fromTargets = classifier.EvaluateClassification(Dataset.Create(features, oneHot, 4), topK: 2, batchSize: 16);
        Assert.Equal(report.ConfusionMatrix.ToArray(), fromTargets.ConfusionMatrix.ToArray());
        Assert.Equal(report.TopKAccuracy, fromTargets.TopKAccuracy);

        // A sigmoid network: the binary report, and the classification report over the two classes 1 − p and p.
        int[] binaryLabels = Enumerable.Range(0, count).Select(i => features[i * 4] > 0 ? 1 : 0).ToArray();
        float[] pairs = Enumerable.Range(0, count * 2).Select(i => features[i / 2 * 4 + i % 2]).ToArray();
        Dataset binaryData = Dataset.Create(pairs, binaryLabels, 2);
        var binary = new XorNetwork();
        binary.InitializeParameters(2);
        float[] scores = binary.Predict(binaryData);
        BinaryReport binaryReport = binary.EvaluateBinary(binaryData, batchSize: 16);
        Assert.Equal(Metrics.RocAuc(scores, binaryLabels), binaryReport.RocAuc);
        Assert.Equal(Metrics.Binary(scores, binaryLabels).F1, binaryReport.F1);
        Assert.Equal(binary.Evaluate(binaryData).Accuracy!.Value, binaryReport.Accuracy, Tolerance);
        Assert.Equal(binaryReport.TruePositives, binary.EvaluateClassification(binaryData, batchSize: 16).Confusion(1, 1));
        float[] binaryTargets = binaryLabels.Select(label => (float)label).ToArray();
        Assert.Equal(binaryReport.RocAuc, binary.EvaluateBinary(Dataset.Create(pairs, binaryTargets, 2)).RocAuc);
        binaryTargets[7] = 0.5f;
        Assert.Contains("Target 0.5 of sample 7 is not 0 or 1",
            Assert.Throws<ArgumentException>(() => binary.EvaluateBinary(Dataset.Create(pairs, binaryTargets, 2))).Message);

        // A regressor (three linear outputs, mean squared error) on float targets.
        float[] targets = Enumerable.Range(0, count * 3).Select(i => features[i / 3 * 4 + i % 3] * (i % 3 - 1)).ToArray();
        Dataset regressionData = Dataset.Create(features, targets, 4);
        var regressor = new OneHotMse();
        regressor.InitializeParameters(4);
        RegressionReport regression = regressor.EvaluateRegression(regressionData, batchSize: 16);
        RegressionReport regressionDirect = Metrics.Regression(regressor.Predict(regressionData), targets, 3);
        Assert.Equal(regressionDirect.R2, regression.R2, Tolerance);
        Assert.Equal(regressionDirect.RootMeanSquaredError, regression.RootMeanSquaredError, Tolerance);
        Assert.Equal(regressor.Evaluate(regressionData).Loss, regression.MeanSquaredError, 5); // the network's loss is MSE

        // Data that does not fit the report is refused.
        Assert.Throws<ArgumentException>(() => classifier.EvaluateBinary(data));
        Assert.Throws<ArgumentException>(() => classifier.EvaluateRegression(data));
        Assert.Contains("Label 3", Assert.Throws<ArgumentException>(() => classifier.EvaluateClassification(Dataset.Create(new float[8], [3, 0], 4))).Message);
        Assert.Throws<ArgumentException>(() => regressor.EvaluateClassification(binaryData)); // 2 features, not 4
    }

    private static void AssertClose(double[] expected, System.Collections.Generic.IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], Tolerance);
        }
    }
}
