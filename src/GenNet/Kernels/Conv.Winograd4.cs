using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

/// <summary>
/// Winograd's F(4×4, 3×3) for 3×3 convolutions at stride 1: each 4×4 block of outputs comes from its 6×6 input patch d
/// and the filter g as <c>Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A</c> (interpolation points 0, ±1, ±2 and ∞), 36 multiply-adds per
/// channel and filter where the direct product takes 144 — 4× fewer, against F(2×2, 3×3)'s 2.25×. The layouts are
/// <see cref="ForwardWinograd3x3"/>'s with 36 points: U [36, channels, filters], V [36, tiles, channels], and the 36
/// products [tiles, channels] · [channels, filters] run through the same register-blocked micro-kernel. The transforms
/// scale by up to 8 (Aᵀ) and 5 (Bᵀ), so the rounding is a few times F(2×2, 3×3)'s, still far below 1e-5 of each output's
/// Σ|x·w| + |b| at the channel counts tested.
/// </summary>
public static partial class Conv
{
    /// <summary>Floats per tile and per channel or filter: the 6×6 transformed patch.</summary>
    private const int Winograd4Points = 36;

    /// <summary>
    /// The most tiles transformed and multiplied at a time: with 32 channels and 64 filters their V and M blocks (110 and
    /// 221 KB) stay in the 1 MB L2 beside the transformed weight (295 KB).
    /// </summary>
    private const int Winograd4Chunk = 24;

    /// <summary>The floats <see cref="ForwardWinograd4x4"/> needs in its scratch for at least one tile: 36 · (channels + filters).</summary>
    public static int Winograd4x4ScratchMinimum(int channels, int filters) => Winograd4Points * (channels + filters);

