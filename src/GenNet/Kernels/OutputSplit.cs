using System;

namespace GenNet.Kernels;

/// <summary>
/// The second way a training step uses several cores (<see cref="TrainableNetworkBase"/> picks it for networks whose
/// weights outweigh their work per step, such as an MLP at small batches): the batch stays whole, and each large dense
/// product is split by its outputs instead. Part <c>p</c> of every product runs on the same thread step after step
/// (<see cref="WorkerPool.Fork"/>: part 0 on the caller, part k on worker k) and computes, for its rows of the weight
/// matrix, the forward outputs, the weight and bias gradients and its share of <c>dx</c>; the optimizer step is split
/// along the same rows (<see cref="Boundary"/>), so the weights, their gradients and the optimizer's moments stay in one
/// core's cache and only activations (a batch × a part's outputs) cross between cores.
/// </summary>
/// <remarks>
/// While a step runs split, <see cref="Enter"/> marks the calling thread and <see cref="Dense"/>'s three products ask
/// <see cref="TryForward"/>, <see cref="TryBackwardWeights"/>, <see cref="TryBackwardInput"/> first; products too small to
/// pay for a hand-off (<see cref="MinMultiplyAdds"/>) or with too few outputs run whole on the caller. Each part's result
/// goes to a buffer of its own and is copied into place; the parts' shares of <c>dx</c> are added in part order, so a fixed
/// thread count gives the same bits every time. Buffers grow only when a larger product arrives.
/// </remarks>
internal static class OutputSplit
{
    /// <summary>Multiply-adds (batch × inputs × outputs) below which a product runs whole on the caller.</summary>
    internal const long MinMultiplyAdds = 1 << 16;

    /// <summary>Parts start at multiples of this many outputs (one 512-bit vector), so each keeps the kernels' tiling.</summary>
    internal const int Granularity = 16;

    [ThreadStatic]
    private static int t_parts;

    [ThreadStatic]
    private static Job? t_job;

    [ThreadStatic]
    private static int t_splitProducts;

    /// <summary>The parts the calling thread's products split into: 0 or 1 when it is not in a split step.</summary>
    internal static int Parts => t_parts;

    /// <summary>
    /// Marks the calling thread as running a step split into <paramref name="parts"/>; <see cref="Exit"/> ends it. With
    /// <paramref name="gradients"/> and <paramref name="ownedRanges"/> (each part's (offset, length) pairs, together the whole
    /// arena), the first product split in the step also clears the gradient arena, each part its own ranges on its own
    /// thread, and <see cref="TakeGradientsCleared"/> then says so.
    /// </summary>
    internal static void Enter(int parts, float[]? gradients = null, int[][]? ownedRanges = null)
    {
        t_parts = parts;
        t_splitProducts = 0;
        Job job = t_job ??= new Job();
        job.ClearFirst(gradients, ownedRanges);
    }

    /// <summary>Ends the split that <see cref="Enter"/> began and returns how many products it split.</summary>
    internal static int Exit()
    {
        t_parts = 0;
        t_job?.ClearFirst(null, null);
        return t_splitProducts;
    }

    /// <summary>
    /// True when a product split since <see cref="Enter"/> has cleared the gradient arena in parts; either way, no later
    /// product clears it (the backward pass is about to accumulate into it).
    /// </summary>
    internal static bool TakeGradientsCleared() => t_job?.TakeCleared() ?? false;

    /// <summary>
    /// The first output (or row of a parameter tensor with <paramref name="rows"/> rows) of part <paramref name="part"/>:
    /// an even split rounded to <see cref="Granularity"/>, with <c>Boundary(rows, parts, parts) = rows</c>. A tensor with
    /// fewer than <see cref="Granularity"/> rows per part is not split: part 0 owns all of it.
    /// </summary>
    internal static int Boundary(int rows, int parts, int part)
    {
        if (part >= parts)
        {
            return rows;
        }

        if (rows < parts * Granularity)
        {
            return part == 0 ? 0 : rows;
        }

        return (int)((long)rows * part / parts) / Granularity * Granularity;
    }

