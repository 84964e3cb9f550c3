using System;
using System.Buffers;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace GenNet.Kernels;

/// <summary>
/// Batch normalisation over the last axis of [rows, channels] values: a row is a sample's vector, or one pixel of a
/// channels-last image, so every position of every sample in the batch counts toward a channel's statistics. A trainable
/// layer keeps a <c>statistics</c> span of <see cref="StatisticsLength"/> floats: a training forward leaves the batch's
/// mean and 1/√(σ² + ε) there for the backward pass. Inference needs none.
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
    public static void ForwardTraining(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> runningMean, Span<float> runningVar, Span<float> batchesTracked, Span<float> statistics, Span<float> y,
        int rows, int channels, float momentum, float epsilon)
    {
        Check(x.Length, y.Length, rows, channels);
        CheckStatistics(statistics.Length, channels);
        Span<float> mean = statistics.Slice(0, channels);
        Span<float> inverseStd = statistics.Slice(channels, channels);
        Span<float> scale = statistics.Slice(2 * channels, channels);
        bool update = rows > 1;
        float unbiased = update ? rows / (rows - 1f) : 0f;
        for (int c = 0; c < channels; c++)
        {
            // Per channel, in double: the statistics of a large batch lose digits in a float sum.
            double sum = 0;
            for (int r = 0; r < rows; r++)
            {
                sum += x[r * channels + c];
            }

            double mu = sum / rows, squares = 0;
            for (int r = 0; r < rows; r++)
            {
                double d = x[r * channels + c] - mu;
                squares += d * d;
            }

            float variance = (float)(squares / rows);
            mean[c] = (float)mu;
            if (update)
            {
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c];
                runningVar[c] = (1 - momentum) * runningVar[c] + momentum * variance * unbiased;
            }

            inverseStd[c] = (float)(1 / Math.Sqrt(squares / rows + epsilon));
            scale[c] = weight[c] * inverseStd[c];
        }

        if (update)
        {
            batchesTracked[0]++;
        }

        Apply(x, mean, scale, bias, y, rows, channels);
    }

    /// <summary>
    /// Inference: <c>y = γ · (x − running_mean) / √(running_var + ε) + β</c>. Keeps nothing between calls, so any number
    /// of threads may run it at once.
    /// </summary>
    public static void ForwardInference(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> y,
        int rows, int channels, float epsilon)
    {
        Check(x.Length, y.Length, rows, channels);
        float[]? rented = channels > 1024 ? ArrayPool<float>.Shared.Rent(channels) : null;
        Span<float> scale = rented is null ? stackalloc float[channels] : rented.AsSpan(0, channels);
        for (int c = 0; c < channels; c++)
        {
            scale[c] = weight[c] / MathF.Sqrt(runningVar[c] + epsilon);
        }

        Apply(x, runningMean, scale, bias, y, rows, channels);
        if (rented is not null)
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The training forward's backward, from its statistics: dβ += Σ dy, dγ += Σ dy · x̂, and (unless
    /// <paramref name="dx"/> is empty) dx = γ / σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), the means over the batch's rows.
    /// </summary>
    public static void Backward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> statistics, ReadOnlySpan<float> dy, Span<float> dx,
        Span<float> dWeight, Span<float> dBias, int rows, int channels)
    {
        Check(x.Length, dy.Length, rows, channels);
        CheckStatistics(statistics.Length, channels);
        ReadOnlySpan<float> mean = statistics.Slice(0, channels);
        ReadOnlySpan<float> inverseStd = statistics.Slice(channels, channels);
        Span<float> sumDy = statistics.Slice(2 * channels, channels);
        Span<float> sumDyXHat = statistics.Slice(3 * channels, channels);
        for (int c = 0; c < channels; c++)
        {
            double g = 0, gx = 0; // in double, as the forward statistics
            for (int r = 0; r < rows; r++)
            {
                float d = dy[r * channels + c];
                g += d;
                gx += d * (x[r * channels + c] - mean[c]);
            }

            sumDy[c] = (float)g;
            sumDyXHat[c] = (float)(gx * inverseStd[c]);
        }

        TensorPrimitives.Add(dBias, sumDy, dBias);
        TensorPrimitives.Add(dWeight, sumDyXHat, dWeight);
        if (dx.IsEmpty)
        {
            return;
        }

        if (dx.Length < (long)rows * channels)
        {
            throw new ArgumentException($"dx holds {dx.Length} floats, fewer than {rows} × {channels}.", nameof(dx));
        }

        TensorPrimitives.Multiply(sumDy, 1f / rows, sumDy);
        TensorPrimitives.Multiply(sumDyXHat, 1f / rows, sumDyXHat);
        for (int r = 0; r < rows; r++)
        {
            int row = r * channels;
            for (int c = 0; c < channels; c++)
            {
                float xHat = (x[row + c] - mean[c]) * inverseStd[c];
                dx[row + c] = weight[c] * inverseStd[c] * (dy[row + c] - sumDy[c] - xHat * sumDyXHat[c]);
            }
        }
    }

    // y = (x − μ) · scale + β, row by row. Subtracting first keeps the digits that x · scale + (β − μ · scale) would
    // cancel away when σ is small (a batch of one sample has σ = 0 and 1/σ = 1/√ε).
    private static void Apply(
        ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, Span<float> y, int rows, int channels)
    {
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = y.Slice(r * channels, channels);
            TensorPrimitives.Subtract(x.Slice(r * channels, channels), mean, row);
            TensorPrimitives.FusedMultiplyAdd(row, scale, bias, row);
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

    private static void CheckStatistics(int statisticsLength, int channels)
    {
        if (statisticsLength < StatisticsLength(channels))
        {
            throw new ArgumentException($"Batch normalisation of {channels} channels needs {StatisticsLength(channels)} statistics floats, not {statisticsLength}.");
        }
    }
}
