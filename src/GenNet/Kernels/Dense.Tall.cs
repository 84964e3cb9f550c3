using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

/// <summary>
/// The backward products as broadcast tiles — 8 rows × 2 vectors of accumulators fed by 2 vector loads and 8 broadcasts per
/// step, with no horizontal sums and each dW element loaded and stored once per chunk of rows rather than once per 4 rows.
/// For dW the sum runs over the rows, in chunks small enough that a chunk of x stays in L2 while every tile of dW passes
/// over it. ConvKernelBenchmarks measures them (the MLP's 784 → 128 dW at batch 32: 34 µs; a convolution's 288 → 64 dW over
/// one image's 121 positions: 21 µs); the README's epoch table shows what they did to training (batch 32: 0.370 → 0.283 s).
/// The row passes remain for fewer rows, where they skip zero gradients cheaply.
/// </summary>
public static partial class Dense
{
    /// <summary>Products with at least this many rows take the broadcast tiles.</summary>
    internal const int TallMinRows = 16;

    /// <summary>Rows of x and dy summed per visit of dW's tiles: the chunk of x should stay in L2.</summary>
    private const int ChunkBytes = 256 * 1024;

    private static bool TryBackwardWeightsTall(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> weightGradient, Span<float> biasGradient, int rows, int inputs, int outputs)
    {
        if (rows < TallMinRows)
        {
            return false;
        }

        var alongInputs = new WeightsKernel(dy, x, weightGradient, rows, inputs, outputs, alongInputs: true);
        var alongOutputs = new WeightsKernel(dy, x, weightGradient, rows, inputs, outputs, alongInputs: false);
        if (!Simd.Widest(ref alongInputs, inputs, minimumVectors: 2, narrowestBits: 256) &&
            !Simd.Widest(ref alongOutputs, outputs, minimumVectors: 1, narrowestBits: 256))
        {
            return false; // 128-bit and scalar machines keep the row passes
        }

        var biasKernel = new SumRowsKernel(dy, biasGradient, rows, outputs);
        Simd.Widest(ref biasKernel, outputs);
        return true;
    }

    private static bool TryBackwardInputTall(ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, Span<float> dx, int rows, int inputs, int outputs)
    {
        if (rows < TallMinRows)
        {
            return false;
        }

        var kernel = new BackwardInputKernel(dy, weight, dx, rows, inputs, outputs, tall: true);
        return Simd.Widest(ref kernel, inputs, minimumVectors: 2, narrowestBits: 256);
    }

