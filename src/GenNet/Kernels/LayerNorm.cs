using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

/// <summary>
/// Layer normalisation of [rows, channels] values: each row (a sample's vector, or one pixel of a channels-last image) is
/// normalised over its own <c>channels</c> values, <c>y = γ · (x − μ) / √(σ² + ε) + β</c> with μ and the biased σ² of
/// that row, and γ, β per channel. Nothing depends on other rows, so a batch may be split anywhere.
/// <para>
/// The statistics: a first pass sums the row for μ; a second sums the deviations <c>d = x − μ</c> and their squares, and
/// σ² = (Σd² − (Σd)²/n) / n, the corrected two-pass form (Chan, Golub and LeVeque): it never cancels the large terms that
/// E[x²] − μ² does, and the (Σd)²/n term takes out the rounding error of μ itself. The mean is then kept as two floats,
/// μ and δ = Σd/n, and x̂ = ((x − μ) − δ) / σ: when the mean is large against the spread (a convolution's output shifted
/// by its bias) x − μ is exact, so x̂ carries an error of ε·|x − μ|/σ instead of the ε·|μ|/σ that rounding μ + δ to one
/// float would give — an error the backward pass (whose formula assumes x̂ has mean 0 exactly) turned into gradients off
/// by several times float32's noise. A row with one channel has σ² = 0, so y = β and dx = 0 (1/√ε is finite). Sums run
/// in float across the vector's lanes, so every lane adds about channels / lanes values.
/// </para>
/// <para>
/// Every body is written once over <see cref="Simd"/> and run at the widest width whose vector fits in a row (the scalar
/// path for fewer than four channels); the remainder of a row past its last whole vector is done in scalars.
/// </para>
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LayerNorm
{
    /// <summary>The floats <see cref="Forward"/> keeps for the backward pass: μ, δ and 1/√(σ² + ε) of each of <paramref name="rows"/> rows.</summary>
    public static int StatisticsLength(int rows) => 3 * rows;

    /// <summary>
    /// <c>y = γ · x̂ + β</c> with <c>x̂ = (x − μ) / √(σ² + ε)</c> per row. Unless <paramref name="statistics"/> is empty
    /// (inference), it receives the mean of row r as μ at [3r] plus δ at [3r + 1], and 1/√(σ² + ε) at [3r + 2], for
    /// <see cref="Backward"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, a size is not positive, or ε is not positive and finite.</exception>
    public static void Forward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, Span<float> statistics,
        int rows, int channels, float epsilon)
    {
        Check(nameof(Forward), x.Length, y.Length, "y", weight.Length, bias.Length, statistics.Length, statisticsOptional: true, rows, channels);
        if (!(epsilon > 0f) || float.IsInfinity(epsilon))
        {
            Throw($"{nameof(Forward)}: epsilon must be positive and finite, not {epsilon}.");
        }

        var kernel = new ForwardKernel(x, weight, bias, y, statistics, rows, channels, epsilon);
        Simd.Widest(ref kernel, channels);
    }

    /// <summary>
    /// The backward pass from the <paramref name="statistics"/> <see cref="Forward"/> kept: <c>dγ += Σ dy · x̂</c> and
    /// <c>dβ += Σ dy</c> over every row, and (unless <paramref name="dx"/> is empty) per row, with <c>g = dy · γ</c>,
    /// <c>dx = (g − mean(g) − x̂ · mean(g · x̂)) / √(σ² + ε)</c>, the means over the row's channels (dx is overwritten).
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is not positive.</exception>
    public static void Backward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> statistics, ReadOnlySpan<float> dy, Span<float> dx,
        Span<float> dWeight, Span<float> dBias, int rows, int channels)
    {
        Check(nameof(Backward), x.Length, dy.Length, "dy", weight.Length, bias: dWeight.Length, statistics.Length, statisticsOptional: false, rows, channels);
        if (dBias.Length != channels || (!dx.IsEmpty && dx.Length != dy.Length))
        {
            Throw($"{nameof(Backward)}: dBias must hold {channels} floats (it has {dBias.Length}), dx none or {dy.Length} (it has {dx.Length}).");
        }

        var kernel = new BackwardKernel(x, weight, statistics, dy, dx, dWeight, dBias, rows, channels);
        Simd.Widest(ref kernel, channels);
    }

    private static void Check(
        string kernel, int xLength, int otherLength, string other, int weightLength, int bias, int statisticsLength, bool statisticsOptional,
        int rows, int channels)
    {
        long values = (long)rows * channels;
        if (rows <= 0 || channels <= 0 || xLength != values || otherLength != values)
        {
            Throw($"{kernel}: x and {other} must hold rows × channels = {rows} × {channels} = {values} floats (they have {xLength} and {otherLength}).");
        }

        if (weightLength != channels || bias != channels)
        {
            Throw($"{kernel}: the weight and bias (or their gradients) must hold {channels} floats (they have {weightLength} and {bias}).");
        }

        if (statisticsLength != StatisticsLength(rows) && !(statisticsOptional && statisticsLength == 0))
        {
            Throw($"{kernel}: statistics must hold 3 × {rows} floats{(statisticsOptional ? " or none" : "")} (it has {statisticsLength}).");
        }
    }

    [DoesNotReturn]
    private static void Throw(string message) => throw new ArgumentException(message);

    private readonly ref struct ForwardKernel(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, Span<float> statistics,
        int rows, int channels, float epsilon) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly ReadOnlySpan<float> _weight = weight;
        private readonly ReadOnlySpan<float> _bias = bias;
        private readonly Span<float> _y = y;
        private readonly Span<float> _statistics = statistics;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            int n = channels;
            nuint whole = (nuint)(n - n % TWidth.Count), step = (nuint)TWidth.Count;
            ref float w = ref MemoryMarshal.GetReference(_weight);
            ref float b = ref MemoryMarshal.GetReference(_bias);
            bool keep = !_statistics.IsEmpty;
            for (int r = 0; r < rows; r++)
            {
                ref float x = ref Unsafe.Add(ref MemoryMarshal.GetReference(_x), (nint)r * n);
                ref float y = ref Unsafe.Add(ref MemoryMarshal.GetReference(_y), (nint)r * n);

                // μ: the row's sum over n.
                TVector lanes = TWidth.Zero;
                for (nuint i = 0; i < whole; i += step)
                {
                    lanes = TWidth.Add(lanes, TWidth.Load(ref x, i));
                }

                float sum = TWidth.Sum(lanes);
                for (nuint i = whole; i < (nuint)n; i++)
                {
                    sum += Unsafe.Add(ref x, i);
                }

                float mean = sum / n;

                // σ²: Σd² corrected by (Σd)²/n, d = x − μ.
                TVector mu = TWidth.Broadcast(mean), deviations = TWidth.Zero, squares = TWidth.Zero;
                for (nuint i = 0; i < whole; i += step)
                {
                    TVector d = TWidth.Subtract(TWidth.Load(ref x, i), mu);
                    deviations = TWidth.Add(deviations, d);
                    squares = TWidth.MultiplyAdd(d, d, squares);
                }

                float deviation = TWidth.Sum(deviations), square = TWidth.Sum(squares);
                for (nuint i = whole; i < (nuint)n; i++)
                {
                    float d = Unsafe.Add(ref x, i) - mean;
                    deviation += d;
                    square += d * d;
                }

                float variance = MathF.Max((square - deviation * deviation / n) / n, 0f);
                float inverseStd = 1f / MathF.Sqrt(variance + epsilon);
                float residual = deviation / n; // δ: what the first μ missed
                if (keep)
                {
                    _statistics[3 * r] = mean;
                    _statistics[3 * r + 1] = residual;
                    _statistics[3 * r + 2] = inverseStd;
                }

                // y = γ · x̂ + β, x̂ = ((x − μ) − δ) / σ.
                TVector delta = TWidth.Broadcast(residual), scale = TWidth.Broadcast(inverseStd);
                for (nuint i = 0; i < whole; i += step)
                {
                    TVector xHat = TWidth.Multiply(TWidth.Subtract(TWidth.Subtract(TWidth.Load(ref x, i), mu), delta), scale);
                    TWidth.Store(TWidth.MultiplyAdd(xHat, TWidth.Load(ref w, i), TWidth.Load(ref b, i)), ref y, i);
                }

                for (nuint i = whole; i < (nuint)n; i++)
                {
                    Unsafe.Add(ref y, i) = (Unsafe.Add(ref x, i) - mean - residual) * inverseStd * Unsafe.Add(ref w, i) + Unsafe.Add(ref b, i);
                }
            }
        }
    }

    private readonly ref struct BackwardKernel(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> statistics, ReadOnlySpan<float> dy, Span<float> dx,
        Span<float> dWeight, Span<float> dBias, int rows, int channels) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly ReadOnlySpan<float> _weight = weight;
        private readonly ReadOnlySpan<float> _statistics = statistics;
        private readonly ReadOnlySpan<float> _dy = dy;
        private readonly Span<float> _dx = dx;
        private readonly Span<float> _dWeight = dWeight;
        private readonly Span<float> _dBias = dBias;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            int n = channels;
            nuint whole = (nuint)(n - n % TWidth.Count), step = (nuint)TWidth.Count;
            ref float w = ref MemoryMarshal.GetReference(_weight);
            ref float dW = ref MemoryMarshal.GetReference(_dWeight);
            ref float dB = ref MemoryMarshal.GetReference(_dBias);
            bool inputGradient = !_dx.IsEmpty;
            for (int r = 0; r < rows; r++)
            {
                ref float x = ref Unsafe.Add(ref MemoryMarshal.GetReference(_x), (nint)r * n);
                ref float dy = ref Unsafe.Add(ref MemoryMarshal.GetReference(_dy), (nint)r * n);
                float mean = _statistics[3 * r], residual = _statistics[3 * r + 1], inverseStd = _statistics[3 * r + 2];
                TVector mu = TWidth.Broadcast(mean), delta = TWidth.Broadcast(residual), scale = TWidth.Broadcast(inverseStd);

                // dγ += dy · x̂, dβ += dy; and over the row Σg and Σg·x̂ with g = dy · γ.
                TVector gLanes = TWidth.Zero, gxLanes = TWidth.Zero;
                for (nuint i = 0; i < whole; i += step)
                {
                    TVector xHat = TWidth.Multiply(TWidth.Subtract(TWidth.Subtract(TWidth.Load(ref x, i), mu), delta), scale);
                    TVector d = TWidth.Load(ref dy, i);
                    TWidth.Store(TWidth.MultiplyAdd(d, xHat, TWidth.Load(ref dW, i)), ref dW, i);
                    TWidth.Store(TWidth.Add(TWidth.Load(ref dB, i), d), ref dB, i);
                    TVector g = TWidth.Multiply(d, TWidth.Load(ref w, i));
                    gLanes = TWidth.Add(gLanes, g);
                    gxLanes = TWidth.MultiplyAdd(g, xHat, gxLanes);
                }

                float gSum = TWidth.Sum(gLanes), gxSum = TWidth.Sum(gxLanes);
                for (nuint i = whole; i < (nuint)n; i++)
                {
                    float xHat = (Unsafe.Add(ref x, i) - mean - residual) * inverseStd, d = Unsafe.Add(ref dy, i);
                    Unsafe.Add(ref dW, i) += d * xHat;
                    Unsafe.Add(ref dB, i) += d;
                    float g = d * Unsafe.Add(ref w, i);
                    gSum += g;
                    gxSum += g * xHat;
                }

                if (!inputGradient)
                {
                    continue;
                }

                // dx = (g − mean(g) − x̂ · mean(g · x̂)) / σ.
                ref float dx = ref Unsafe.Add(ref MemoryMarshal.GetReference(_dx), (nint)r * n);
                float gMean = gSum / n, gxMean = gxSum / n;
                TVector a = TWidth.Broadcast(gMean), c = TWidth.Broadcast(gxMean);
                for (nuint i = 0; i < whole; i += step)
                {
                    TVector xHat = TWidth.Multiply(TWidth.Subtract(TWidth.Subtract(TWidth.Load(ref x, i), mu), delta), scale);
                    TVector g = TWidth.Multiply(TWidth.Load(ref dy, i), TWidth.Load(ref w, i));
                    TVector centred = TWidth.Subtract(TWidth.Subtract(g, a), TWidth.Multiply(xHat, c));
                    TWidth.Store(TWidth.Multiply(centred, scale), ref dx, i);
                }

                for (nuint i = whole; i < (nuint)n; i++)
                {
                    float xHat = (Unsafe.Add(ref x, i) - mean - residual) * inverseStd;
                    float g = Unsafe.Add(ref dy, i) * Unsafe.Add(ref w, i);
                    Unsafe.Add(ref dx, i) = (g - gMean - xHat * gxMean) * inverseStd;
                }
            }
        }
    }
}
