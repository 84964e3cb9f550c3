using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace GenNet;

/// <summary>
/// What a classifier got right and wrong, per class: scikit-learn's <c>confusion_matrix</c>,
/// <c>precision_recall_fscore_support</c> (with <c>labels=range(classes)</c> and <c>zero_division=0</c>: a class never
/// predicted has precision 0, a class with no true samples recall 0, and F1 is 0 where both are) and
/// <c>top_k_accuracy_score</c>. Macro averages are the plain mean over all classes, weighted ones weigh each class by
/// its support.
/// </summary>
public sealed class ClassificationReport
{
    private readonly int[] _confusion;
    private readonly double[] _precision, _recall, _f1;
    private readonly int[] _support;
    private readonly IReadOnlyList<string>? _classNames;

    internal ClassificationReport(int classes, int[] confusion, int topK, double topKAccuracy, IReadOnlyList<string>? classNames)
    {
        Classes = classes;
        _confusion = (int[])confusion.Clone();
        _classNames = classNames;
        TopK = topK;
        TopKAccuracy = topKAccuracy;
        _precision = new double[classes];
        _recall = new double[classes];
        _f1 = new double[classes];
        _support = new int[classes];
        long correct = 0, count = 0;
        for (int c = 0; c < classes; c++)
        {
            long truePositives = confusion[c * classes + c], actual = 0, predicted = 0;
            for (int other = 0; other < classes; other++)
            {
                actual += confusion[c * classes + other];
                predicted += confusion[other * classes + c];
            }

            _support[c] = (int)actual;
            _precision[c] = predicted == 0 ? 0 : (double)truePositives / predicted;
            _recall[c] = actual == 0 ? 0 : (double)truePositives / actual;
            _f1[c] = actual + predicted == 0 ? 0 : 2.0 * truePositives / (actual + predicted);
            correct += truePositives;
            count += actual;
        }

        Count = (int)count;
        Accuracy = (double)correct / count;
        MacroPrecision = Mean(_precision, null);
        MacroRecall = Mean(_recall, null);
        MacroF1 = Mean(_f1, null);
        WeightedPrecision = Mean(_precision, _support);
        WeightedRecall = Mean(_recall, _support);
        WeightedF1 = Mean(_f1, _support);
    }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>The number of samples.</summary>
    public int Count { get; }

    /// <summary>The class names given (a dataset's <c>ClassNames</c>), or null: the classes are then their numbers.</summary>
    public IReadOnlyList<string>? ClassNames => _classNames;

    /// <summary>[classes, classes] row-major: row = true class, column = predicted class (the arg-max output).</summary>
    public ReadOnlySpan<int> ConfusionMatrix => _confusion;