    // dW along whichever dimension fills two vectors (one for the outputs), at 256 or 512 bits.
    private readonly ref struct WeightsKernel(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> weightGradient, int rows, int inputs, int outputs, bool alongInputs) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _dy = dy;
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _weightGradient = weightGradient;

        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            if (alongInputs)
            {
                WeightsAlongInputs<TVector, TWidth>(_dy, _x, _weightGradient, rows, inputs, outputs);
            }
            else
            {
                WeightsAlongOutputs<TVector, TWidth>(_dy, _x, _weightGradient, rows, inputs, outputs);
            }
        }
    }

    // Sums each output's column with one lane per output, so every width (and the scalar tail) adds in the same order.
    private readonly ref struct SumRowsKernel(ReadOnlySpan<float> dy, Span<float> biasGradient, int rows, int outputs) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _dy = dy;
        private readonly Span<float> _biasGradient = biasGradient;

        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector> =>
            SumRows<TVector, TWidth>(_dy, _biasGradient, rows, outputs);
    }

    // db[o] += Σ_b dy[b, o]: a vector of outputs at a time down the rows, then the outputs past the last whole vector.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SumRows<TVector, TWidth>(ReadOnlySpan<float> dySpan, Span<float> biasGradient, int rows, int outputs)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int lanes = TWidth.Count;
        ref float dy = ref MemoryMarshal.GetReference(dySpan);
        int o = 0;
        for (; o + lanes <= outputs; o += lanes)
        {
            TVector sum = TWidth.Zero;
            ref float column = ref Unsafe.Add(ref dy, o);
            for (int b = 0; b < rows; b++)
            {
                sum = TWidth.Add(sum, TWidth.Load(ref column, (nuint)((nint)b * outputs)));
            }

            TWidth.Store(TWidth.Add(sum, TWidth.Load(ref MemoryMarshal.GetReference(biasGradient), (nuint)o)), ref MemoryMarshal.GetReference(biasGradient), (nuint)o);
        }

        for (; o < outputs; o++)
        {
            float sum = 0f;
            for (int b = 0; b < rows; b++)
            {
                sum += Unsafe.Add(ref dy, (nint)b * outputs + o);
            }

            biasGradient[o] += sum;
        }
    }

    // dx[b, i] = Σ_o dy[b, o] · W[o, i]: 8 rows × 2 vectors of inputs per tile, the sum over o.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void InputBroadcast<TVector, TWidth>(ReadOnlySpan<float> dySpan, ReadOnlySpan<float> weight, Span<float> dxSpan, int rows, int inputs, int outputs)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int lanes = TWidth.Count;
        ref float dy = ref MemoryMarshal.GetReference(dySpan);
        ref float w = ref MemoryMarshal.GetReference(weight);
        ref float dx = ref MemoryMarshal.GetReference(dxSpan);
        int b = 0;
        for (; b + 8 <= rows; b += 8)
        {
            ref float a = ref Unsafe.Add(ref dy, b * outputs);
            ref float c = ref Unsafe.Add(ref dx, b * inputs);
            int i = 0;
            for (; i + 2 * lanes <= inputs; i += 2 * lanes)
            {
                Tile8x2<TVector, TWidth>(ref a, outputs, 1, ref Unsafe.Add(ref w, i), inputs, outputs, ref Unsafe.Add(ref c, i), inputs, accumulate: false);
            }

            for (; i < inputs; i += lanes)
            {
                int from = Math.Min(i, inputs - lanes); // the last vector overlaps the one before: recomputed values are the same
                Tile8x1<TVector, TWidth>(ref a, outputs, 1, ref Unsafe.Add(ref w, from), inputs, outputs, ref Unsafe.Add(ref c, from), inputs, accumulate: false);
            }
        }

        for (; b < rows; b++)
        {
            ref float a = ref Unsafe.Add(ref dy, b * outputs);
            ref float c = ref Unsafe.Add(ref dx, b * inputs);
            for (int i = 0; i < inputs; i += lanes)
            {
                int from = Math.Min(i, inputs - lanes);
                Tile1x1<TVector, TWidth>(ref a, 1, ref Unsafe.Add(ref w, from), inputs, outputs, ref Unsafe.Add(ref c, from), accumulate: false);
            }
        }
    }

    // dW[o, i] += Σ_b dy[b, o] · x[b, i] with vectors along i: tiles of 8 outputs × 2 vectors of inputs, summed over a chunk of rows.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WeightsAlongInputs<TVector, TWidth>(ReadOnlySpan<float> dySpan, ReadOnlySpan<float> xSpan, Span<float> gradient, int rows, int inputs, int outputs)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int lanes = TWidth.Count;
        int tailFrom = inputs / lanes * lanes; // inputs past the whole vectors: TailColumn
        int chunk = Math.Max(16, ChunkBytes / (4 * (inputs + outputs)));
        ref float dy = ref MemoryMarshal.GetReference(dySpan);
        ref float x = ref MemoryMarshal.GetReference(xSpan);
        ref float dw = ref MemoryMarshal.GetReference(gradient);
        for (int start = 0; start < rows; start += chunk)
        {
            int count = Math.Min(chunk, rows - start);
            ref float dyChunk = ref Unsafe.Add(ref dy, start * outputs);
            ref float xChunk = ref Unsafe.Add(ref x, start * inputs);
            int o = 0;
            for (; o + 8 <= outputs; o += 8)
            {
                int i = 0;
                for (; i + 2 * lanes <= tailFrom; i += 2 * lanes)
                {
                    Tile8x2<TVector, TWidth>(ref Unsafe.Add(ref dyChunk, o), 1, outputs, ref Unsafe.Add(ref xChunk, i), inputs, count, ref Unsafe.Add(ref dw, o * inputs + i), inputs, accumulate: true);
                }

                for (; i < tailFrom; i += lanes)
                {
                    Tile8x1<TVector, TWidth>(ref Unsafe.Add(ref dyChunk, o), 1, outputs, ref Unsafe.Add(ref xChunk, i), inputs, count, ref Unsafe.Add(ref dw, o * inputs + i), inputs, accumulate: true);
                }
            }

            for (; o < outputs; o++)
            {
                for (int i = 0; i < tailFrom; i += lanes)
                {
                    Tile1x1<TVector, TWidth>(ref Unsafe.Add(ref dyChunk, o), outputs, ref Unsafe.Add(ref xChunk, i), inputs, count, ref Unsafe.Add(ref dw, o * inputs + i), accumulate: true);
                }
            }

            for (int i = tailFrom; i < inputs; i++)
            {
                TailColumn<TVector, TWidth>(ref dyChunk, ref xChunk, ref dw, count, i, inputs, outputs);
            }
        }
    }

    [ThreadStatic]
    private static float[]? t_column;

    // dW[:, i] += Σ_b dy[b, :] · x[b, i] for an input past the whole vectors: the column gathered into a row, vectors
    // along the outputs, written back. Each element takes a product then an add per row in row order, as the scalar loop
    // this replaces did (it strode through dW and ran at scalar speed: SequenceTrainingKernelBenchmarks), so the bits are its.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TailColumn<TVector, TWidth>(ref float dy, ref float x, ref float dw, int rows, int i, int inputs, int outputs)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        float[] buffer = t_column is { } existing && existing.Length >= outputs ? existing : (t_column = new float[outputs]);
        ref float column = ref MemoryMarshal.GetArrayDataReference(buffer);
        for (int o = 0; o < outputs; o++)
        {
            Unsafe.Add(ref column, o) = Unsafe.Add(ref dw, o * inputs + i);
        }

        int whole = outputs / TWidth.Count * TWidth.Count;
        for (int b = 0; b < rows; b++)
        {
            float xi = Unsafe.Add(ref x, b * inputs + i);
            TVector xv = TWidth.Broadcast(xi);
            ref float g = ref Unsafe.Add(ref dy, b * outputs);
            int o = 0;
            for (; o < whole; o += TWidth.Count)
            {
                TWidth.Store(TWidth.Add(TWidth.Load(ref column, (nuint)o), TWidth.Multiply(TWidth.Load(ref g, (nuint)o), xv)), ref column, (nuint)o);
            }

            for (; o < outputs; o++)
            {
                Unsafe.Add(ref column, o) += Unsafe.Add(ref g, o) * xi;
            }
        }

        for (int o = 0; o < outputs; o++)
        {
            Unsafe.Add(ref dw, o * inputs + i) = Unsafe.Add(ref column, o);
        }
    }

    // dW[o, i] += Σ_b dy[b, o] · x[b, i] with vectors along o, for few inputs (a first convolution's 3×3 window): tiles of
    // 8 inputs × 2 vectors of outputs summed over all rows, then added to dW transposed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WeightsAlongOutputs<TVector, TWidth>(ReadOnlySpan<float> dySpan, ReadOnlySpan<float> xSpan, Span<float> gradient, int rows, int inputs, int outputs)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int lanes = TWidth.Count;
        ref float dy = ref MemoryMarshal.GetReference(dySpan);
        ref float x = ref MemoryMarshal.GetReference(xSpan);
        Span<float> tile = stackalloc float[8 * 2 * 16];
        ref float t = ref MemoryMarshal.GetReference(tile);
        int o = 0;
        while (o < outputs)
        {
            bool two = outputs - o >= 2 * lanes;
            int width = two ? 2 * lanes : lanes;
            int from = Math.Min(o, outputs - width); // the last tile may overlap the one before; only its new outputs are added
            for (int i = 0; i < inputs; i += 8)
            {
                int rowsOfTile = Math.Min(8, inputs - i);
                if (rowsOfTile == 8 && two)
                {
                    Tile8x2<TVector, TWidth>(ref Unsafe.Add(ref x, i), 1, inputs, ref Unsafe.Add(ref dy, from), outputs, rows, ref t, width, accumulate: false);
                }
                else if (rowsOfTile == 8)
                {
                    Tile8x1<TVector, TWidth>(ref Unsafe.Add(ref x, i), 1, inputs, ref Unsafe.Add(ref dy, from), outputs, rows, ref t, width, accumulate: false);
                }
                else
                {
                    for (int r = 0; r < rowsOfTile; r++)
                    {
                        for (int v = 0; v < width; v += lanes)
                        {
                            Tile1x1<TVector, TWidth>(ref Unsafe.Add(ref x, i + r), inputs, ref Unsafe.Add(ref dy, from + v), outputs, rows, ref Unsafe.Add(ref t, r * width + v), accumulate: false);
                        }
                    }
                }

                for (int r = 0; r < rowsOfTile; r++)
                {
                    for (int j = o - from; j < width; j++)
                    {
                        gradient[(from + j) * inputs + i + r] += tile[r * width + j];
                    }
                }
            }

            o = from + width;
        }
    }

    /// <summary>
    /// c[r, v] (+)= Σ_k a[r·aRow + k·aStep] · b[k·bStep + v], for 8 values of r and 2 vectors of v: per step 2 vector loads and 8
    /// broadcasts feed 16 multiply-adds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile8x2<TVector, TWidth>(ref float a, nint aRow, nint aStep, ref float b, nint bStep, int steps, ref float c, nint cRow, bool accumulate)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        TVector c00 = TWidth.Zero, c01 = TWidth.Zero, c10 = TWidth.Zero, c11 = TWidth.Zero, c20 = TWidth.Zero, c21 = TWidth.Zero, c30 = TWidth.Zero, c31 = TWidth.Zero;
        TVector c40 = TWidth.Zero, c41 = TWidth.Zero, c50 = TWidth.Zero, c51 = TWidth.Zero, c60 = TWidth.Zero, c61 = TWidth.Zero, c70 = TWidth.Zero, c71 = TWidth.Zero;
        nuint lanes = (nuint)TWidth.Count;
        ref float a0 = ref a;
        ref float a1 = ref Unsafe.Add(ref a0, aRow);
        ref float a2 = ref Unsafe.Add(ref a1, aRow);
        ref float a3 = ref Unsafe.Add(ref a2, aRow);
        ref float a4 = ref Unsafe.Add(ref a3, aRow);
        ref float a5 = ref Unsafe.Add(ref a4, aRow);
        ref float a6 = ref Unsafe.Add(ref a5, aRow);
        ref float a7 = ref Unsafe.Add(ref a6, aRow);
        nint ak = 0, bk = 0;
        for (int k = 0; k < steps; k++, ak += aStep, bk += bStep)
        {
            ref float bRow = ref Unsafe.Add(ref b, bk);
            TVector v0 = TWidth.Load(ref bRow, 0), v1 = TWidth.Load(ref bRow, lanes);
            TVector u = TWidth.Broadcast(Unsafe.Add(ref a0, ak));
            c00 = TWidth.MultiplyAdd(u, v0, c00); c01 = TWidth.MultiplyAdd(u, v1, c01);
            u = TWidth.Broadcast(Unsafe.Add(ref a1, ak));
            c10 = TWidth.MultiplyAdd(u, v0, c10); c11 = TWidth.MultiplyAdd(u, v1, c11);
            u = TWidth.Broadcast(Unsafe.Add(ref a2, ak));
            c20 = TWidth.MultiplyAdd(u, v0, c20); c21 = TWidth.MultiplyAdd(u, v1, c21);
            u = TWidth.Broadcast(Unsafe.Add(ref a3, ak));
            c30 = TWidth.MultiplyAdd(u, v0, c30); c31 = TWidth.MultiplyAdd(u, v1, c31);
            u = TWidth.Broadcast(Unsafe.Add(ref a4, ak));
            c40 = TWidth.MultiplyAdd(u, v0, c40); c41 = TWidth.MultiplyAdd(u, v1, c41);
            u = TWidth.Broadcast(Unsafe.Add(ref a5, ak));
            c50 = TWidth.MultiplyAdd(u, v0, c50); c51 = TWidth.MultiplyAdd(u, v1, c51);
            u = TWidth.Broadcast(Unsafe.Add(ref a6, ak));
            c60 = TWidth.MultiplyAdd(u, v0, c60); c61 = TWidth.MultiplyAdd(u, v1, c61);
            u = TWidth.Broadcast(Unsafe.Add(ref a7, ak));
            c70 = TWidth.MultiplyAdd(u, v0, c70); c71 = TWidth.MultiplyAdd(u, v1, c71);
        }

        Put<TVector, TWidth>(c00, ref c, 0, accumulate); Put<TVector, TWidth>(c01, ref c, lanes, accumulate);
        Put<TVector, TWidth>(c10, ref Unsafe.Add(ref c, cRow), 0, accumulate); Put<TVector, TWidth>(c11, ref Unsafe.Add(ref c, cRow), lanes, accumulate);
        Put<TVector, TWidth>(c20, ref Unsafe.Add(ref c, 2 * cRow), 0, accumulate); Put<TVector, TWidth>(c21, ref Unsafe.Add(ref c, 2 * cRow), lanes, accumulate);
        Put<TVector, TWidth>(c30, ref Unsafe.Add(ref c, 3 * cRow), 0, accumulate); Put<TVector, TWidth>(c31, ref Unsafe.Add(ref c, 3 * cRow), lanes, accumulate);
        Put<TVector, TWidth>(c40, ref Unsafe.Add(ref c, 4 * cRow), 0, accumulate); Put<TVector, TWidth>(c41, ref Unsafe.Add(ref c, 4 * cRow), lanes, accumulate);
        Put<TVector, TWidth>(c50, ref Unsafe.Add(ref c, 5 * cRow), 0, accumulate); Put<TVector, TWidth>(c51, ref Unsafe.Add(ref c, 5 * cRow), lanes, accumulate);
        Put<TVector, TWidth>(c60, ref Unsafe.Add(ref c, 6 * cRow), 0, accumulate); Put<TVector, TWidth>(c61, ref Unsafe.Add(ref c, 6 * cRow), lanes, accumulate);
        Put<TVector, TWidth>(c70, ref Unsafe.Add(ref c, 7 * cRow), 0, accumulate); Put<TVector, TWidth>(c71, ref Unsafe.Add(ref c, 7 * cRow), lanes, accumulate);
    }

    /// <summary>As <see cref="Tile8x2{TVector, TWidth}"/> with one vector of v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile8x1<TVector, TWidth>(ref float a, nint aRow, nint aStep, ref float b, nint bStep, int steps, ref float c, nint cRow, bool accumulate)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        TVector c0 = TWidth.Zero, c1 = TWidth.Zero, c2 = TWidth.Zero, c3 = TWidth.Zero, c4 = TWidth.Zero, c5 = TWidth.Zero, c6 = TWidth.Zero, c7 = TWidth.Zero;
        ref float a0 = ref a;
        ref float bk = ref b;
        for (int k = 0; k < steps; k++)
        {
            TVector v = TWidth.Load(ref bk, 0);
            c0 = TWidth.MultiplyAdd(TWidth.Broadcast(a0), v, c0);
            c1 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref a0, aRow)), v, c1);
            c2 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref a0, 2 * aRow)), v, c2);
            c3 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref a0, 3 * aRow)), v, c3);
            c4 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref a0, 4 * aRow)), v, c4);
            c5 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref a0, 5 * aRow)), v, c5);
            c6 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref a0, 6 * aRow)), v, c6);
            c7 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref a0, 7 * aRow)), v, c7);
            a0 = ref Unsafe.Add(ref a0, aStep);
            bk = ref Unsafe.Add(ref bk, bStep);
        }

        Put<TVector, TWidth>(c0, ref c, 0, accumulate);
        Put<TVector, TWidth>(c1, ref Unsafe.Add(ref c, cRow), 0, accumulate);
        Put<TVector, TWidth>(c2, ref Unsafe.Add(ref c, 2 * cRow), 0, accumulate);
        Put<TVector, TWidth>(c3, ref Unsafe.Add(ref c, 3 * cRow), 0, accumulate);
        Put<TVector, TWidth>(c4, ref Unsafe.Add(ref c, 4 * cRow), 0, accumulate);
        Put<TVector, TWidth>(c5, ref Unsafe.Add(ref c, 5 * cRow), 0, accumulate);
        Put<TVector, TWidth>(c6, ref Unsafe.Add(ref c, 6 * cRow), 0, accumulate);
        Put<TVector, TWidth>(c7, ref Unsafe.Add(ref c, 7 * cRow), 0, accumulate);
    }

    /// <summary>c[v] (+)= Σ_k a[k·aStep] · b[k·bStep + v] for one vector of v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile1x1<TVector, TWidth>(ref float a, nint aStep, ref float b, nint bStep, int steps, ref float c, bool accumulate)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        TVector sum = TWidth.Zero;
        ref float a0 = ref a;
        ref float bk = ref b;
        for (int k = 0; k < steps; k++)
        {
            sum = TWidth.MultiplyAdd(TWidth.Broadcast(a0), TWidth.Load(ref bk, 0), sum);
            a0 = ref Unsafe.Add(ref a0, aStep);
            bk = ref Unsafe.Add(ref bk, bStep);
        }

        Put<TVector, TWidth>(sum, ref c, 0, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<TVector, TWidth>(TVector value, ref float destination, nuint offset, bool accumulate)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector> =>
        TWidth.Store(accumulate ? TWidth.Add(TWidth.Load(ref destination, offset), value) : value, ref destination, offset);
}
