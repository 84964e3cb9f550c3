using System;
using System.Buffers;
using System.ComponentModel;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace GenNet.Kernels;

/// <summary>
/// Batch normalisation over the last axis of [rows, channels] values: a row is a sample's vector, or one pixel of a
/// channels-last image, so every position of every sample in the batch counts toward a channel's statistics. A trainable
/// layer keeps a <c>statistics</c> span of <see cref="StatisticsLength"/> floats, four per channel: a training forward
/// leaves the batch's mean, 1/√(σ² + ε), γ/σ and what rounding the mean to float lost there, and the backward pass reads
/// the first two and the residual, then uses the last two blocks for its own per-channel terms. Inference needs none.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class BatchNorm
{
    /// <summary>The floats a layer's statistics span holds for <paramref name="channels"/> channels.</summary>
    public static int StatisticsLength(int channels) => 4 * channels;

    /// <summary>
    /// A training step's forward: normalises with the batch's mean and (biased) variance, writes
    /// <c>y = γ · x̂ + β</c>, and moves the running statistics toward the batch's (PyTorch: the running variance takes the
    /// unbiased variance; <paramref name="batchesTracked"/>[0] counts the batches). A batch with one row per channel says
    /// nothing about the variance: it leaves the running statistics as they are.
    /// </summary>
    [SkipLocalsInit] // the tiles' scratch is written before it is read; zeroing 22 KB per call would cost more than a small layer
    public static void ForwardTraining(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> runningMean, Span<float> runningVar, Span<float> batchesTracked, Span<float> statistics, Span<float> y,
        int rows, int channels, float momentum, float epsilon)
    {
        Check(x.Length, y.Length, rows, channels);
        CheckStatistics(statistics.Length, channels);
        CheckChannels(channels, weight.Length, bias.Length, runningMean.Length, runningVar.Length);
        Span<float> mean = statistics.Slice(0, channels);
        Span<float> inverseStd = statistics.Slice(channels, channels);
        Span<float> scale = statistics.Slice(2 * channels, channels);
        var tiles = new Tiles(channels, rows, stackalloc float[Tiles.StackFloats], stackalloc double[Tiles.StackDoubles]);
        try
        {
            // Two passes, as a careful variance is computed: the mean, then the squares of the deviations from it (a
            // one-pass Σx² − (Σx)²/n cancels to nothing when the mean is large against the spread).
            tiles.SumFromFirstRow(x);
            Span<double> sums = tiles.Totals(0);
            Span<float> residual = statistics.Slice(3 * channels, channels);
            for (int c = 0; c < channels; c++)
            {
                double mu = x[c] + sums[c] / rows;
                mean[c] = (float)mu;
                residual[c] = (float)(mu - mean[c]); // what rounding the mean to float lost: x̂ = (x − mean − residual)/σ
            }

            tiles.SumSquaredDeviations(x, mean);
            bool update = rows > 1;
            float unbiased = update ? rows / (rows - 1f) : 0f;
            Span<double> squares = tiles.Totals(0);
            for (int c = 0; c < channels; c++)
            {
                double variance = Math.Max(0, squares[c] / rows - (double)residual[c] * residual[c]); // about the true mean
                if (update)
                {
                    runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c];
                    runningVar[c] = (1 - momentum) * runningVar[c] + momentum * (float)variance * unbiased;
                }

                inverseStd[c] = (float)(1 / Math.Sqrt(variance + epsilon));
                scale[c] = weight[c] * inverseStd[c];
            }

            if (update)
            {
                batchesTracked[0]++;
            }

            tiles.ScaleShift(x, mean, scale, bias, y, residual);
        }
        finally
        {
            tiles.Dispose();
        }
    }

    /// <summary>
    /// Inference: <c>y = γ · (x − running_mean) / √(running_var + ε) + β</c>. Keeps nothing between calls, so any number
    /// of threads may run it at once.
    /// </summary>
    [SkipLocalsInit] // as ForwardTraining
    public static void ForwardInference(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> y,
        int rows, int channels, float epsilon)
    {
        Check(x.Length, y.Length, rows, channels);
        CheckChannels(channels, weight.Length, bias.Length, runningMean.Length, runningVar.Length);
        float[]? rented = channels > 1024 ? ArrayPool<float>.Shared.Rent(channels) : null;
        Span<float> scale = rented is null ? stackalloc float[channels] : rented.AsSpan(0, channels);
        var tiles = new Tiles(channels, rows, stackalloc float[Tiles.StackFloats], stackalloc double[Tiles.StackDoubles]);
        try
        {
            for (int c = 0; c < channels; c++)
            {
                scale[c] = weight[c] / MathF.Sqrt(runningVar[c] + epsilon);
            }

            tiles.ScaleShift(x, runningMean, scale, bias, y, default);
        }
        finally
        {
            tiles.Dispose();
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// The training forward's backward, from its statistics: dβ += Σ dy, dγ += Σ dy · x̂, and (unless
    /// <paramref name="dx"/> is empty) dx = γ / σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), the means over the batch's rows.
    /// </summary>
    [SkipLocalsInit] // as ForwardTraining
    public static void Backward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> statistics, ReadOnlySpan<float> dy, Span<float> dx,
        Span<float> dWeight, Span<float> dBias, int rows, int channels)
    {
        Check(x.Length, dy.Length, rows, channels);
        CheckStatistics(statistics.Length, channels);
        CheckChannels(channels, weight.Length, dWeight.Length, dBias.Length);
        if (!dx.IsEmpty && dx.Length < (long)rows * channels) // before anything is written: a refused call changes nothing
        {
            throw new ArgumentException($"dx holds {dx.Length} floats, fewer than {rows} × {channels}.", nameof(dx));
        }

        ReadOnlySpan<float> mean = statistics.Slice(0, channels);
        ReadOnlySpan<float> inverseStd = statistics.Slice(channels, channels);
        Span<float> meanDy = statistics.Slice(2 * channels, channels);
        Span<float> residual = statistics.Slice(3 * channels, channels); // the forward's; becomes −mean(dy·x̂)/σ below
        var tiles = new Tiles(channels, rows, stackalloc float[Tiles.StackFloats], stackalloc double[Tiles.StackDoubles]);
        try
        {
            tiles.SumGradients(x, mean, dy); // Σ dy and Σ dy·(x − mean), in double as the forward statistics
            Span<double> g = tiles.Totals(0), gx = tiles.Totals(1);
            for (int c = 0; c < channels; c++)
            {
                double sumDyXHat = (gx[c] - residual[c] * g[c]) * inverseStd[c];
                dBias[c] += (float)g[c];
                dWeight[c] += (float)sumDyXHat;

                // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy·x̂)) = γ/σ · (dy − m + (x − mean) · k) per channel, with
                // k = −mean(dy·x̂)/σ and m = mean(dy) + residual · k: the two statistics spans are free now, they hold m and k.
                double k = -sumDyXHat / rows * inverseStd[c];
                meanDy[c] = (float)(g[c] / rows + residual[c] * k);
                residual[c] = (float)k;
            }

            if (!dx.IsEmpty)
            {
                tiles.InputGradient(x, mean, dy, weight, inverseStd, meanDy, residual, dx);
            }
        }
        finally
        {
            tiles.Dispose();
        }
    }

    // Per-channel work over [rows, channels] values, a tile of whole rows at a time: each operation is one
    // TensorPrimitives call over the tile, with the per-channel vectors repeated across it, so rows of a few channels (an
    // image's 32) do not pay a call per row. Sums are taken in float per tile position and moved into double totals every
    // FlushEvery tiles, so no float sum runs over more than FlushEvery values: the statistics of a batch of 100,000 rows
    // keep the digits the double sums of the per-channel loop kept, at vector speed.
    private ref struct Tiles
    {
        public const int StackFloats = 7 * MaxTile;
        public const int StackDoubles = 2 * MaxTile;
        private const int MaxTile = 512;
        private const int FlushEvery = 16;

        private readonly int _channels, _rows, _tileRows, _tile;
        private readonly Span<float> _floats;
        private readonly Span<double> _doubles;
        private float[]? _rentedFloats;
        private double[]? _rentedDoubles;

        public Tiles(int channels, int rows, Span<float> stackFloats, Span<double> stackDoubles)
        {
            _channels = channels;
            _rows = rows;
            _tileRows = Math.Max(1, Math.Min(rows, MaxTile / channels));
            _tile = _tileRows * channels;
            _rentedFloats = null;
            _rentedDoubles = null;
            if (channels > MaxTile)
            {
                _rentedFloats = ArrayPool<float>.Shared.Rent(7 * _tile);
                _rentedDoubles = ArrayPool<double>.Shared.Rent(2 * channels);
                _floats = _rentedFloats.AsSpan(0, 7 * _tile);
                _doubles = _rentedDoubles.AsSpan(0, 2 * channels);
            }
            else
            {
                _floats = stackFloats.Slice(0, 7 * _tile);
                _doubles = stackDoubles.Slice(0, 2 * channels);
            }
        }

        /// <summary>The double totals of accumulator <paramref name="index"/> (0 or 1) after a Sum method.</summary>
        public readonly Span<double> Totals(int index) => _doubles.Slice(index * _channels, _channels);

        // Scratch tiles: 0 and 1 accumulate, 2 is a temporary, 3 to 6 hold repeated per-channel vectors.
        private readonly Span<float> Part(int index) => _floats.Slice(index * _tile, _tile);

        /// <summary>Totals(0) = Σ (x − x₀) per channel, x₀ the first row. Summing differences from a value of the data
        /// keeps a float partial sum exact enough when the mean is large against the spread (pixels around 100 that
        /// differ by 0.01): Σ x itself would round away the digits the variance is made of.</summary>
        public readonly void SumFromFirstRow(ReadOnlySpan<float> x)
        {
            Begin();
            Span<float> first = Repeat(3, x.Slice(0, _channels));
            for (int row = 0, tile = 0; row < _rows; row += _tileRows, tile++)
            {
                int n = Length(row);
                Span<float> difference = Part(2).Slice(0, n), sum = Part(0).Slice(0, n);
                TensorPrimitives.Subtract(x.Slice(row * _channels, n), first.Slice(0, n), difference);
                TensorPrimitives.Add(sum, difference, sum);
                FlushAfter(tile);
            }

            Flush();
        }

        /// <summary>Totals(0) = Σ (x − μ)² per channel.</summary>
        public readonly void SumSquaredDeviations(ReadOnlySpan<float> x, ReadOnlySpan<float> mean)
        {
            Begin();
            Span<float> means = Repeat(3, mean);
            for (int row = 0, tile = 0; row < _rows; row += _tileRows, tile++)
            {
                int n = Length(row);
                Span<float> deviation = Part(2).Slice(0, n), sum = Part(0).Slice(0, n);
                TensorPrimitives.Subtract(x.Slice(row * _channels, n), means.Slice(0, n), deviation);
                TensorPrimitives.FusedMultiplyAdd(deviation, deviation, sum, sum);
                FlushAfter(tile);
            }

            Flush();
        }

        /// <summary>Totals(0) = Σ dy and Totals(1) = Σ dy · (x − μ) per channel.</summary>
        public readonly void SumGradients(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> dy)
        {
            Begin();
            Span<float> means = Repeat(3, mean);
            for (int row = 0, tile = 0; row < _rows; row += _tileRows, tile++)
            {
                int n = Length(row), start = row * _channels;
                Span<float> deviation = Part(2).Slice(0, n), sumDy = Part(0).Slice(0, n), sumDyDeviation = Part(1).Slice(0, n);
                ReadOnlySpan<float> gradient = dy.Slice(start, n);
                TensorPrimitives.Add(sumDy, gradient, sumDy);
                TensorPrimitives.Subtract(x.Slice(start, n), means.Slice(0, n), deviation);
                TensorPrimitives.FusedMultiplyAdd(gradient, deviation, sumDyDeviation, sumDyDeviation);
                FlushAfter(tile);
            }

            Flush();
        }

        /// <summary>y = (x − μ) · scale + β − residual · scale (residual, when given, is what rounding μ lost). Subtracting
        /// first keeps the digits that x · scale + (β − μ · scale) would cancel away when σ is small (a batch of one sample
        /// has σ = 0 and 1/σ = 1/√ε).</summary>
        public readonly void ScaleShift(
            ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, Span<float> y,
            ReadOnlySpan<float> residual)
        {
            Span<float> means = Repeat(3, mean), scales = Repeat(4, scale), shifts = Repeat(5, bias);
            if (!residual.IsEmpty)
            {
                Span<float> lost = Repeat(6, residual);
                TensorPrimitives.Multiply(lost, scales, lost);
                TensorPrimitives.Subtract(shifts, lost, shifts);
            }

            for (int row = 0; row < _rows; row += _tileRows)
            {
                int n = Length(row), start = row * _channels;
                Span<float> output = y.Slice(start, n);
                TensorPrimitives.Subtract(x.Slice(start, n), means.Slice(0, n), output);
                TensorPrimitives.FusedMultiplyAdd(output, scales.Slice(0, n), shifts.Slice(0, n), output);
            }
        }

        /// <summary>dx = γ/σ · (dy − m + (x − μ) · k) per channel.</summary>
        public readonly void InputGradient(
            ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight,
            ReadOnlySpan<float> inverseStd, ReadOnlySpan<float> m, ReadOnlySpan<float> k, Span<float> dx)
        {
            Span<float> means = Repeat(3, mean), ms = Repeat(4, m), ks = Repeat(5, k), gains = Repeat(6, weight);
            TensorPrimitives.Multiply(gains, Repeat(2, inverseStd), gains);
            Span<float> centred = Part(2); // free again once the gains are made
            for (int row = 0; row < _rows; row += _tileRows)
            {
                int n = Length(row), start = row * _channels;
                Span<float> output = dx.Slice(start, n), t = centred.Slice(0, n);
                TensorPrimitives.Subtract(dy.Slice(start, n), ms.Slice(0, n), t);
                TensorPrimitives.Subtract(x.Slice(start, n), means.Slice(0, n), output);
                TensorPrimitives.FusedMultiplyAdd(output, ks.Slice(0, n), t, output);
                TensorPrimitives.Multiply(output, gains.Slice(0, n), output);
            }
        }

        public void Dispose()
        {
            if (_rentedFloats is not null)
            {
                ArrayPool<float>.Shared.Return(_rentedFloats);
                ArrayPool<double>.Shared.Return(_rentedDoubles!);
                _rentedFloats = null;
                _rentedDoubles = null;
            }
        }

        private readonly int Length(int row) => Math.Min(_tileRows, _rows - row) * _channels;

        private readonly Span<float> Repeat(int index, ReadOnlySpan<float> perChannel)
        {
            Span<float> part = Part(index);
            for (int start = 0; start < _tile; start += _channels)
            {
                perChannel.Slice(0, _channels).CopyTo(part.Slice(start));
            }

            return part;
        }

        private readonly void Begin()
        {
            _doubles.Clear();
            Part(0).Clear();
            Part(1).Clear();
        }

        private readonly void FlushAfter(int tile)
        {
            if (tile % FlushEvery == FlushEvery - 1)
            {
                Flush();
            }
        }

        // Adds the float partial sums into the double totals, folding the tile's rows onto their channels.
        private readonly void Flush()
        {
            for (int index = 0; index < 2; index++)
            {
                Span<float> partial = Part(index);
                Span<double> totals = Totals(index);
                for (int start = 0; start < _tile; start += _channels)
                {
                    for (int c = 0; c < _channels; c++)
                    {
                        totals[c] += partial[start + c];
                    }
                }

                partial.Clear();
            }
        }
    }

    private static void Check(int xLength, int yLength, int rows, int channels)
    {
        long values = (long)rows * channels;
        if (rows <= 0 || channels <= 0 || xLength < values || yLength < values)
        {
            throw new ArgumentException($"Batch normalisation of {rows} × {channels} values needs x and y of that size (x {xLength}, y {yLength}).");
        }
    }

    // The per-channel spans (γ, β, the running statistics, the parameter gradients): at least one float per channel.
    private static void CheckChannels(int channels, params ReadOnlySpan<int> lengths)
    {
        foreach (int length in lengths)
        {
            if (length < channels)
            {
                throw new ArgumentException($"Batch normalisation of {channels} channels needs a value per channel in every per-channel span; one holds {length}.");
            }
        }
    }

    private static void CheckStatistics(int statisticsLength, int channels)
    {
        if (statisticsLength < StatisticsLength(channels))
        {
            throw new ArgumentException($"Batch normalisation of {channels} channels needs {StatisticsLength(channels)} statistics floats, not {statisticsLength}.");
        }
    }
}
