using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Diagnostics;
using System.IO;
using System.Threading;
using GenNet.Losses;

namespace GenNet;

/// <summary>Keras's fit, evaluate and predict for every generated network.</summary>
public static class NetworkTraining
{
    /// <summary>
    /// Trains for <paramref name="epochs"/> passes over <paramref name="train"/> in batches of <paramref name="batchSize"/>
    /// (the last, partial batch is trained on too), shuffled per epoch by <paramref name="seed"/>, and evaluates on
    /// <paramref name="validation"/> after each epoch.
    /// </summary>
    /// <param name="network">The network; its parameters should be initialised (<c>InitializeParameters</c>) or loaded.</param>
    /// <param name="train">Samples with labels or targets matching the network.</param>
    /// <param name="optimizer">Updates the parameters after each batch.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="batchSize">Samples per step.</param>
    /// <param name="validation">Evaluated after each epoch, when given.</param>
    /// <param name="shuffle">Shuffle the samples anew each epoch.</param>
    /// <param name="seed">Fixes the shuffling: the same seed, data and initial parameters give the same result.</param>
    /// <param name="verbosity">Console output; <see cref="Verbosity.Auto"/> shows a bar on an interactive console, lines otherwise.</param>
    /// <param name="progress">Receives each epoch's report, for applications.</param>
    /// <param name="cancellationToken">Stops training after the current batch; the History so far is returned.</param>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public static History Fit(
        this ITrainableNetwork network,
        Dataset train,
        Optimizer optimizer,
        int epochs,
        int batchSize = 32,
        Dataset? validation = null,
        bool shuffle = true,
        int seed = 0,
        Verbosity verbosity = Verbosity.Auto,
        IProgress<EpochReport>? progress = null,
        CancellationToken cancellationToken = default) =>
        Fit(network, train, optimizer, epochs, batchSize, validation, shuffle, seed, ConsoleProgress.For(verbosity), progress, cancellationToken);

    /// <summary>
    /// <see cref="Fit(ITrainableNetwork, Dataset, Optimizer, int, int, Dataset?, bool, int, Verbosity, IProgress{EpochReport}?, CancellationToken)"/>
    /// with Keras's callbacks (<see cref="EarlyStopping"/>, <see cref="ModelCheckpoint"/>, <see cref="ReduceLROnPlateau"/>
    /// or your own <see cref="Callback"/>): each one's <see cref="Callback.OnTrainBegin"/> runs before the first epoch, its
    /// <see cref="Callback.OnEpochEnd"/> after every epoch in the order given (training stops after the epoch when any
    /// returns true; <see cref="History.StoppedEarly"/> records it), and its <see cref="Callback.OnTrainEnd"/> once training ends.
    /// </summary>
    /// <param name="network">The network; its parameters should be initialised (<c>InitializeParameters</c>) or loaded.</param>
    /// <param name="train">Samples with labels or targets matching the network.</param>
    /// <param name="optimizer">Updates the parameters after each batch.</param>
    /// <param name="epochs">Passes over the data, at most.</param>
    /// <param name="callbacks">Run in order, per epoch; never per step.</param>
    /// <param name="batchSize">Samples per step.</param>
    /// <param name="validation">Evaluated after each epoch, when given; needed by a callback monitoring a <c>val_</c> value.</param>
    /// <param name="shuffle">Shuffle the samples anew each epoch.</param>
    /// <param name="seed">Fixes the shuffling.</param>
    /// <param name="verbosity">Console output.</param>
    /// <param name="progress">Receives each epoch's report, before the callbacks see it.</param>
    /// <param name="cancellationToken">Stops training after the current batch; the callbacks' OnTrainEnd still runs.</param>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">A callback refuses the run, such as a <c>val_</c> monitor without <paramref name="validation"/>.</exception>
    public static History Fit(
        this ITrainableNetwork network,
        Dataset train,
        Optimizer optimizer,
        int epochs,
        IReadOnlyList<Callback> callbacks,
        int batchSize = 32,
        Dataset? validation = null,
        bool shuffle = true,
        int seed = 0,
        Verbosity verbosity = Verbosity.Auto,
        IProgress<EpochReport>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callbacks);
        CheckCallbacks(callbacks);
        return Fit(network, train, optimizer, epochs, batchSize, validation, shuffle, seed, ConsoleProgress.For(verbosity), progress, cancellationToken, callbacks);
    }

    /// <summary>
    /// <see cref="Fit(ITrainableNetwork, Dataset, Optimizer, int, IReadOnlyList{Callback}, int, Dataset?, bool, int, Verbosity, IProgress{EpochReport}?, CancellationToken)"/>
    /// with Keras's further <c>fit</c> options (<see cref="FitOptions"/>): <see cref="FitOptions.ValidationSplit"/> and <see cref="FitOptions.ClassWeight"/>.
    /// </summary>
    /// <param name="network">The network; its parameters should be initialised (<c>InitializeParameters</c>) or loaded.</param>
    /// <param name="train">Samples with labels or targets matching the network.</param>
    /// <param name="optimizer">Updates the parameters after each batch.</param>
    /// <param name="epochs">Passes over the data, at most.</param>
    /// <param name="options">Validation split and class weights.</param>
    /// <param name="callbacks">Run in order, per epoch, when given.</param>
    /// <param name="batchSize">Samples per step.</param>
    /// <param name="validation">Evaluated after each epoch, when given; not together with <see cref="FitOptions.ValidationSplit"/>.</param>
    /// <param name="shuffle">Shuffle the (trained-on) samples anew each epoch.</param>
    /// <param name="seed">Fixes the shuffling.</param>
    /// <param name="verbosity">Console output.</param>
    /// <param name="progress">Receives each epoch's report.</param>
    /// <param name="cancellationToken">Stops training after the current batch.</param>
    /// <exception cref="ArgumentException">Both a validation split and a validation dataset, a split leaving a part empty, or class weights of the wrong count, negative or NaN, or for a dataset without labels.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public static History Fit(
        this ITrainableNetwork network,
        Dataset train,
        Optimizer optimizer,
        int epochs,
        FitOptions options,
        IReadOnlyList<Callback>? callbacks = null,
        int batchSize = 32,
        Dataset? validation = null,
        bool shuffle = true,
        int seed = 0,
        Verbosity verbosity = Verbosity.Auto,
        IProgress<EpochReport>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        if (options.ValidationSplit > 0)
        {
            if (validation is not null)
            {
                throw new ArgumentException(
                    "Give either a validation dataset or FitOptions.ValidationSplit, not both (Keras's validation_data would silently override the split).", nameof(validation));
            }

            (train, validation) = SplitOffValidation(train, options.ValidationSplit);
        }

        TrainableNetworkBase? weighted = options.ClassWeight is null ? null : CheckClassWeights(network, train, options.ClassWeight);
        if (weighted is not null)
        {
            weighted.ClassWeights = [.. options.ClassWeight!];
        }

        EpochMetrics.Check(options.Metrics);
        CheckCallbacks(callbacks);
        try
        {
            return Fit(network, train, optimizer, epochs, batchSize, validation, shuffle, seed, ConsoleProgress.For(verbosity), progress, cancellationToken, callbacks, options.Metrics);
        }
        finally
        {
            if (weighted is not null)
            {
                weighted.ClassWeights = null; // the weights belong to this call only
            }
        }
    }

    private static void CheckCallbacks(IReadOnlyList<Callback>? callbacks)
    {
        for (int i = 0; i < callbacks?.Count; i++)
        {
            if (callbacks[i] is null)
            {
                throw new ArgumentException($"callbacks[{i}] is null.", nameof(callbacks));
            }
        }
    }

    private static TrainableNetworkBase CheckClassWeights(ITrainableNetwork network, Dataset train, IReadOnlyList<float> weights)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network is not TrainableNetworkBase generated)
        {
            throw new ArgumentException($"ClassWeight needs a generated network; {network.GetType().Name} is not one.", nameof(network));
        }

        if (!train.HasLabels)
        {
            throw new ArgumentException("ClassWeight applies to a dataset with class labels; this one has float targets.", "options");
        }

        int classes = LossFunction.LabelClasses(network.Loss, network.OutputSize);
        if (weights.Count != classes)
        {
            throw new ArgumentException($"ClassWeight has {weights.Count} weights, but {network.GetType().Name} takes {classes} classes: give one weight per class.", "options");
        }

        for (int i = 0; i < weights.Count; i++)
        {
            if (!(weights[i] >= 0) || float.IsInfinity(weights[i]))
            {
                throw new ArgumentException($"ClassWeight[{i}] is {weights[i]}; a class weight is finite and not negative.", "options");
            }
        }

        return generated;
    }

    /// <summary>Keras's split: the first ⌊n·(1 − split)⌋ samples train, the rest (the last ones, unshuffled) validate.</summary>
    internal static (Dataset Train, Dataset Validation) SplitOffValidation(Dataset dataset, double split)
    {
        int trainCount = (int)Math.Floor(dataset.Count * (1.0 - split));
        if (trainCount == 0 || trainCount == dataset.Count)
        {
            throw new ArgumentException(
                $"A validation split of {split} of {dataset.Count} samples leaves {(trainCount == 0 ? "no training" : "no validation")} samples.", "options");
        }

        int[] indices = new int[dataset.Count];
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = i;
        }

        return (dataset.Subset(indices.AsSpan(0, trainCount)), dataset.Subset(indices.AsSpan(trainCount)));
    }

    internal static History Fit(
        ITrainableNetwork network, Dataset train, Optimizer optimizer, int epochs, int batchSize, Dataset? validation, bool shuffle, int seed,
        ConsoleProgress? console, IProgress<EpochReport>? progress, CancellationToken cancellationToken, IReadOnlyList<Callback>? callbacks = null,
        IReadOnlyList<Metric>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        CheckCompatible(network, train, nameof(train));
        if (validation is not null)
        {
            CheckCompatible(network, validation, nameof(validation));
        }

        // The metrics' states, allocated once for the call: a metric that does not fit the network is refused here.
        EpochMetrics? trainMetrics = EpochMetrics.Create(metrics, network, train, validation: false);
        EpochMetrics? validationMetrics = validation is null ? null : EpochMetrics.Create(metrics, network, validation, validation: true);
        string[] metricNames = trainMetrics?.Names ?? [];
        callbacks ??= [];
        foreach (Callback callback in callbacks)
        {
            if (callback is IMonitoringCallback monitoring)
            {
                monitoring.CheckMonitorComputed(metricNames);
            }

            callback.OnTrainBegin(network, optimizer, hasValidation: validation is not null);
        }

        var batches = new BatchIterator(train, batchSize, shuffle, seed);
        var history = new History { MetricNames = metricNames };
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            long started = Stopwatch.GetTimestamp();
            batches.BeginEpoch(epoch - 1);
            console?.BeginEpoch(epoch, epochs, batches.BatchCount);
            EpochTotals totals = TrainEpoch(network, optimizer, batches, epoch, console, cancellationToken, trainMetrics);
            if (totals.Cancelled)
            {
                history.Cancelled = true;
                break;
            }

            Evaluation? validated = validation is null ? null : Evaluate(network, validation, 256, validationMetrics);
            Dictionary<string, double>? values = null;
            if (trainMetrics is not null)
            {
                values = [];
                trainMetrics.AddResults(values);
                validationMetrics?.AddResults(values);
            }

            var report = new EpochReport(
                epoch, epochs, totals.Loss / totals.Samples, totals.Accuracy,
                validated?.Loss, validated?.Accuracy, Stopwatch.GetElapsedTime(started).TotalSeconds)
            {
                MetricValues = values ?? EpochReport.NoMetrics,
            };
            history.Add(report);
            console?.EndEpoch(report);
            progress?.Report(report);
            bool stop = false;
            foreach (Callback callback in callbacks)
            {
                stop |= callback.OnEpochEnd(report); // every callback sees every epoch, even one another stops
            }

            if (stop)
            {
                if (epoch < epochs)
                {
                    history.StoppedEpoch = epoch;
                }

                break;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                history.Cancelled = true;
                break;
            }
        }

        foreach (Callback callback in callbacks)
        {
            callback.OnTrainEnd(history);
        }

        return history;
    }

    internal readonly record struct EpochTotals(double Loss, long Samples, long Correct, long AccuracyUnits, bool Cancelled)
    {
        public double? Accuracy => AccuracyUnits > 0 ? (double)Correct / AccuracyUnits : null;
    }

    /// <summary>One epoch of steps over batches already positioned by <see cref="BatchIterator.BeginEpoch"/>. Allocates nothing.</summary>
    internal static EpochTotals TrainEpoch(
        ITrainableNetwork network, Optimizer optimizer, BatchIterator batches, int epoch, ConsoleProgress? console, CancellationToken cancellationToken,
        EpochMetrics? metrics = null)
    {
        metrics?.Reset();
        double lossSum = 0;
        long samples = 0, correct = 0, units = 0;
        int width = network.OutputSize;
        // After a step split by outputs, the next batch's copy is split over the same threads (the batch is the same).
        while (!cancellationToken.IsCancellationRequested &&
               batches.MoveNext(network is TrainableNetworkBase { LastStepSplitByOutputs: true } split ? split.LastStepShards : 1))
        {
            int size = batches.Size;
            bool labelled = !batches.Labels.IsEmpty;
            float loss = labelled
                ? network.ComputeGradients(batches.Inputs, batches.Labels, size)
                : network.ComputeGradients(batches.Inputs, batches.Targets, size);
            if (!float.IsFinite(loss))
            {
                throw Diverged($"The loss became {loss}");
            }

            // After a step split by outputs, each core steps (and checks) the parameters whose rows it computed.
            bool finite = network is TrainableNetworkBase { LastStepSplitByOutputs: true } splitStep && optimizer.UpdatesInParts
                ? splitStep.StepOptimizerInParts(optimizer)
                : optimizer.StepAndCheckFinite(network);
            if (!finite) // a NaN or infinite gradient makes a parameter so too
            {
                throw Diverged(TensorPrimitives.IsFiniteAll<float>(network.Gradients)
                    ? $"A parameter became {NonFinite(network.ParameterValues)} in the optimizer's step (loss {loss})"
                    : $"A gradient became {NonFinite(network.Gradients)} (loss {loss})");
            }

            TrainingDivergedException Diverged(string what) =>
                new(epoch, batches.BatchIndex + 1, loss, what, batches.BatchIndex * batches.BatchSize, size, batches.Shuffles);
            lossSum += (double)loss * size;
            samples += size;
            int right = labelled
                ? Metrics.Correct(network.Outputs, batches.Labels, width)
                : Metrics.Correct(network.Loss, network.Outputs, batches.Targets, width);
            if (right >= 0)
            {
                correct += right;
                units += (long)size * Metrics.AccuracyUnitsPerSample(network.Loss, width, labelled);
            }

            metrics?.Add(network.Outputs, batches.Labels, batches.Targets, size); // the outputs of this step, as the accuracy
            console?.Batch(batches.BatchIndex + 1, lossSum / samples, units > 0 ? (double)correct / units : null);
        }

        // Cancelled before its end: an epoch whose last batch ran is reported, and Fit stops after it.
        bool stoppedEarly = cancellationToken.IsCancellationRequested && batches.BatchIndex + 1 < batches.BatchCount;
        return new EpochTotals(lossSum, samples, correct, units, Cancelled: stoppedEarly);
    }

    private static float NonFinite(ReadOnlySpan<float> values)
    {
        foreach (float value in values)
        {
            if (!float.IsFinite(value))
            {
                return value;
            }
        }

        return 0;
    }

    /// <summary>
    /// The mean loss over <paramref name="dataset"/> (plus the layers' weight penalties, <c>KernelRegularizerL2</c>, as Keras
    /// reports it) and, where it applies, the accuracy. Parameters are not changed.
    /// </summary>
    public static Evaluation Evaluate(this INetwork network, Dataset dataset, int batchSize = 256) => Evaluate(network, dataset, batchSize, metrics: null);

    /// <summary>Evaluate, feeding each batch's outputs to <paramref name="metrics"/> (reset first) too.</summary>
    internal static Evaluation Evaluate(INetwork network, Dataset dataset, int batchSize, EpochMetrics? metrics)
    {
        ArgumentNullException.ThrowIfNull(network);
        metrics?.Reset();
        CheckCompatible(network, dataset, nameof(dataset));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var batches = new BatchIterator(dataset, batchSize, shuffle: false);
        var outputs = new float[batches.BatchSize * network.OutputSize];
        int width = network.OutputSize;
        double lossSum = 0;
        long correct = 0, units = 0;
        while (batches.MoveNext())
        {
            int size = batches.Size;
            Span<float> batchOutputs = outputs.AsSpan(0, size * width);
            network.Forward(batches.Inputs, batchOutputs, size);
            metrics?.Add(batchOutputs, batches.Labels, batches.Targets, size);
            if (dataset.HasLabels)
            {
                lossSum += (double)LossFunction.Compute(network.Loss, batchOutputs, batches.Labels, Span<float>.Empty, width) * size;
                correct += Metrics.Correct(batchOutputs, batches.Labels, width);
                units += size;
            }
            else
            {
                lossSum += (double)LossFunction.Compute(network.Loss, batchOutputs, batches.Targets, Span<float>.Empty, width) * size;
                int right = Metrics.Correct(network.Loss, batchOutputs, batches.Targets, width);
                if (right >= 0)
                {
                    correct += right;
                    units += (long)size * Metrics.AccuracyUnitsPerSample(network.Loss, width, labels: false);
                }
            }
        }

        // The layers' weight penalties (KernelRegularizerL2) belong to the loss, as in Keras's evaluate; the parameters do
        // not change here, so the penalty is the same for every batch and is added to the mean once.
        double penalty = network is NetworkBase generated ? generated.Penalty : 0;
        return new Evaluation(lossSum / dataset.Count + penalty, units > 0 ? (double)correct / units : null, dataset.Count);
    }

    /// <summary>The outputs for one sample, in a new array. <c>Forward</c> writes into a span of yours instead.</summary>
    public static float[] Predict(this INetwork network, ReadOnlySpan<float> input)
    {
        ArgumentNullException.ThrowIfNull(network);
        var output = new float[network.OutputSize];
        network.Forward(input, output);
        return output;
    }

    /// <summary>The outputs for every sample of <paramref name="dataset"/>, [Count, OutputSize] row-major.</summary>
    public static float[] Predict(this INetwork network, Dataset dataset, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(network);
        CheckFeatures(network, dataset, nameof(dataset));
        var outputs = new float[(long)dataset.Count * network.OutputSize];
        var batches = new BatchIterator(dataset, batchSize, shuffle: false);
        int done = 0;
        while (batches.MoveNext())
        {
            network.Forward(batches.Inputs, outputs.AsSpan(done * network.OutputSize, batches.Size * network.OutputSize), batches.Size);
            done += batches.Size;
        }

        return outputs;
    }

    /// <summary>The predicted class of one sample: the arg-max output, or for a single output whether it is ≥ 0.5. Allocates nothing.</summary>
    public static int PredictClass(this INetwork network, ReadOnlySpan<float> input)
    {
        ArgumentNullException.ThrowIfNull(network);
        Span<float> output = network.OutputSize <= 1024 ? stackalloc float[network.OutputSize] : new float[network.OutputSize];
        network.Forward(input, output);
        return Metrics.PredictedClass(output);
    }

    internal static void CheckFeatures(INetwork network, Dataset dataset, string name)
    {
        ArgumentNullException.ThrowIfNull(dataset, name);
        if (dataset.SampleSize != network.InputSize)
        {
            throw new ArgumentException(
                $"{network.GetType().Name} takes {network.InputSize} input floats per sample, but the {name} samples have shape [{string.Join(", ", dataset.SampleShape)}] = {dataset.SampleSize}.", name);
        }
    }

    private static void CheckCompatible(INetwork network, Dataset dataset, string name)
    {
        CheckFeatures(network, dataset, name);
        string type = network.GetType().Name;
        if (dataset.HasLabels)
        {
            int classes = LossFunction.LabelClasses(network.Loss, network.OutputSize);
            if (dataset.ClassCount > classes)
            {
                throw new ArgumentException(
                    $"The {name} labels go up to {dataset.ClassCount - 1}, but {type} has {network.OutputSize} output{(network.OutputSize == 1 ? "" : "s")} and takes labels 0 to {classes - 1}.", name);
            }
        }
        else if (dataset.TargetWidth != network.OutputSize)
        {
            throw new ArgumentException($"The {name} samples have {dataset.TargetWidth} targets each, but {type} has {network.OutputSize} outputs.", name);
        }
    }
}
