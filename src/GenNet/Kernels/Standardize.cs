using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

/// <summary>
/// The Normalization layer's kernels over [rows, features] values (a sample's vector, or one position of an image or a
/// sequence, per row): each feature f is standardised by its adapted mean and variance, Keras's
/// <c>y = (x − mean[f]) / max(√variance[f], 1e-7)</c>, and the backward pass is <c>dx = dy / max(√variance[f], 1e-7)</c>.
/// Nothing depends on other rows, so a batch may be split anywhere.
/// <para>
/// Every body is written once over <see cref="Simd"/> and run at the widest width whose vector fits in a row (the scalar
/// path for fewer than four features): each vector of features takes its mean and divisor once, then walks the rows; the
/// features past the last whole vector are done in scalars. Division, not a product by a reciprocal, so the values are
/// Keras's to the bit for the same float32 mean and variance.
/// </para>
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Standardize
{
    /// <summary>The floor of the divisor, Keras's <c>backend.epsilon()</c>: a constant feature maps to 0, never to NaN.</summary>
    public const float Epsilon = 1e-7f;

    /// <summary><c>y[r, f] = (x[r, f] − mean[f]) / max(√variance[f], 1e-7)</c>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is not positive.</exception>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, Span<float> y, int rows, int features)
    {
        Check(nameof(Forward), x.Length, "x", y.Length, "y", mean.Length, variance.Length, rows, features);
        var kernel = new Kernel(x, mean, variance, y, rows, features);
        Simd.Widest(ref kernel, features);
    }

    /// <summary><c>dx[r, f] = dy[r, f] / max(√variance[f], 1e-7)</c>, overwriting <paramref name="dx"/>; it may be <paramref name="dy"/>.</summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is not positive.</exception>
    public static void Backward(ReadOnlySpan<float> variance, ReadOnlySpan<float> dy, Span<float> dx, int rows, int features)
    {
        Check(nameof(Backward), dy.Length, "dy", dx.Length, "dx", features, variance.Length, rows, features);
        var kernel = new Kernel(dy, default, variance, dx, rows, features);
        Simd.Widest(ref kernel, features);
    }

    private static void Check(string kernel, int xLength, string x, int yLength, string y, int meanLength, int varianceLength, int rows, int features)
    {
        long values = (long)rows * features;
        if (rows <= 0 || features <= 0 || xLength != values || yLength != values)
        {
            Throw($"{kernel}: {x} and {y} must hold rows × features = {rows} × {features} = {values} floats (they have {xLength} and {yLength}).");
        }

        if (meanLength != features || varianceLength != features)
        {
            Throw($"{kernel}: the mean and variance must hold {features} floats (they have {meanLength} and {varianceLength}).");
        }
    }

    [DoesNotReturn]
    private static void Throw(string message) => throw new ArgumentException(message);

    /// <summary>(x − mean) / max(√variance, ε) per feature; an empty mean means 0 (the backward pass).</summary>
    private readonly ref struct Kernel(
        ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, Span<float> y, int rows, int features) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly ReadOnlySpan<float> _mean = mean;
        private readonly ReadOnlySpan<float> _variance = variance;
        private readonly Span<float> _y = y;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            int n = features;
            nuint whole = (nuint)(n - n % TWidth.Count), step = (nuint)TWidth.Count;
            bool centred = !_mean.IsEmpty;
            ref float x = ref MemoryMarshal.GetReference(_x);
            ref float y = ref MemoryMarshal.GetReference(_y);
            ref float m = ref MemoryMarshal.GetReference(_mean);
            ref float v = ref MemoryMarshal.GetReference(_variance);
            TVector floor = TWidth.Broadcast(Epsilon);
            for (nuint f = 0; f < whole; f += step)
            {
                TVector mu = centred ? TWidth.Load(ref m, f) : TWidth.Zero;
                TVector std = TWidth.Sqrt(TWidth.Load(ref v, f));
                std = TWidth.ConditionalSelect(TWidth.GreaterThan(std, floor), std, floor);
                nuint at = f;
                for (int r = 0; r < rows; r++, at += (nuint)n)
                {
                    TWidth.Store(TWidth.Divide(TWidth.Subtract(TWidth.Load(ref x, at), mu), std), ref y, at);
                }
            }

            for (nuint f = whole; f < (nuint)n; f++)
            {
                float mu = centred ? Unsafe.Add(ref m, f) : 0f;
                float std = MathF.Sqrt(Unsafe.Add(ref v, f));
                std = std > Epsilon ? std : Epsilon;
                nuint at = f;
                for (int r = 0; r < rows; r++, at += (nuint)n)
                {
                    Unsafe.Add(ref y, at) = (Unsafe.Add(ref x, at) - mu) / std;
                }
            }
        }
    }
}
