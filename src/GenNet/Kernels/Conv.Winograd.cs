using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace GenNet.Kernels;

/// <summary>
/// Winograd's F(2×2, 3×3) for 3×3 convolutions at stride 1: each 2×2 block of outputs ("tile") comes
/// from its 4×4 input patch d and the filter g as <c>Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A</c>, 16 multiply-adds per channel and
/// filter where the direct product takes 36 — 2.25× fewer. The filters' transform <c>U = G g Gᵀ</c> is made once per
/// change of the weight (<see cref="RefreshWinogradKernel"/>), laid out [16, channels, filters]; the patches' transform
/// <c>V = Bᵀ d B</c> is [16, tiles, channels], so the 16 element-wise products summed over channels are 16 matrix products
/// [tiles, channels] · [channels, filters], computed with broadcast multiply-adds over vectors of filters. The output
/// transform adds the bias as it stores, cropping the last row and column of tiles where the output is odd.
/// <para>
/// The transforms add and subtract (B, A) or halve (G) values, so the result differs from the direct product only by
/// rounding, of the order of the products' own. A network whose convolution takes this form runs it in every pass — a
/// training step, a trainable network's Forward and an inference-only build alike, so that they agree bit for bit — and
/// its backward pass builds im2col columns for the exact gradients of the convolution.
/// </para>
/// </summary>
public static partial class Conv
{
    /// <summary>Floats per tile and per channel or filter: the 4×4 transformed patch.</summary>
    private const int WinogradPoints = 16;

    /// <summary>
    /// The most tiles transformed and multiplied at a time: with 32 channels and 64 filters their V and M blocks (98 and
    /// 196 KB) stay in the 1 MB L2 beside the transformed weight (128 KB).
    /// </summary>
    private const int WinogradChunk = 48;

    /// <summary>
    /// The floats <see cref="ForwardWinograd3x3"/> needs in its scratch for at least one tile: 16 · (channels + filters).
    /// Generated code calls it only where the convolution's im2col buffer holds that.
    /// </summary>
    public static int WinogradScratchMinimum(int channels, int filters) => WinogradPoints * (channels + filters);

