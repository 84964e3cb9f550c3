using System;
using System.Collections.Generic;

namespace GenNet;

/// <summary>
/// Options of Keras's <c>fit</c> beyond the common arguments (validation split, class weights, metrics), for the
/// <see cref="NetworkTraining.Fit(ITrainableNetwork, Dataset, Optimizer, int, FitOptions, System.Collections.Generic.IReadOnlyList{Callback}?, int, Dataset?, bool, int, Verbosity, IProgress{EpochReport}?, System.Threading.CancellationToken)"/> overload.
/// </summary>
public sealed class FitOptions
{
    private readonly double _validationSplit;

    /// <summary>
    /// Keras's <c>validation_split</c>: the fraction of the training samples held out as validation data, strictly between 0
    /// and 1, or 0 (the default) for none. As in Keras, the held-out samples are the LAST ones of the dataset, taken before
    /// any shuffling: the first <c>⌊Count · (1 − split)⌋</c> samples are trained on (Keras's <c>floor</c>) and the remaining
    /// <c>Count − ⌊Count · (1 − split)⌋</c> are never trained on, but evaluated after every epoch like an explicit validation
    /// dataset. Both parts must be non-empty. Cannot be combined with an explicit validation dataset. Fit copies the dataset's
    /// two parts once per call (<see cref="Dataset"/> has no views).
    /// </summary>
    public double ValidationSplit
    {
        get => _validationSplit;
        init => _validationSplit = value == 0 || (value > 0 && value < 1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "ValidationSplit is 0 (none) or strictly between 0 and 1.");
    }

    /// <summary>
    /// Keras's <c>class_weight</c>: one weight per class of a labelled (sparse-label) dataset, indexed by label, as many as
    /// the network takes classes; null (the default) for none. Each training sample's loss and loss gradient is multiplied
    /// by its class's weight, and a batch's loss is the weighted sum divided by the number of samples in the batch — Keras
    /// turns <c>class_weight</c> into per-sample weights and reduces with its default "sum_over_batch_size". So a weight of 1
    /// everywhere gives the unweighted gradients and a weight of 0 removes a class's samples from the gradient (they still
    /// count in the batch size). The reported training loss is the weighted one; validation is not weighted (as in Keras).
    /// Weights must be finite and non-negative; targets (a dataset without labels) are refused.
    /// </summary>
    public IReadOnlyList<float>? ClassWeight { get; init; }

    /// <summary>
    /// Keras's <c>metrics=[...]</c>: metrics computed every epoch on the training data (from each step's outputs, while the
    /// weights change, as Keras measures them) and on the validation data, recorded in <see cref="EpochReport.MetricValues"/>
    /// as <c>"f1"</c> and <c>"val_f1"</c>, printed in the epoch line, written by <see cref="History.SaveCsv"/> and monitorable
    /// by callbacks. For example <c>[Metric.F1, Metric.TopKAccuracy(3)]</c> for a softmax classifier, <c>[Metric.Auc]</c> for
    /// one sigmoid output, <c>[Metric.MeanAbsoluteError, Metric.RootMeanSquaredError]</c> for a regression. Loss and accuracy
    /// are always recorded. A metric that does not fit the network's output, a null entry or a name given twice is an
    /// <see cref="ArgumentException"/> before any step runs. Null or empty (the default) for none.
    /// </summary>
    public IReadOnlyList<Metric>? Metrics { get; init; }
}