    /// <summary>Samples of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public int Confusion(int actual, int predicted)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)actual, (uint)Classes, nameof(actual));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)predicted, (uint)Classes, nameof(predicted));
        return _confusion[actual * Classes + predicted];
    }

    /// <summary>The fraction of samples whose arg-max output is their label.</summary>
    public double Accuracy { get; }

    /// <summary>The k of <see cref="TopKAccuracy"/>.</summary>
    public int TopK { get; }

    /// <summary>The fraction of samples whose label is among the <see cref="TopK"/> highest outputs (ties toward the lower index).</summary>
    public double TopKAccuracy { get; }

    /// <summary>Per class: true positives over predicted positives; 0 for a class never predicted.</summary>
    public IReadOnlyList<double> Precision => _precision;

    /// <summary>Per class: true positives over actual positives; 0 for a class with no samples.</summary>
    public IReadOnlyList<double> Recall => _recall;

    /// <summary>Per class: 2·tp / (2·tp + fp + fn), the harmonic mean of precision and recall; 0 where both are 0.</summary>
    public IReadOnlyList<double> F1 => _f1;

    /// <summary>Per class: the number of samples of that class.</summary>
    public IReadOnlyList<int> Support => _support;

    /// <summary>The mean of <see cref="Precision"/> over every class.</summary>
    public double MacroPrecision { get; }

    /// <summary>The mean of <see cref="Recall"/> over every class.</summary>
    public double MacroRecall { get; }

    /// <summary>The mean of <see cref="F1"/> over every class (not the F1 of the macro precision and recall).</summary>
    public double MacroF1 { get; }

    /// <summary>The mean of <see cref="Precision"/> weighted by <see cref="Support"/>.</summary>
    public double WeightedPrecision { get; }

    /// <summary>The mean of <see cref="Recall"/> weighted by <see cref="Support"/> (equals <see cref="Accuracy"/>).</summary>
    public double WeightedRecall { get; }

    /// <summary>The mean of <see cref="F1"/> weighted by <see cref="Support"/>.</summary>
    public double WeightedF1 { get; }

    /// <summary>scikit-learn's <c>classification_report</c> table, then top-k accuracy and (up to 20 classes) the confusion matrix.</summary>
    public override string ToString()
    {
        var names = new string[Classes];
        int nameWidth = "weighted avg".Length;
        for (int c = 0; c < Classes; c++)
        {
            names[c] = _classNames is not null && c < _classNames.Count ? _classNames[c] : c.ToString(CultureInfo.InvariantCulture);
            nameWidth = Math.Max(nameWidth, names[c].Length);
        }

        var text = new StringBuilder();
        text.Append(' ', nameWidth).Append("  precision    recall  f1-score   support\n\n");
        for (int c = 0; c < Classes; c++)
        {
            Row(names[c], _precision[c], _recall[c], _f1[c], _support[c]);
        }

        text.Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"{"accuracy".PadLeft(nameWidth)}{"",21}{Accuracy,10:F4}{Count,10}\n");
        Row("macro avg", MacroPrecision, MacroRecall, MacroF1, Count);
        Row("weighted avg", WeightedPrecision, WeightedRecall, WeightedF1, Count);
        text.Append(CultureInfo.InvariantCulture, $"{$"top-{TopK} acc".PadLeft(nameWidth)}{"",21}{TopKAccuracy,10:F4}{Count,10}\n");
        if (Classes <= 20)
        {
            text.Append("\nconfusion matrix (rows: true class, columns: predicted)\n");
            int cell = 1;
            foreach (int value in _confusion)
            {
                cell = Math.Max(cell, value.ToString(CultureInfo.InvariantCulture).Length);
            }

            for (int c = 0; c < Classes; c++)
            {
                text.Append(names[c].PadLeft(nameWidth));
                for (int p = 0; p < Classes; p++)
                {
                    text.Append(' ').Append(_confusion[c * Classes + p].ToString(CultureInfo.InvariantCulture).PadLeft(cell));
                }

                text.Append('\n');
            }
        }

        return text.ToString();

        void Row(string name, double precision, double recall, double f1, int support) =>
            text.Append(CultureInfo.InvariantCulture, $"{name.PadLeft(nameWidth)}{precision,11:F4}{recall,10:F4}{f1,10:F4}{support,10}\n");
    }

    private static double Mean(double[] values, int[]? weights)
    {
        double sum = 0, total = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double weight = weights is null ? 1 : weights[i];
            sum += weight * values[i];
            total += weight;
        }

        return total == 0 ? 0 : sum / total;
    }
}

/// <summary>
/// A binary classifier (one probability per sample) against labels 0 and 1: ROC AUC over every threshold, and the
/// confusion counts, precision, recall and F1 at <see cref="Threshold"/> (scikit-learn's definitions with
/// <c>zero_division=0</c>).
/// </summary>
public sealed class BinaryReport
{
    internal BinaryReport(int truePositives, int falsePositives, int trueNegatives, int falseNegatives, float threshold, double rocAuc)
    {
        TruePositives = truePositives;
        FalsePositives = falsePositives;
        TrueNegatives = trueNegatives;
        FalseNegatives = falseNegatives;
        Threshold = threshold;
        RocAuc = rocAuc;
    }

    /// <summary>The number of samples.</summary>
    public int Count => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    /// <summary>Samples predicted positive (score ≥ <see cref="Threshold"/>) whose label is 1.</summary>
    public int TruePositives { get; }

    /// <summary>Samples predicted positive whose label is 0.</summary>
    public int FalsePositives { get; }

    /// <summary>Samples predicted negative whose label is 0.</summary>
    public int TrueNegatives { get; }

    /// <summary>Samples predicted negative whose label is 1.</summary>
    public int FalseNegatives { get; }

    /// <summary>A score at least this is predicted positive.</summary>
    public float Threshold { get; }

    /// <summary>The area under the ROC curve, exact with ties counting one half; NaN when the labels hold only one class.</summary>
    public double RocAuc { get; }