    /// <summary>
    /// <paramref name="transformed"/> [36, channels, filters] = G g Gᵀ for every filter and channel of
    /// <paramref name="weight"/> [filters, channels, 3, 3], with G = [[¼, 0, 0], [−⅙, −⅙, −⅙], [−⅙, ⅙, −⅙],
    /// [1/24, 1/12, ⅙], [1/24, −1/12, ⅙], [0, 0, 1]]; computed in double and rounded once.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not filters × channels × 9 and 36 × channels × filters.</exception>
    public static void ToWinograd4x4Kernel(ReadOnlySpan<float> weight, Span<float> transformed, int filters, int channels)
    {
        CheckWinogradWeight(nameof(ToWinograd4x4Kernel), Winograd4Points, weight.Length, transformed.Length, filters, channels);

        Span<double> gg = stackalloc double[18];
        Span<double> row = stackalloc double[6];
        int plane = channels * filters;
        for (int k = 0; k < filters; k++)
        {
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> g = weight.Slice((k * channels + c) * 9, 9);
                for (int j = 0; j < 3; j++)
                {
                    GTimes(g[j], g[3 + j], g[6 + j], row);
                    for (int i = 0; i < 6; i++)
                    {
                        gg[3 * i + j] = row[i];
                    }
                }

                for (int i = 0; i < 6; i++)
                {
                    GTimes(gg[3 * i], gg[3 * i + 1], gg[3 * i + 2], row);
                    for (int j = 0; j < 6; j++)
                    {
                        transformed[(6 * i + j) * plane + c * filters + k] = (float)row[j];
                    }
                }
            }
        }
    }

    /// <summary>G · (g0, g1, g2) for F(4×4, 3×3).</summary>
    private static void GTimes(double g0, double g1, double g2, Span<double> result)
    {
        result[0] = g0 / 4;
        result[1] = -(g0 + g1 + g2) / 6;
        result[2] = -(g0 - g1 + g2) / 6;
        result[3] = g0 / 24 + g1 / 12 + g2 / 6;
        result[4] = g0 / 24 - g1 / 12 + g2 / 6;
        result[5] = g2;
    }

    /// <summary>
    /// Transforms <paramref name="weight"/> into <paramref name="transformed"/> unless it is bit for bit the weight last
    /// transformed, which <paramref name="source"/> keeps; returns whether it transformed, as <see cref="RefreshWinogradKernel"/>.
    /// </summary>
    public static bool RefreshWinograd4x4Kernel(ReadOnlySpan<float> weight, Span<float> source, Span<float> transformed, int filters, int channels)
    {
        if (Unchanged(weight, source))
        {
            return false;
        }

        ToWinograd4x4Kernel(weight, transformed, filters, channels);
        Record(weight, source);
        return true;
    }

    /// <summary>
    /// <c>y = conv(x, g) + bias</c> for a 3×3 kernel at stride 1 through <paramref name="transformed"/>
    /// (<see cref="ToWinograd4x4Kernel"/>), as <see cref="ForwardWinograd3x3"/> with 4×4 tiles; <paramref name="scratch"/>
    /// holds at least <see cref="Winograd4x4ScratchMinimum"/> floats. With <paramref name="relu"/>, ReLU as each output is stored.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void ForwardWinograd4x4(
        ReadOnlySpan<float> x, ReadOnlySpan<float> transformed, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch,
        int batchSize, int height, int width, int channels, int filters, int padTop, int padLeft, int outHeight, int outWidth, bool relu = false)
    {
        CheckWinograd(nameof(ForwardWinograd4x4), Winograd4Points, x.Length, transformed.Length, bias.Length, y.Length, scratch.Length,
            batchSize, height, width, channels, filters, padTop, padLeft, outHeight, outWidth);
        var kernel = new Winograd4Kernel(x, transformed, bias, y, scratch,
            new WinogradShape(4, batchSize, height, width, channels, filters, padTop, padLeft, outHeight, outWidth, relu));
        Simd.Widest(ref kernel, filters);
    }

    private readonly ref struct Winograd4Kernel(
        ReadOnlySpan<float> x, ReadOnlySpan<float> transformed, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch, WinogradShape shape) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _x = x, _transformed = transformed, _bias = bias;
        private readonly Span<float> _y = y, _scratch = scratch;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            int channels = shape.Channels, filters = shape.Filters;
            int total = shape.BatchSize * shape.TilesPerImage;
            int chunk = TilesAtATime(Winograd4Chunk, total, _scratch.Length / Winograd4x4ScratchMinimum(channels, filters));

            ref float v = ref MemoryMarshal.GetReference(_scratch); // [36, chunk, channels]
            ref float m = ref Unsafe.Add(ref v, Winograd4Points * chunk * channels); // [36, chunk, filters]
            Span<nint> at = stackalloc nint[Winograd4Points];
            Span<float> work = stackalloc float[Winograd4Points * 16]; // the transforms' 6×6 intermediate, a vector of up to 16 lanes each
            ref float between = ref MemoryMarshal.GetReference(work);
            for (int first = 0; first < total; first += chunk)
            {
                int count = Math.Min(chunk, total - first);
                for (int i = 0; i < count; i++)
                {
                    TransformPatch6<TVector, TWidth>(_x, ref Unsafe.Add(ref v, i * channels), chunk * channels, first + i, shape, at, ref between);
                }

                for (int t = 0; t < Winograd4Points; t++)
                {
                    WinogradProduct<TVector, TWidth>(
                        ref Unsafe.Add(ref v, t * chunk * channels), ref Unsafe.Add(ref MemoryMarshal.GetReference(_transformed), t * channels * filters),
                        ref Unsafe.Add(ref m, t * chunk * filters), count, channels, filters);
                }

                for (int i = 0; i < count; i++)
                {
                    TransformOutput4<TVector, TWidth>(ref Unsafe.Add(ref m, i * filters), chunk * filters, _bias, _y, first + i, shape, ref between);
                }
            }
        }
    }

    /// <summary>V = Bᵀ d B for tile <paramref name="tile"/>'s 6×6 patch, every channel: point p to <c>v[p · pointStride + c]</c>.</summary>
    private static void TransformPatch6<TVector, TWidth>(ReadOnlySpan<float> x, ref float v, int pointStride, int tile, in WinogradShape s, Span<nint> at, ref float between)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int image = tile / s.TilesPerImage, inImage = tile - image * s.TilesPerImage;
        int ty = inImage / s.TileColumns, tx = inImage - ty * s.TileColumns;
        int iy0 = 4 * ty - s.PadTop, ix0 = 4 * tx - s.PadLeft, channels = s.Channels;
        ref float origin = ref MemoryMarshal.GetReference(x);
        nint imageStart = (nint)image * s.Height * s.Width * channels;
        for (int i = 0; i < 6; i++)
        {
            for (int j = 0; j < 6; j++)
            {
                int iy = iy0 + i, ix = ix0 + j;
                at[6 * i + j] = (uint)iy < (uint)s.Height && (uint)ix < (uint)s.Width ? imageStart + ((nint)iy * s.Width + ix) * channels : -1;
            }
        }

        int c = 0;
        for (; c + TWidth.Count <= channels; c += TWidth.Count)
        {
            TransformPatch6Lanes<TVector, TWidth>(ref origin, at, c, ref v, pointStride, ref between);
        }

        for (; c < channels; c++)
        {
            TransformPatch6Lanes<float, Width1>(ref origin, at, c, ref v, pointStride, ref between);
        }
    }

    private static void TransformPatch6Lanes<TVector, TWidth>(ref float x, ReadOnlySpan<nint> at, int c, ref float v, int pointStride, ref float t)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        // Bᵀ d column by column into t (row-major 6×6 of vectors), then (Bᵀ d) B row by row into v.
        nuint lanes = (nuint)TWidth.Count;
        for (int j = 0; j < 6; j++)
        {
            BTransform<TVector, TWidth>(
                Pixel<TVector, TWidth>(ref x, at[j], c), Pixel<TVector, TWidth>(ref x, at[6 + j], c), Pixel<TVector, TWidth>(ref x, at[12 + j], c),
                Pixel<TVector, TWidth>(ref x, at[18 + j], c), Pixel<TVector, TWidth>(ref x, at[24 + j], c), Pixel<TVector, TWidth>(ref x, at[30 + j], c),
                out TVector t0, out TVector t1, out TVector t2, out TVector t3, out TVector t4, out TVector t5);
            nuint column = (nuint)j * lanes;
            TWidth.Store(t0, ref t, column);
            TWidth.Store(t1, ref t, column + 6 * lanes);
            TWidth.Store(t2, ref t, column + 12 * lanes);
            TWidth.Store(t3, ref t, column + 18 * lanes);
            TWidth.Store(t4, ref t, column + 24 * lanes);
            TWidth.Store(t5, ref t, column + 30 * lanes);
        }

        nuint stride = (nuint)pointStride, lane = (nuint)c;
        for (int i = 0; i < 6; i++)
        {
            nuint first = (nuint)(6 * i) * lanes;
            BTransform<TVector, TWidth>(
                TWidth.Load(ref t, first), TWidth.Load(ref t, first + lanes), TWidth.Load(ref t, first + 2 * lanes),
                TWidth.Load(ref t, first + 3 * lanes), TWidth.Load(ref t, first + 4 * lanes), TWidth.Load(ref t, first + 5 * lanes),
                out TVector r0, out TVector r1, out TVector r2, out TVector r3, out TVector r4, out TVector r5);
            nuint row = (nuint)(6 * i) * stride + lane;
            TWidth.Store(r0, ref v, row);
            TWidth.Store(r1, ref v, row + stride);
            TWidth.Store(r2, ref v, row + 2 * stride);
            TWidth.Store(r3, ref v, row + 3 * stride);
            TWidth.Store(r4, ref v, row + 4 * stride);
            TWidth.Store(r5, ref v, row + 5 * stride);
        }
    }

    /// <summary>
    /// Bᵀ · (d0 … d5): 4d0 − 5d2 + d4, −4(d1 + d2) + d3 + d4, 4(d1 − d2) − d3 + d4, −2(d1 − d3) − d2 + d4,
    /// 2(d1 − d3) − d2 + d4, 4d1 − 5d3 + d5.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BTransform<TVector, TWidth>(TVector d0, TVector d1, TVector d2, TVector d3, TVector d4, TVector d5,
        out TVector r0, out TVector r1, out TVector r2, out TVector r3, out TVector r4, out TVector r5)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        TVector four = TWidth.Broadcast(4f), five = TWidth.Broadcast(5f), two = TWidth.Broadcast(2f);
        TVector d4MinusD2 = TWidth.Subtract(d4, d2);
        r0 = TWidth.Add(TWidth.Subtract(TWidth.Multiply(four, d0), TWidth.Multiply(five, d2)), d4);
        TVector sum12 = TWidth.Multiply(four, TWidth.Add(d1, d2)), diff12 = TWidth.Multiply(four, TWidth.Subtract(d1, d2));
        TVector d3PlusD4 = TWidth.Add(d3, d4);
        r1 = TWidth.Subtract(d3PlusD4, sum12);
        r2 = TWidth.Add(diff12, TWidth.Subtract(d4, d3));
        TVector twice13 = TWidth.Multiply(two, TWidth.Subtract(d1, d3));
        r3 = TWidth.Subtract(d4MinusD2, twice13);
        r4 = TWidth.Add(d4MinusD2, twice13);
        r5 = TWidth.Add(TWidth.Subtract(TWidth.Multiply(four, d1), TWidth.Multiply(five, d3)), d5);
    }

    /// <summary>Y = Aᵀ M A + bias for tile <paramref name="tile"/>, every filter, stored where the 4×4 block lies inside the output.</summary>
    private static void TransformOutput4<TVector, TWidth>(ref float m, int pointStride, ReadOnlySpan<float> bias, Span<float> y, int tile, in WinogradShape s, ref float between)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int image = tile / s.TilesPerImage, inImage = tile - image * s.TilesPerImage;
        int ty = inImage / s.TileColumns, tx = inImage - ty * s.TileColumns;
        int oy = 4 * ty, ox = 4 * tx, filters = s.Filters;
        int rows = Math.Min(4, s.OutHeight - oy), columns = Math.Min(4, s.OutWidth - ox);
        ref float y00 = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), (((nint)image * s.OutHeight + oy) * s.OutWidth + ox) * filters);
        nint rowStep = (nint)s.OutWidth * filters;
        ref float b = ref MemoryMarshal.GetReference(bias);
        int o = 0;
        for (; o + TWidth.Count <= filters; o += TWidth.Count)
        {
            TransformOutput4Lanes<TVector, TWidth>(ref m, pointStride, ref b, ref y00, rowStep, filters, o, rows, columns, s.Relu, ref between);
        }

        for (; o < filters; o++)
        {
            TransformOutput4Lanes<float, Width1>(ref m, pointStride, ref b, ref y00, rowStep, filters, o, rows, columns, s.Relu, ref between);
        }
    }

    private static void TransformOutput4Lanes<TVector, TWidth>(ref float m, int pointStride, ref float bias, ref float y00, nint rowStep, int filters, int o, int rows, int columns, bool relu, ref float t)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        nuint stride = (nuint)pointStride, lane = (nuint)o, lanes = (nuint)TWidth.Count;

        // Aᵀ M column by column into t (4 rows × 6 columns of vectors), then (Aᵀ M) A row by row.
        for (int j = 0; j < 6; j++)
        {
            ATransform<TVector, TWidth>(
                TWidth.Load(ref m, (nuint)j * stride + lane), TWidth.Load(ref m, (nuint)(6 + j) * stride + lane), TWidth.Load(ref m, (nuint)(12 + j) * stride + lane),
                TWidth.Load(ref m, (nuint)(18 + j) * stride + lane), TWidth.Load(ref m, (nuint)(24 + j) * stride + lane), TWidth.Load(ref m, (nuint)(30 + j) * stride + lane),
                out TVector s0, out TVector s1, out TVector s2, out TVector s3);
            nuint column = (nuint)j * lanes;
            TWidth.Store(s0, ref t, column);
            TWidth.Store(s1, ref t, column + 6 * lanes);
            TWidth.Store(s2, ref t, column + 12 * lanes);
            TWidth.Store(s3, ref t, column + 18 * lanes);
        }

        TVector b = TWidth.Load(ref bias, lane);
        for (int r = 0; r < rows; r++)
        {
            nuint first = (nuint)(6 * r) * lanes;
            ATransform<TVector, TWidth>(
                TWidth.Load(ref t, first), TWidth.Load(ref t, first + lanes), TWidth.Load(ref t, first + 2 * lanes),
                TWidth.Load(ref t, first + 3 * lanes), TWidth.Load(ref t, first + 4 * lanes), TWidth.Load(ref t, first + 5 * lanes),
                out TVector y0, out TVector y1, out TVector y2, out TVector y3);
            ref float line = ref Unsafe.Add(ref y00, r * rowStep);
            TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(y0, b), relu), ref line, lane);
            if (columns > 1)
            {
                TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(y1, b), relu), ref line, lane + (nuint)filters);
            }

            if (columns > 2)
            {
                TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(y2, b), relu), ref line, lane + 2 * (nuint)filters);
            }

            if (columns > 3)
            {
                TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(y3, b), relu), ref line, lane + 3 * (nuint)filters);
            }
        }
    }

    /// <summary>Aᵀ · (m0 … m5): m0 + m1 + m2 + m3 + m4, m1 − m2 + 2(m3 − m4), m1 + m2 + 4(m3 + m4), m1 − m2 + 8(m3 − m4) + m5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ATransform<TVector, TWidth>(TVector m0, TVector m1, TVector m2, TVector m3, TVector m4, TVector m5,
        out TVector r0, out TVector r1, out TVector r2, out TVector r3)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        TVector sum12 = TWidth.Add(m1, m2), diff12 = TWidth.Subtract(m1, m2);
        TVector sum34 = TWidth.Add(m3, m4), diff34 = TWidth.Subtract(m3, m4);
        r0 = TWidth.Add(TWidth.Add(m0, sum12), sum34);
        r1 = TWidth.Add(diff12, TWidth.Multiply(TWidth.Broadcast(2f), diff34));
        r2 = TWidth.Add(sum12, TWidth.Multiply(TWidth.Broadcast(4f), sum34));
        r3 = TWidth.Add(TWidth.Add(diff12, TWidth.Multiply(TWidth.Broadcast(8f), diff34)), m5);
    }
}