    /// <summary>
    /// <paramref name="transformed"/> [16, channels, filters] = G g Gᵀ for every filter and channel of
    /// <paramref name="weight"/> [filters, channels, 3, 3] (PyTorch's layout), with G = [[1, 0, 0], [½, ½, ½], [½, −½, ½],
    /// [0, 0, 1]]; computed in double and rounded once.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not filters × channels × 9 and 16 × channels × filters.</exception>
    public static void ToWinogradKernel(ReadOnlySpan<float> weight, Span<float> transformed, int filters, int channels)
    {
        CheckWinogradWeight(nameof(ToWinogradKernel), WinogradPoints, weight.Length, transformed.Length, filters, channels);

        Span<double> gg = stackalloc double[12];
        for (int k = 0; k < filters; k++)
        {
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> g = weight.Slice((k * channels + c) * 9, 9);
                for (int j = 0; j < 3; j++)
                {
                    // G g: rows g0, (g0 + g1 + g2)/2, (g0 − g1 + g2)/2, g2 of column j.
                    double g0 = g[j], g1 = g[3 + j], g2 = g[6 + j];
                    gg[j] = g0;
                    gg[3 + j] = 0.5 * (g0 + g1 + g2);
                    gg[6 + j] = 0.5 * (g0 - g1 + g2);
                    gg[9 + j] = g2;
                }

                for (int i = 0; i < 4; i++)
                {
                    // (G g) Gᵀ: the same combination along the row.
                    double r0 = gg[3 * i], r1 = gg[3 * i + 1], r2 = gg[3 * i + 2];
                    int at = (4 * i * channels + c) * filters + k;
                    transformed[at] = (float)r0;
                    transformed[at + channels * filters] = (float)(0.5 * (r0 + r1 + r2));
                    transformed[at + 2 * channels * filters] = (float)(0.5 * (r0 - r1 + r2));
                    transformed[at + 3 * channels * filters] = (float)r2;
                }
            }
        }
    }

    /// <summary>
    /// Transforms <paramref name="weight"/> into <paramref name="transformed"/> unless it is bit for bit the weight last
    /// transformed, which <paramref name="source"/> (filters × channels × 9 floats) keeps; as <see cref="RefreshChannelsLastKernel"/>.
    /// Returns whether it transformed: a trainable network then reorders the same weight for its backward pass as well,
    /// without comparing it again.
    /// </summary>
    public static bool RefreshWinogradKernel(ReadOnlySpan<float> weight, Span<float> source, Span<float> transformed, int filters, int channels)
    {
        if (Unchanged(weight, source))
        {
            return false;
        }

        ToWinogradKernel(weight, transformed, filters, channels);
        Record(weight, source);
        return true;
    }

    /// <summary>
    /// <c>y = conv(x, g) + bias</c> for a 3×3 kernel at stride 1 through <paramref name="transformed"/>
    /// (<see cref="ToWinogradKernel"/>): x [batchSize, height, width, channels] and y [batchSize, outHeight, outWidth,
    /// filters] channels-last, the input read as 0 outside the image (padding <paramref name="padTop"/>,
    /// <paramref name="padLeft"/>). <paramref name="scratch"/> holds at least <see cref="WinogradScratchMinimum"/> floats;
    /// more lets more tiles go at once. With <paramref name="relu"/>, each output goes through ReLU as it is stored
    /// (<c>max(y, 0)</c>, NaN kept), as <see cref="Activations.Relu"/> would after the call.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void ForwardWinograd3x3(
        ReadOnlySpan<float> x, ReadOnlySpan<float> transformed, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch,
        int batchSize, int height, int width, int channels, int filters, int padTop, int padLeft, int outHeight, int outWidth, bool relu = false)
    {
        CheckWinograd(nameof(ForwardWinograd3x3), WinogradPoints, x.Length, transformed.Length, bias.Length, y.Length, scratch.Length,
            batchSize, height, width, channels, filters, padTop, padLeft, outHeight, outWidth);
        var kernel = new WinogradKernel(x, transformed, bias, y, scratch,
            new WinogradShape(2, batchSize, height, width, channels, filters, padTop, padLeft, outHeight, outWidth, relu));
        Simd.Widest(ref kernel, filters);
    }

    /// <summary>The argument check of both weight transforms: [filters, channels, 3, 3] in, [points, channels, filters] out.</summary>
    private static void CheckWinogradWeight(string caller, int points, int weightLength, int transformedLength, int filters, int channels)
    {
        if (filters <= 0 || channels <= 0 || weightLength != (long)filters * channels * 9 || transformedLength != (long)points * channels * filters)
        {
            Throw($"{caller}: the weight must hold filters × channels × 9 = {(long)filters * channels * 9} floats (it has {weightLength}), " +
                  $"the transformed kernel {points} × channels × filters = {(long)points * channels * filters} (it has {transformedLength}).");
        }
    }

    /// <summary>
    /// The argument checks of <see cref="ForwardWinograd3x3"/> and <see cref="ForwardWinograd4x4"/>, whose transformed
    /// kernel holds <paramref name="points"/> · channels · filters floats and whose scratch at least points · (channels + filters).
    /// </summary>
    private static void CheckWinograd(
        string caller, int points, int xLength, int transformedLength, int biasLength, int yLength, int scratchLength,
        int batchSize, int height, int width, int channels, int filters, int padTop, int padLeft, int outHeight, int outWidth)
    {
        CheckGeometry(caller, batchSize, height, width, channels, 3, 3, 1, padTop, padLeft, outHeight, outWidth, pooling: false);
        long xFloats = (long)batchSize * height * width * channels, yFloats = (long)batchSize * outHeight * outWidth * filters;
        long kernelFloats = (long)points * channels * filters, scratchFloats = (long)points * (channels + filters);
        if (filters <= 0 || xLength != xFloats || yLength != yFloats || transformedLength != kernelFloats || biasLength != filters || scratchLength < scratchFloats)
        {
            Throw($"{caller}: for batch {batchSize}, image {height}×{width}×{channels} → {outHeight}×{outWidth}×{filters}, x must hold " +
                  $"{xFloats} floats (it has {xLength}), y {yFloats} ({yLength}), the transformed kernel {kernelFloats} ({transformedLength}), " +
                  $"bias {filters} ({biasLength}), scratch at least {scratchFloats} ({scratchLength}).");
        }
    }

    /// <summary>
    /// How many tiles a Winograd call transforms and multiplies at a time: at most <paramref name="most"/>, what the scratch
    /// holds and all of them; in whole blocks of six (the product's micro-kernel) when the tiles take several rounds —
    /// 36 tiles at most 22 at a time go 18 + 18, not 22 + 14.
    /// </summary>
    private static int TilesAtATime(int most, int total, int fitInScratch)
    {
        int chunk = Math.Min(most, Math.Min(total, fitInScratch));
        return chunk > 6 && chunk < total ? chunk - chunk % 6 : chunk;
    }

    /// <summary>The sizes of one Winograd call whose tiles are <paramref name="tile"/> × <paramref name="tile"/> outputs (2 or 4).</summary>
    private readonly struct WinogradShape(int tile, int batchSize, int height, int width, int channels, int filters, int padTop, int padLeft, int outHeight, int outWidth, bool relu)
    {
        public readonly int BatchSize = batchSize, Height = height, Width = width, Channels = channels, Filters = filters;
        public readonly int PadTop = padTop, PadLeft = padLeft, OutHeight = outHeight, OutWidth = outWidth;
        public readonly bool Relu = relu;
        public readonly int TileRows = (outHeight + tile - 1) / tile, TileColumns = (outWidth + tile - 1) / tile;

        public int TilesPerImage => TileRows * TileColumns;
    }

    private readonly ref struct WinogradKernel(
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
            int chunk = TilesAtATime(WinogradChunk, total, _scratch.Length / WinogradScratchMinimum(channels, filters));

            ref float v = ref MemoryMarshal.GetReference(_scratch); // [16, chunk, channels]
            ref float m = ref Unsafe.Add(ref v, WinogradPoints * chunk * channels); // [16, chunk, filters]
            Span<nint> at = stackalloc nint[WinogradPoints]; // one patch's pixels, reused tile after tile
            for (int first = 0; first < total; first += chunk)
            {
                int count = Math.Min(chunk, total - first);
                for (int i = 0; i < count; i++)
                {
                    TransformPatch<TVector, TWidth>(_x, ref Unsafe.Add(ref v, i * channels), chunk * channels, first + i, shape, at);
                }

                for (int t = 0; t < WinogradPoints; t++)
                {
                    WinogradProduct<TVector, TWidth>(
                        ref Unsafe.Add(ref v, t * chunk * channels), ref Unsafe.Add(ref MemoryMarshal.GetReference(_transformed), t * channels * filters),
                        ref Unsafe.Add(ref m, t * chunk * filters), count, channels, filters);
                }

                for (int i = 0; i < count; i++)
                {
                    TransformOutput<TVector, TWidth>(ref Unsafe.Add(ref m, i * filters), chunk * filters, _bias, _y, first + i, shape);
                }
            }
        }
    }

    /// <summary>
    /// V = Bᵀ d B for tile <paramref name="tile"/>'s 4×4 patch, every channel: point p of the transform goes to
    /// <c>v[p · pointStride + c]</c>. Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransformPatch<TVector, TWidth>(ReadOnlySpan<float> x, ref float v, int pointStride, int tile, in WinogradShape s, Span<nint> at)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int image = tile / s.TilesPerImage, inImage = tile - image * s.TilesPerImage;
        int ty = inImage / s.TileColumns, tx = inImage - ty * s.TileColumns;
        int iy0 = 2 * ty - s.PadTop, ix0 = 2 * tx - s.PadLeft, channels = s.Channels;
        ref float origin = ref MemoryMarshal.GetReference(x);
        nint imageStart = (nint)image * s.Height * s.Width * channels;

        // The patch's 16 pixels as offsets into x, or −1 where they lie outside the image (read as 0).
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                int iy = iy0 + i, ix = ix0 + j;
                at[4 * i + j] = (uint)iy < (uint)s.Height && (uint)ix < (uint)s.Width ? imageStart + ((nint)iy * s.Width + ix) * channels : -1;
            }
        }

        int c = 0;
        for (; c + TWidth.Count <= channels; c += TWidth.Count)
        {
            TransformPatchLanes<TVector, TWidth>(ref origin, at, c, ref v, pointStride);
        }

        for (; c < channels; c++)
        {
            TransformPatchLanes<float, Width1>(ref origin, at, c, ref v, pointStride);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransformPatchLanes<TVector, TWidth>(ref float x, ReadOnlySpan<nint> at, int c, ref float v, int pointStride)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        // Bᵀ d, column by column (the four columns j of row i are t{i}{j}), then (Bᵀ d) B, row by row.
        ColumnOfBtD<TVector, TWidth>(ref x, at[0], at[4], at[8], at[12], c, out TVector t00, out TVector t10, out TVector t20, out TVector t30);
        ColumnOfBtD<TVector, TWidth>(ref x, at[1], at[5], at[9], at[13], c, out TVector t01, out TVector t11, out TVector t21, out TVector t31);
        ColumnOfBtD<TVector, TWidth>(ref x, at[2], at[6], at[10], at[14], c, out TVector t02, out TVector t12, out TVector t22, out TVector t32);
        ColumnOfBtD<TVector, TWidth>(ref x, at[3], at[7], at[11], at[15], c, out TVector t03, out TVector t13, out TVector t23, out TVector t33);
        nuint stride = (nuint)pointStride, lane = (nuint)c;
        RowTimesB<TVector, TWidth>(t00, t01, t02, t03, ref v, lane, stride);
        RowTimesB<TVector, TWidth>(t10, t11, t12, t13, ref v, 4 * stride + lane, stride);
        RowTimesB<TVector, TWidth>(t20, t21, t22, t23, ref v, 8 * stride + lane, stride);
        RowTimesB<TVector, TWidth>(t30, t31, t32, t33, ref v, 12 * stride + lane, stride);
    }

    /// <summary>One column of Bᵀ d: d0 − d2, d1 + d2, d2 − d1, d1 − d3 from the column's four pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ColumnOfBtD<TVector, TWidth>(ref float x, nint p0, nint p1, nint p2, nint p3, int c, out TVector r0, out TVector r1, out TVector r2, out TVector r3)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        TVector d0 = Pixel<TVector, TWidth>(ref x, p0, c), d1 = Pixel<TVector, TWidth>(ref x, p1, c);
        TVector d2 = Pixel<TVector, TWidth>(ref x, p2, c), d3 = Pixel<TVector, TWidth>(ref x, p3, c);
        r0 = TWidth.Subtract(d0, d2);
        r1 = TWidth.Add(d1, d2);
        r2 = TWidth.Subtract(d2, d1);
        r3 = TWidth.Subtract(d1, d3);
    }

    /// <summary>One row of (Bᵀ d) B, its four points stored <paramref name="stride"/> apart from <paramref name="at"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowTimesB<TVector, TWidth>(TVector r0, TVector r1, TVector r2, TVector r3, ref float v, nuint at, nuint stride)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        TWidth.Store(TWidth.Subtract(r0, r2), ref v, at);
        TWidth.Store(TWidth.Add(r1, r2), ref v, at + stride);
        TWidth.Store(TWidth.Subtract(r2, r1), ref v, at + 2 * stride);
        TWidth.Store(TWidth.Subtract(r1, r3), ref v, at + 3 * stride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Pixel<TVector, TWidth>(ref float x, nint at, int c)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector> =>
        at < 0 ? TWidth.Zero : TWidth.Load(ref Unsafe.Add(ref x, at), (nuint)c);

    /// <summary>
    /// m [count, filters] = v [count, channels] · u [channels, filters] for one transform point: 6 tiles × 4 vectors of
    /// filters per pass over the channels (24 accumulators in registers, 24 multiply-adds per 4 loads and 6 broadcasts),
    /// three of the last tiles × 4 vectors (12 chains, enough to hide the multiply-add latency: F(4×4)'s 9 tiles of one
    /// mnist_convnet image are 6 + 3), the rest one at a time × 4 vectors (four independent chains), then single vectors, then scalars for the
    /// filters past the last whole vector. Every sum runs over the channels in order from zero, whichever block computes it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WinogradProduct<TVector, TWidth>(ref float v, ref float u, ref float m, int count, int channels, int filters)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int lanes = TWidth.Count;
        int vectorFilters = filters / lanes * lanes;
        int o = 0;
        for (; o + 4 * lanes <= vectorFilters; o += 4 * lanes)
        {
            int r = 0;
            for (; r + 6 <= count; r += 6)
            {
                Block6x4<TVector, TWidth>(ref Unsafe.Add(ref v, r * channels), ref Unsafe.Add(ref u, o), ref Unsafe.Add(ref m, r * filters + o), channels, filters);
            }

            if (r + 3 <= count)
            {
                Block3x4<TVector, TWidth>(ref Unsafe.Add(ref v, r * channels), ref Unsafe.Add(ref u, o), ref Unsafe.Add(ref m, r * filters + o), channels, filters);
                r += 3;
            }

            for (; r < count; r++)
            {
                Block1x4<TVector, TWidth>(ref Unsafe.Add(ref v, r * channels), ref Unsafe.Add(ref u, o), ref Unsafe.Add(ref m, r * filters + o), channels, filters);
            }
        }

        for (; o < vectorFilters; o += lanes)
        {
            for (int r = 0; r < count; r++)
            {
                Row1x1<TVector, TWidth>(ref Unsafe.Add(ref v, r * channels), ref Unsafe.Add(ref u, o), ref Unsafe.Add(ref m, r * filters + o), channels, filters);
            }
        }

        for (o = vectorFilters; o < filters; o++)
        {
            for (int r = 0; r < count; r++)
            {
                Row1x1<float, Width1>(ref Unsafe.Add(ref v, r * channels), ref Unsafe.Add(ref u, o), ref Unsafe.Add(ref m, r * filters + o), channels, filters);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block6x4<TVector, TWidth>(ref float v0, ref float u, ref float m, int channels, int filters)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        nuint lanes = (nuint)TWidth.Count, step = (nuint)channels;
        TVector a00 = TWidth.Zero, a01 = TWidth.Zero, a02 = TWidth.Zero, a03 = TWidth.Zero;
        TVector a10 = TWidth.Zero, a11 = TWidth.Zero, a12 = TWidth.Zero, a13 = TWidth.Zero;
        TVector a20 = TWidth.Zero, a21 = TWidth.Zero, a22 = TWidth.Zero, a23 = TWidth.Zero;
        TVector a30 = TWidth.Zero, a31 = TWidth.Zero, a32 = TWidth.Zero, a33 = TWidth.Zero;
        TVector a40 = TWidth.Zero, a41 = TWidth.Zero, a42 = TWidth.Zero, a43 = TWidth.Zero;
        TVector a50 = TWidth.Zero, a51 = TWidth.Zero, a52 = TWidth.Zero, a53 = TWidth.Zero;
        nuint row = 0;
        for (nuint c = 0; c < step; c++, row += (nuint)filters)
        {
            TVector w0 = TWidth.Load(ref u, row), w1 = TWidth.Load(ref u, row + lanes), w2 = TWidth.Load(ref u, row + 2 * lanes), w3 = TWidth.Load(ref u, row + 3 * lanes);
            TVector b = TWidth.Broadcast(Unsafe.Add(ref v0, c));
            a00 = TWidth.MultiplyAdd(b, w0, a00); a01 = TWidth.MultiplyAdd(b, w1, a01); a02 = TWidth.MultiplyAdd(b, w2, a02); a03 = TWidth.MultiplyAdd(b, w3, a03);
            b = TWidth.Broadcast(Unsafe.Add(ref v0, step + c));
            a10 = TWidth.MultiplyAdd(b, w0, a10); a11 = TWidth.MultiplyAdd(b, w1, a11); a12 = TWidth.MultiplyAdd(b, w2, a12); a13 = TWidth.MultiplyAdd(b, w3, a13);
            b = TWidth.Broadcast(Unsafe.Add(ref v0, 2 * step + c));
            a20 = TWidth.MultiplyAdd(b, w0, a20); a21 = TWidth.MultiplyAdd(b, w1, a21); a22 = TWidth.MultiplyAdd(b, w2, a22); a23 = TWidth.MultiplyAdd(b, w3, a23);
            b = TWidth.Broadcast(Unsafe.Add(ref v0, 3 * step + c));
            a30 = TWidth.MultiplyAdd(b, w0, a30); a31 = TWidth.MultiplyAdd(b, w1, a31); a32 = TWidth.MultiplyAdd(b, w2, a32); a33 = TWidth.MultiplyAdd(b, w3, a33);
            b = TWidth.Broadcast(Unsafe.Add(ref v0, 4 * step + c));
            a40 = TWidth.MultiplyAdd(b, w0, a40); a41 = TWidth.MultiplyAdd(b, w1, a41); a42 = TWidth.MultiplyAdd(b, w2, a42); a43 = TWidth.MultiplyAdd(b, w3, a43);
            b = TWidth.Broadcast(Unsafe.Add(ref v0, 5 * step + c));
            a50 = TWidth.MultiplyAdd(b, w0, a50); a51 = TWidth.MultiplyAdd(b, w1, a51); a52 = TWidth.MultiplyAdd(b, w2, a52); a53 = TWidth.MultiplyAdd(b, w3, a53);
        }

        nuint f = (nuint)filters;
        StoreFour<TVector, TWidth>(a00, a01, a02, a03, ref m, 0, lanes);
        StoreFour<TVector, TWidth>(a10, a11, a12, a13, ref m, f, lanes);
        StoreFour<TVector, TWidth>(a20, a21, a22, a23, ref m, 2 * f, lanes);
        StoreFour<TVector, TWidth>(a30, a31, a32, a33, ref m, 3 * f, lanes);
        StoreFour<TVector, TWidth>(a40, a41, a42, a43, ref m, 4 * f, lanes);
        StoreFour<TVector, TWidth>(a50, a51, a52, a53, ref m, 5 * f, lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block3x4<TVector, TWidth>(ref float v0, ref float u, ref float m, int channels, int filters)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        nuint lanes = (nuint)TWidth.Count, step = (nuint)channels;
        TVector a00 = TWidth.Zero, a01 = TWidth.Zero, a02 = TWidth.Zero, a03 = TWidth.Zero;
        TVector a10 = TWidth.Zero, a11 = TWidth.Zero, a12 = TWidth.Zero, a13 = TWidth.Zero;
        TVector a20 = TWidth.Zero, a21 = TWidth.Zero, a22 = TWidth.Zero, a23 = TWidth.Zero;
        nuint row = 0;
        for (nuint c = 0; c < step; c++, row += (nuint)filters)
        {
            TVector w0 = TWidth.Load(ref u, row), w1 = TWidth.Load(ref u, row + lanes), w2 = TWidth.Load(ref u, row + 2 * lanes), w3 = TWidth.Load(ref u, row + 3 * lanes);
            TVector b = TWidth.Broadcast(Unsafe.Add(ref v0, c));
            a00 = TWidth.MultiplyAdd(b, w0, a00); a01 = TWidth.MultiplyAdd(b, w1, a01); a02 = TWidth.MultiplyAdd(b, w2, a02); a03 = TWidth.MultiplyAdd(b, w3, a03);
            b = TWidth.Broadcast(Unsafe.Add(ref v0, step + c));
            a10 = TWidth.MultiplyAdd(b, w0, a10); a11 = TWidth.MultiplyAdd(b, w1, a11); a12 = TWidth.MultiplyAdd(b, w2, a12); a13 = TWidth.MultiplyAdd(b, w3, a13);
            b = TWidth.Broadcast(Unsafe.Add(ref v0, 2 * step + c));
            a20 = TWidth.MultiplyAdd(b, w0, a20); a21 = TWidth.MultiplyAdd(b, w1, a21); a22 = TWidth.MultiplyAdd(b, w2, a22); a23 = TWidth.MultiplyAdd(b, w3, a23);
        }

        nuint f = (nuint)filters;
        StoreFour<TVector, TWidth>(a00, a01, a02, a03, ref m, 0, lanes);
        StoreFour<TVector, TWidth>(a10, a11, a12, a13, ref m, f, lanes);
        StoreFour<TVector, TWidth>(a20, a21, a22, a23, ref m, 2 * f, lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1x4<TVector, TWidth>(ref float v, ref float u, ref float m, int channels, int filters)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        nuint lanes = (nuint)TWidth.Count;
        TVector a0 = TWidth.Zero, a1 = TWidth.Zero, a2 = TWidth.Zero, a3 = TWidth.Zero;
        nuint row = 0;
        for (nint c = 0; c < channels; c++, row += (nuint)filters)
        {
            TVector b = TWidth.Broadcast(Unsafe.Add(ref v, c));
            a0 = TWidth.MultiplyAdd(b, TWidth.Load(ref u, row), a0);
            a1 = TWidth.MultiplyAdd(b, TWidth.Load(ref u, row + lanes), a1);
            a2 = TWidth.MultiplyAdd(b, TWidth.Load(ref u, row + 2 * lanes), a2);
            a3 = TWidth.MultiplyAdd(b, TWidth.Load(ref u, row + 3 * lanes), a3);
        }

        StoreFour<TVector, TWidth>(a0, a1, a2, a3, ref m, 0, lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFour<TVector, TWidth>(TVector a0, TVector a1, TVector a2, TVector a3, ref float m, nuint at, nuint lanes)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        TWidth.Store(a0, ref m, at);
        TWidth.Store(a1, ref m, at + lanes);
        TWidth.Store(a2, ref m, at + 2 * lanes);
        TWidth.Store(a3, ref m, at + 3 * lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row1x1<TVector, TWidth>(ref float v, ref float u, ref float m, int channels, int filters)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        TVector a = TWidth.Zero;
        nuint row = 0;
        for (nint c = 0; c < channels; c++, row += (nuint)filters)
        {
            a = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref v, c)), TWidth.Load(ref u, row), a);
        }

        TWidth.Store(a, ref m, 0);
    }

    /// <summary>
    /// Y = Aᵀ M A + bias for tile <paramref name="tile"/>, every filter, stored where the 2×2 block lies inside the output.
    /// Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]; point p of M is <c>m[p · pointStride + o]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransformOutput<TVector, TWidth>(ref float m, int pointStride, ReadOnlySpan<float> bias, Span<float> y, int tile, in WinogradShape s)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int image = tile / s.TilesPerImage, inImage = tile - image * s.TilesPerImage;
        int ty = inImage / s.TileColumns, tx = inImage - ty * s.TileColumns;
        int oy = 2 * ty, ox = 2 * tx, filters = s.Filters;
        bool bottom = oy + 1 < s.OutHeight, right = ox + 1 < s.OutWidth;
        ref float y00 = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), (((nint)image * s.OutHeight + oy) * s.OutWidth + ox) * filters);
        nint rowStep = (nint)s.OutWidth * filters;
        ref float b = ref MemoryMarshal.GetReference(bias);
        int o = 0;
        for (; o + TWidth.Count <= filters; o += TWidth.Count)
        {
            TransformOutputLanes<TVector, TWidth>(ref m, pointStride, ref b, ref y00, rowStep, filters, o, bottom, right, s.Relu);
        }

        for (; o < filters; o++)
        {
            TransformOutputLanes<float, Width1>(ref m, pointStride, ref b, ref y00, rowStep, filters, o, bottom, right, s.Relu);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransformOutputLanes<TVector, TWidth>(ref float m, int pointStride, ref float bias, ref float y00, nint rowStep, int filters, int o, bool bottom, bool right, bool relu)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        nuint stride = (nuint)pointStride, lane = (nuint)o;

        // Aᵀ M: per column j, s0j = m0j + m1j + m2j and s1j = m1j − m2j − m3j over the rows.
        ColumnOfAtM<TVector, TWidth>(ref m, 0, stride, lane, out TVector s00, out TVector s10);
        ColumnOfAtM<TVector, TWidth>(ref m, 1, stride, lane, out TVector s01, out TVector s11);
        ColumnOfAtM<TVector, TWidth>(ref m, 2, stride, lane, out TVector s02, out TVector s12);
        ColumnOfAtM<TVector, TWidth>(ref m, 3, stride, lane, out TVector s03, out TVector s13);

        // (Aᵀ M) A, plus the bias.
        TVector b = TWidth.Load(ref bias, lane);
        TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(TWidth.Add(TWidth.Add(s00, s01), s02), b), relu), ref y00, lane);
        if (right)
        {
            TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(TWidth.Subtract(TWidth.Subtract(s01, s02), s03), b), relu), ref y00, lane + (nuint)filters);
        }

        if (bottom)
        {
            ref float below = ref Unsafe.Add(ref y00, rowStep);
            TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(TWidth.Add(TWidth.Add(s10, s11), s12), b), relu), ref below, lane);
            if (right)
            {
                TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(TWidth.Subtract(TWidth.Subtract(s11, s12), s13), b), relu), ref below, lane + (nuint)filters);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ColumnOfAtM<TVector, TWidth>(ref float m, int j, nuint stride, nuint lane, out TVector s0, out TVector s1)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        TVector m0 = TWidth.Load(ref m, (nuint)j * stride + lane), m1 = TWidth.Load(ref m, (nuint)(4 + j) * stride + lane);
        TVector m2 = TWidth.Load(ref m, (nuint)(8 + j) * stride + lane), m3 = TWidth.Load(ref m, (nuint)(12 + j) * stride + lane);
        s0 = TWidth.Add(TWidth.Add(m0, m1), m2);
        s1 = TWidth.Subtract(TWidth.Subtract(m1, m2), m3);
    }

    /// <summary>
    /// <paramref name="value"/>, through ReLU when <paramref name="relu"/>: <c>max(value, 0)</c> with NaN kept and −0 made
    /// +0, as <see cref="Activations.Relu"/> gives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Activated<TVector, TWidth>(TVector value, bool relu)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector> =>
        relu ? TWidth.ConditionalSelect(TWidth.Or(TWidth.GreaterThan(value, TWidth.Zero), TWidth.IsNaN(value)), value, TWidth.Zero) : value;
}