    /// <summary>The fraction of samples predicted right at <see cref="Threshold"/>.</summary>
    public double Accuracy => (double)(TruePositives + TrueNegatives) / Count;

    /// <summary>tp / (tp + fp); 0 when nothing is predicted positive.</summary>
    public double Precision => TruePositives + FalsePositives == 0 ? 0 : (double)TruePositives / (TruePositives + FalsePositives);

    /// <summary>tp / (tp + fn); 0 when no label is 1.</summary>
    public double Recall => TruePositives + FalseNegatives == 0 ? 0 : (double)TruePositives / (TruePositives + FalseNegatives);

    /// <summary>2·tp / (2·tp + fp + fn); 0 when there are no positives, predicted or true.</summary>
    public double F1 => TruePositives == 0 ? 0 : 2.0 * TruePositives / (2.0 * TruePositives + FalsePositives + FalseNegatives);

    /// <summary>The metrics in Keras's one-line form, then the confusion counts.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"auc: {RocAuc:F4} - accuracy: {Accuracy:F4} - precision: {Precision:F4} - recall: {Recall:F4} - f1: {F1:F4} (threshold {Threshold:G}; tp {TruePositives}, fp {FalsePositives}, tn {TrueNegatives}, fn {FalseNegatives}; {Count} samples)");
}

/// <summary>
/// A regressor against its targets, scikit-learn's <c>mean_absolute_error</c>, <c>mean_squared_error</c>,
/// <c>root_mean_squared_error</c> and <c>r2_score</c>. With several outputs each value is computed per output and then
/// averaged with equal weights (scikit-learn's default <c>multioutput="uniform_average"</c>); so RMSE is the mean of
/// each output's RMSE, not Keras's square root of the overall mean squared error (the two agree for one output).
/// </summary>
public sealed class RegressionReport
{
    private readonly double[] _mae, _mse, _rmse, _r2;

    internal RegressionReport(int count, double[] mae, double[] mse, double[] r2)
    {
        Count = count;
        _mae = mae;
        _mse = mse;
        _r2 = r2;
        _rmse = new double[mse.Length];
        for (int j = 0; j < mse.Length; j++)
        {
            _rmse[j] = Math.Sqrt(mse[j]);
        }

        MeanAbsoluteError = Mean(_mae);
        MeanSquaredError = Mean(_mse);
        RootMeanSquaredError = Mean(_rmse);
        R2 = Mean(_r2);
    }

    /// <summary>The number of samples.</summary>
    public int Count { get; }

    /// <summary>Outputs per sample.</summary>
    public int Outputs => _mae.Length;

    /// <summary>The mean of |output − target|.</summary>
    public double MeanAbsoluteError { get; }

    /// <summary>The mean of (output − target)².</summary>
    public double MeanSquaredError { get; }

    /// <summary>The square root of each output's mean squared error, averaged over outputs.</summary>
    public double RootMeanSquaredError { get; }

    /// <summary>
    /// 1 − SS_res / SS_tot per output, averaged over outputs: 1 for a perfect regressor, 0 for one that always predicts the
    /// targets' mean, negative for worse. An output whose targets are all equal counts 1 if predicted exactly, else 0
    /// (scikit-learn's <c>force_finite</c>).
    /// </summary>
    public double R2 { get; }

    /// <summary>Per output: <see cref="MeanAbsoluteError"/>.</summary>
    public IReadOnlyList<double> MeanAbsoluteErrorPerOutput => _mae;

    /// <summary>Per output: <see cref="RootMeanSquaredError"/>.</summary>
    public IReadOnlyList<double> RootMeanSquaredErrorPerOutput => _rmse;

    /// <summary>Per output: <see cref="R2"/>.</summary>
    public IReadOnlyList<double> R2PerOutput => _r2;

    /// <summary>Keras's one-line form: <c>mae: … - mse: … - rmse: … - r2: …</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"mae: {MeanAbsoluteError:F4} - mse: {MeanSquaredError:F4} - rmse: {RootMeanSquaredError:F4} - r2: {R2:F4} ({Count} samples, {Outputs} output{(Outputs == 1 ? "" : "s")})");

    private static double Mean(double[] values)
    {
        double sum = 0;
        foreach (double value in values)
        {
            sum += value;
        }

        return sum / values.Length;
    }
}
