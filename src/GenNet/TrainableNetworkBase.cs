using System;
using System.ComponentModel;
using System.Numerics.Tensors;
using System.Threading;
using GenNet.Kernels;
using GenNet.Losses;

namespace GenNet;

/// <summary>
/// What every trainable generated network shares besides <see cref="NetworkBase"/>: the gradient arena and the training
/// step, split by rows over threads. Each shard runs forward, loss and backward on its rows into its own scratch and
/// gradient arenas (shard 0 into the network's own), its gradient weighted by its share of the batch; the shards'
/// gradients are then added in shard order, so a fixed thread count gives the same bits every time. Weight penalties
/// (<see cref="AddRegularization"/>) are added after that, once per step.
/// </summary>
public abstract class TrainableNetworkBase : NetworkBase, ITrainableNetwork, IShardedStep
{
    private readonly float[] _gradients;
    private int _threads;
    private int _shards = 1; // how the last training step was split
    private int _shardBatchSize;
    private float[][] _shardScratch = []; // per shard after the first
    private float[][] _shardGradients = [];
    private float[] _shardOutputs = [];
    private int _outputParts = 1; // > 1: the last step split its large products by outputs over this many threads
    private int[][] _ownedRanges = []; // per part of a split by outputs: (offset, length) pairs of the parameters it owns
    private OptimizerParts? _optimizerParts;

    /// <summary>Sets up the parameter, gradient and scratch arenas that <see cref="NetworkBase.Layout"/> describes.</summary>
    protected TrainableNetworkBase()
        : base(trainable: true) => _gradients = new float[Sizes.ParameterCount];

    /// <inheritdoc/>
    public Span<float> Gradients => _gradients;

    /// <inheritdoc/>
    public int Threads
    {
        get => _threads;
        set => _threads = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Threads is 0 (automatic) or a positive count.");
    }

    /// <summary>
    /// How many shards the last training step ran in (1 before the first): <see cref="Threads"/> after the batch size, the
    /// processor count and <see cref="NetworkLayout.WholeBatch"/> capped it. Unlike the split that <see cref="Outputs"/>
    /// follows, a <c>Forward</c> call does not reset it.
    /// </summary>
    internal int LastStepShards { get; private set; } = 1;

    /// <summary>
    /// True when the last training step split its large products by outputs (<see cref="OutputSplit"/>) over
    /// <see cref="LastStepShards"/> threads rather than the batch by rows; <c>Fit</c> then takes the optimizer's step in
    /// the same parts (<see cref="StepOptimizerInParts"/>).
    /// </summary>
    internal bool LastStepSplitByOutputs => _outputParts > 1;

    /// <summary>How many products the last step split by outputs handed to the workers (the others were too small).</summary>
    internal int LastStepSplitProducts { get; private set; }

    /// <inheritdoc/>
    public override ReadOnlySpan<float> Outputs => _shards > 1 ? _shardOutputs.AsSpan(0, Sizes.OutputSize * _shardBatchSize) : base.Outputs;

    /// <summary>
    /// Keras's <c>class_weight</c> for labelled steps, one weight per class (set by <c>Fit</c> for its duration, checked
    /// there); null for none. Each sample's loss and loss gradient is multiplied by its label's weight, and the step's loss
    /// is the weighted sum over the batch divided by the batch size (Keras's "sum_over_batch_size" reduction).
    /// </summary>
    internal float[]? ClassWeights { get; set; }

    /// <summary>How many training steps have run since <see cref="RestartSteps"/>: what makes each step's dropout masks new.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected long TrainingStep { get; private set; }