    private static bool Splits(int batchSize, int inputs, int outputs, out int parts)
    {
        parts = t_parts;
        return parts > 1 && outputs >= parts * Granularity && (long)batchSize * inputs * outputs >= MinMultiplyAdds;
    }

    /// <summary><see cref="Dense.Forward"/> split by outputs, when the calling thread is in a split step and it pays.</summary>
    internal static bool TryForward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, int batchSize, int inputs, int outputs)
    {
        if (!Splits(batchSize, inputs, outputs, out int parts))
        {
            return false;
        }

        Job job = t_job!;
        job.Prepare(Operation.Forward, parts, batchSize, inputs, outputs, inputScratch: false);
        return job.Run(x, weight, bias, dy: default, y, default, default, parts);
    }

    /// <summary><see cref="Dense.BackwardWeights"/> split by outputs: each part accumulates its rows of dW and db.</summary>
    internal static bool TryBackwardWeights(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> weightGradient, Span<float> biasGradient, int batchSize, int inputs, int outputs)
    {
        if (!Splits(batchSize, inputs, outputs, out int parts))
        {
            return false;
        }

        Job job = t_job!;
        job.Prepare(Operation.BackwardWeights, parts, batchSize, inputs, outputs, inputScratch: false);
        return job.Run(x, weight: default, bias: default, dy, y: default, weightGradient, biasGradient, parts);
    }

    /// <summary>
    /// <see cref="Dense.BackwardInput"/> split by outputs: each part forms <c>dy[:, part] · W[part, :]</c>, and the parts'
    /// shares are added in part order.
    /// </summary>
    internal static bool TryBackwardInput(ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, Span<float> dx, int batchSize, int inputs, int outputs)
    {
        if (!Splits(batchSize, inputs, outputs, out int parts))
        {
            return false;
        }

        Job job = t_job!;
        job.Prepare(Operation.BackwardInput, parts, batchSize, inputs, outputs, inputScratch: true);
        return job.Run(x: default, weight, bias: default, dy, y: dx, default, default, parts);
    }

    private enum Operation
    {
        Forward,
        BackwardWeights,
        BackwardInput,
    }

    // One product handed to the pool: the spans are pinned by Run for the duration of the fork.
    private sealed unsafe class Job : IParallelWork
    {
        private float[][] _outputs = []; // per part: its columns of y or of dy, [batch, part's outputs]
        private float[][] _inputs = []; // per part after the first: its share of dx, [batch, inputs]
        private Operation _operation;
        private int _batchSize, _inputs_, _outputs_;
        private float* _x, _weight, _bias, _dy, _y, _weightGradient, _biasGradient;
        private int _biasLength;
        private float[]? _clear; // the gradient arena the next split product clears in parts, each part its own ranges
        private int[][]? _clearRanges;
        private bool _cleared;

        public void ClearFirst(float[]? gradients, int[][]? ownedRanges)
        {
            _clear = gradients;
            _clearRanges = ownedRanges;
            _cleared = false;
        }

        public bool TakeCleared()
        {
            bool cleared = _cleared;
            ClearFirst(null, null);
            return cleared;
        }

        public void Prepare(Operation operation, int parts, int batchSize, int inputs, int outputs, bool inputScratch)
        {
            _operation = operation;
            _batchSize = batchSize;
            _inputs_ = inputs;
            _outputs_ = outputs;
            if (_outputs.Length < parts)
            {
                Array.Resize(ref _outputs, parts);
                Array.Resize(ref _inputs, parts);
            }

            for (int part = 0; part < parts; part++)
            {
                int width = Boundary(outputs, parts, part + 1) - Boundary(outputs, parts, part);
                Grow(ref _outputs[part], batchSize * width);
                if (inputScratch && part > 0)
                {
                    Grow(ref _inputs[part], batchSize * inputs);
                }
            }
        }

        private static void Grow(ref float[] buffer, int length)
        {
            if (buffer is null || buffer.Length < length)
            {
                buffer = new float[length];
            }
        }

        public bool Run(
            ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> dy, Span<float> y,
            Span<float> weightGradient, Span<float> biasGradient, int parts)
        {
            fixed (float* xPointer = x)
            fixed (float* weightPointer = weight)
            fixed (float* biasPointer = bias)
            fixed (float* dyPointer = dy)
            fixed (float* yPointer = y)
            fixed (float* weightGradientPointer = weightGradient)
            fixed (float* biasGradientPointer = biasGradient)
            {
                _x = xPointer;
                _weight = weightPointer;
                _bias = biasPointer;
                _biasLength = _operation == Operation.BackwardWeights ? biasGradient.Length : bias.Length;
                _dy = dyPointer;
                _y = yPointer;
                _weightGradient = weightGradientPointer;
                _biasGradient = biasGradientPointer;
                t_splitProducts++;
                t_parts = 0; // the parts' own calls into Dense run whole
                try
                {
                    WorkerPool.Fork(this, parts);
                    _cleared |= _clear is not null;
                }
                finally
                {
                    t_parts = parts;
                    _clear = null;
                }

                if (_operation == Operation.BackwardInput)
                {
                    // dx = Σ parts, in part order: part 0 wrote its share into dx itself.
                    int length = _batchSize * _inputs_;
                    for (int part = 1; part < parts; part++)
                    {
                        System.Numerics.Tensors.TensorPrimitives.Add(y, _inputs[part].AsSpan(0, length), y);
                    }
                }
            }

            return true;
        }

        public float RunPart(int part, int parts)
        {
            if (_clear is { } gradients)
            {
                // This part's rows of the gradient arena, cleared on the thread that accumulates into them in the backward pass.
                int[] ranges = _clearRanges![part];
                for (int i = 0; i < ranges.Length; i += 2)
                {
                    gradients.AsSpan(ranges[i], ranges[i + 1]).Clear();
                }
            }

            int batchSize = _batchSize, inputs = _inputs_, outputs = _outputs_;
            int first = Boundary(outputs, parts, part);
            int width = Boundary(outputs, parts, part + 1) - first;
            Span<float> columns = _outputs[part].AsSpan(0, batchSize * width);
            switch (_operation)
            {
                case Operation.Forward:
                {
                    var weight = new ReadOnlySpan<float>(_weight + (long)first * inputs, width * inputs);
                    ReadOnlySpan<float> bias = _biasLength == 0 ? default : new ReadOnlySpan<float>(_bias + first, width);
                    Dense.Forward(new ReadOnlySpan<float>(_x, batchSize * inputs), weight, bias, columns, batchSize, inputs, width);
                    var y = new Span<float>(_y, batchSize * outputs);
                    for (int row = 0; row < batchSize; row++)
                    {
                        columns.Slice(row * width, width).CopyTo(y.Slice(row * outputs + first, width));
                    }

                    break;
                }

                case Operation.BackwardWeights:
                {
                    Gather(columns, first, width);
                    var weightGradient = new Span<float>(_weightGradient + (long)first * inputs, width * inputs);
                    Span<float> biasGradient = _biasLength == 0 ? default : new Span<float>(_biasGradient + first, width);
                    Dense.BackwardWeights(columns, new ReadOnlySpan<float>(_x, batchSize * inputs), weightGradient, biasGradient, batchSize, inputs, width);
                    break;
                }

                default:
                {
                    Gather(columns, first, width);
                    var weight = new ReadOnlySpan<float>(_weight + (long)first * inputs, width * inputs);
                    Span<float> dx = part == 0 ? new Span<float>(_y, batchSize * inputs) : _inputs[part].AsSpan(0, batchSize * inputs);
                    Dense.BackwardInput(columns, weight, dx, batchSize, inputs, width);
                    break;
                }
            }

            return 0f;
        }

        // The part's columns of dy, [batch, width], from dy [batch, outputs].
        private void Gather(Span<float> columns, int first, int width)
        {
            var dy = new ReadOnlySpan<float>(_dy, _batchSize * _outputs_);
            for (int row = 0; row < _batchSize; row++)
            {
                dy.Slice(row * _outputs_ + first, width).CopyTo(columns.Slice(row * width, width));
            }
        }
    }
}