    /// <summary>Forward, loss and backward for a batch with one label per sample; see <see cref="ITrainableNetwork"/>.</summary>
    public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batchSize)
    {
        NetworkLayout layout = Sizes;
        Check.Batch(layout.Name, inputs, batchSize, layout.InputSize);
        Check.Labels(layout.Name, labels, batchSize, classes: LossFunction.LabelClasses(layout.Loss, layout.OutputSize));
        return Train(inputs, labels, default, batchSize);
    }

    /// <summary>Forward, loss and backward for a batch with <c>OutputSize</c> targets per sample; see <see cref="ITrainableNetwork"/>.</summary>
    public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize)
    {
        NetworkLayout layout = Sizes;
        Check.Batch(layout.Name, inputs, batchSize, layout.InputSize);
        Check.PerSample(layout.Name, targets.Length, batchSize, layout.OutputSize, nameof(targets));
        return Train(inputs, default, targets, batchSize);
    }

    /// <summary>
    /// Runs the layers backwards from the gradient the loss left at the layout's gradient offset, filling
    /// <paramref name="gradients"/> (cleared first).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract void Backpropagate(ReadOnlySpan<float> inputs, Span<float> scratch, int batchSize, Span<float> gradients);

    /// <summary>
    /// Clears <paramref name="gradients"/> before <see cref="Backpropagate"/> accumulates into it (its first statement). In
    /// a step split by outputs the first split product has already cleared the network's own arena, each part its rows on
    /// the thread that accumulates into them, so the rows of one core's part do not cross to the other core and back;
    /// then this clears nothing.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected void ClearGradients(Span<float> gradients)
    {
        if (OutputSplit.TakeGradientsCleared() && gradients.Length == _gradients.Length &&
            System.Runtime.CompilerServices.Unsafe.AreSame(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(gradients), ref _gradients[0]))
        {
            return;
        }

        gradients.Clear();
    }

    /// <summary>
    /// Adds the gradient of the layers' weight penalties (<c>2λ·w</c> for <c>KernelRegularizerL2</c> or <c>BiasRegularizerL2</c> = λ) to
    /// <paramref name="gradients"/>, the whole batch's, and returns the penalty (<c>λ·Σw²</c>) that joins the step's loss.
    /// The training step calls it once, after the shards' gradients are summed; 0 and nothing added when no layer declares one.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected virtual float AddRegularization(Span<float> gradients) => 0f;

    /// <summary>Starts the count of training steps again (a new seed for dropout's masks).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected void RestartSteps() => TrainingStep = 0;

    private protected override void RecordOutputs(int start, int length)
    {
        _shards = 1;
        base.RecordOutputs(start, length);
    }

    private float Train(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, int batchSize)
    {
        Enter();
        try
        {
            return Step(inputs, labels, targets, batchSize);
        }
        finally
        {
            Exit();
        }
    }

    private float Step(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, int batchSize)
    {
        NetworkLayout layout = Sizes;
        _outputParts = layout.WholeBatch ? 1 : Sharding.OutputParts(batchSize, _threads, layout.FlopsPerSample, layout.ParameterCount);
        int shards = layout.WholeBatch || _outputParts > 1 ? 1 : Sharding.Count(batchSize, _threads, layout.FlopsPerSample);
        PrepareShards(shards, batchSize);
        LastStepShards = Math.Max(shards, _outputParts);
        RefreshKernelsIfStale(); // before the shards: they all read them
        float loss;
        if (_outputParts > 1)
        {
            // One shard, the whole batch, on this thread; Dense's products hand their parts to the workers, and the first of
            // them clears each part's rows of the gradient arena on the part's own thread (see ClearGradients).
            OutputSplit.Enter(_outputParts, _gradients, OwnedRanges(_outputParts));
            try
            {
                loss = WorkerPool.Run(this, 1, inputs, labels, targets);
            }
            finally
            {
                LastStepSplitProducts = OutputSplit.Exit();
            }
        }
        else
        {
            loss = WorkerPool.Run(this, shards, inputs, labels, targets);
        }

        TrainingStep++;
        for (int shard = 1; shard < shards; shard++)
        {
            TensorPrimitives.Add(_gradients, _shardGradients[shard], _gradients);
        }

        // The weight penalties belong to the whole batch's loss, not to a shard's rows: each shard's loss and gradient is
        // its share of the batch mean (scaled by count / batch above), so they sum to the mean's, and the penalty and its
        // gradient join that sum here, once per step, after the shards' gradients have been added into the network's own.
        // Added in a shard, they would count once per shard. The loss is the batch mean, as Keras's, so the penalty is
        // added as it is (Keras's loss + λ·Σw²), not scaled by the batch size.
        loss += AddRegularization(_gradients);

        if (shards == 1)
        {
            base.RecordOutputs(layout.OutputOffset * batchSize, layout.OutputSize * batchSize);
        }

        return loss;
    }

    // One shard's rows: forward, loss, backward. Returns its share of the batch's mean loss.
    float IShardedStep.RunShard(int shard, int shards, ReadOnlySpan<float> batchInputs, ReadOnlySpan<int> batchLabels, ReadOnlySpan<float> batchTargets)
    {
        NetworkLayout layout = Sizes;
        (int start, int count) = Sharding.Range(_shardBatchSize, shards, shard);
        Span<float> scratch = shard == 0
            ? Scratch(count)
            : _shardScratch[shard].AsSpan(0, count * layout.ScratchPerSample + layout.ScratchFixed);
        Span<float> gradients = shard == 0 ? _gradients : _shardGradients[shard];
        ReadOnlySpan<float> inputs = batchInputs.Slice(start * layout.InputSize, count * layout.InputSize);
        ReadOnlySpan<int> labels = batchLabels.IsEmpty ? batchLabels : batchLabels.Slice(start, count);
        ReadOnlySpan<float> targets = batchTargets.IsEmpty ? batchTargets : batchTargets.Slice(start * layout.OutputSize, count * layout.OutputSize);
        ReadOnlySpan<float> outputs = Propagate(inputs, scratch, count, training: true, firstSample: start);
        Span<float> outputGradient = scratch.Slice(layout.GradientOffset * count, layout.OutputSize * count);
        float loss = labels.IsEmpty
            ? LossFunction.Compute(layout.Loss, outputs, targets, outputGradient, layout.OutputSize)
            : LossFunction.Compute(layout.Loss, outputs, labels, outputGradient, layout.OutputSize);
        if (ClassWeights is { } classWeights && !labels.IsEmpty)
        {
            loss = WeightByClass(layout, outputs, labels, outputGradient, classWeights);
        }

        if (shards > 1)
        {
            float share = (float)count / _shardBatchSize;
            TensorPrimitives.Multiply(outputGradient, share, outputGradient);
            outputs.CopyTo(_shardOutputs.AsSpan(start * layout.OutputSize));
            loss *= share;
        }

        Backpropagate(inputs, scratch, count, gradients);
        return loss;
    }

    // Class weights on one shard's rows, where the loss gradient is formed: each sample's gradient row (a sample's loss
    // gradient touches only its own outputs) is scaled by its class's weight, and the loss becomes Σ wᵢ·lossᵢ / count with
    // lossᵢ the loss function's own value for that one sample. Sharded, the caller then scales both by count / batch, so
    // the shards sum to Σ wᵢ·lossᵢ / batch. Allocates nothing. The loss is computed a second time per sample (the batch's
    // unweighted loss above is discarded): LossFunction has no per-sample output yet; one would remove this second pass.
    private static float WeightByClass(NetworkLayout layout, ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, Span<float> outputGradient, float[] classWeights)
    {
        int width = layout.OutputSize;
        double sum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            float weight = classWeights[labels[i]];
            Span<float> row = outputGradient.Slice(i * width, width);
            TensorPrimitives.Multiply(row, weight, row);
            float sampleLoss = LossFunction.Compute(layout.Loss, outputs.Slice(i * width, width), labels.Slice(i, 1), Span<float>.Empty, width);
            sum += (double)weight * sampleLoss;
        }

        return (float)(sum / labels.Length);
    }

    // Arenas for the shards other than 0; they grow only when more shards or a larger batch arrive.
    private void PrepareShards(int shards, int batchSize)
    {
        _shards = shards;
        _shardBatchSize = batchSize;
        if (shards == 1)
        {
            return;
        }

        NetworkLayout layout = Sizes;
        int largest = (batchSize + shards - 1) / shards;
        int length = checked(largest * layout.ScratchPerSample + layout.ScratchFixed);
        Scratch(largest);
        if (_shardScratch.Length < shards)
        {
            Array.Resize(ref _shardScratch, shards);
            Array.Resize(ref _shardGradients, shards);
        }

        for (int shard = 1; shard < shards; shard++)
        {
            if (_shardScratch[shard] is null || _shardScratch[shard].Length < length)
            {
                _shardScratch[shard] = new float[length];
            }

            _shardGradients[shard] ??= new float[layout.ParameterCount];
        }

        if (_shardOutputs.Length < batchSize * layout.OutputSize)
        {
            _shardOutputs = new float[batchSize * layout.OutputSize];
        }
    }

    /// <summary>
    /// The optimizer's step after a step split by outputs: part k updates the rows of every parameter tensor that part k of
    /// the products computed (<see cref="OutputSplit.Boundary"/> on the tensor's first axis), on the thread that computed
    /// them, and checks them for NaN and infinity there. Returns false when a parameter is not finite. The same arithmetic
    /// per parameter as <see cref="Optimizer.Step(System.Span{float}, System.ReadOnlySpan{float})"/>; allocates nothing after the first call.
    /// </summary>
    internal bool StepOptimizerInParts(Optimizer optimizer)
    {
        int parts = _outputParts;
        OwnedRanges(parts);
        optimizer.BeginParts(Sizes.ParameterCount);
        ParametersChanged(); // before the parts write the arena on their threads, as ParametersToWrite does
        OptimizerParts work = _optimizerParts ??= new OptimizerParts(this);
        work.Optimizer = optimizer;
        float finiteParts;
        try
        {
            finiteParts = WorkerPool.Fork(work, parts);
        }
        finally
        {
            work.Optimizer = null;
        }

        optimizer.EndParts();
        ParametersWritten(); // and once the parts have written
        return finiteParts == parts;
    }

    // Each part's ranges of the parameters for a split into this many parts, made on the first call for that count.
    private int[][] OwnedRanges(int parts)
    {
        if (_ownedRanges.Length != parts)
        {
            _ownedRanges = OwnedRanges(Sizes.ParameterTensors, Sizes.ParameterCount, parts);
        }

        return _ownedRanges;
    }

    // Part k's (offset, length) ranges of the parameters, adjacent ones merged. Where the tensors do not tile the arena
    // exactly (a gap, or two tensors sharing floats), part 0 owns all of it, so every parameter is still stepped once.
    internal static int[][] OwnedRanges(System.Collections.Generic.IReadOnlyList<ParameterTensor> tensors, int parameterCount, int parts)
    {
        var ranges = new System.Collections.Generic.List<int>[parts];
        for (int part = 0; part < parts; part++)
        {
            ranges[part] = [];
        }

        int[] starts = new int[tensors.Count], ends = new int[tensors.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            (starts[i], ends[i]) = (tensors[i].Offset, tensors[i].Offset + tensors[i].Length);
        }

        Array.Sort(starts, ends);
        bool tiled = tensors.Count > 0 && starts[0] == 0 && ends[^1] == parameterCount;
        for (int i = 1; tiled && i < starts.Length; i++)
        {
            tiled = starts[i] == ends[i - 1];
        }

        if (!tiled)
        {
            ranges[0].AddRange([0, parameterCount]);
            tensors = [];
        }

        foreach (ParameterTensor tensor in tensors)
        {
            int rows = tensor.Shape.Count == 0 ? 1 : tensor.Shape[0];
            int rowLength = rows == 0 ? 0 : tensor.Length / rows;
            for (int part = 0; part < parts; part++)
            {
                int start = OutputSplit.Boundary(rows, parts, part) * rowLength;
                int length = OutputSplit.Boundary(rows, parts, part + 1) * rowLength - start;
                if (length == 0)
                {
                    continue;
                }

                var list = ranges[part];
                if (list.Count > 0 && list[^2] + list[^1] == tensor.Offset + start)
                {
                    list[^1] += length;
                }
                else
                {
                    list.Add(tensor.Offset + start);
                    list.Add(length);
                }
            }
        }

        return Array.ConvertAll(ranges, list => list.ToArray());
    }

    // The optimizer's step as parallel work: 1 from a part whose parameters are all finite, else 0.
    private sealed class OptimizerParts(TrainableNetworkBase network) : IParallelWork
    {
        public Optimizer? Optimizer;

        public float RunPart(int part, int parts)
        {
            int[] ranges = network._ownedRanges[part];
            Span<float> parameters = network.ParameterArena;
            ReadOnlySpan<float> gradients = network._gradients;
            bool finite = true;
            for (int i = 0; i < ranges.Length; i += 2)
            {
                Span<float> range = parameters.Slice(ranges[i], ranges[i + 1]);
                finite &= Optimizer!.UpdatePart(range, gradients.Slice(ranges[i], ranges[i + 1]), ranges[i]);
            }

            return finite ? 1f : 0f;
        }
    }
}
