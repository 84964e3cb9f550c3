using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

/// <summary>
/// The fully connected layer's three products, called by generated code with constant sizes.
/// <c>x</c> is [batch, inputs], <c>weight</c> [outputs, inputs] (PyTorch's layout), <c>y</c> and <c>dy</c> [batch, outputs].
/// Each product is register-blocked — 4 samples × 4 outputs per tile in the forward pass, 4 rows at a time in the
/// backward ones — and written once over <see cref="IVectorWidth{TVector}"/>; <see cref="Simd.Widest{TKernel}"/> runs it at the
/// widest accelerated vector (512, 256 or 128 bits) that the inputs fill, or the scalar path.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Dense
{
    private const int Tile = 4;

    /// <summary><c>y = x · Wᵀ + b</c>.</summary>
    public static void Forward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs)
    {
        CheckLengths(x.Length, batchSize, inputs, weight.Length, outputs, "y", y.Length, bias.Length, outputs);
        Calibration.Active?.Observe(x.Slice(0, batchSize * inputs), weight); // SafeTensors.Save with calibration inputs records the input ranges
        if (OutputSplit.Parts > 1 && OutputSplit.TryForward(x, weight, bias, y, batchSize, inputs, outputs))
        {
            return;
        }

        bool packed = TakesPackedPath(batchSize, inputs);
        var kernel = new ForwardKernel(x, weight, bias, y, batchSize, inputs, outputs, packed);
        Simd.Widest(ref kernel, inputs);
    }

    /// <summary>Accumulates <c>dW += dyᵀ · x</c> and <c>db += Σ_batch dy</c>.</summary>
    public static void BackwardWeights(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> weightGradient, Span<float> biasGradient,
        int batchSize, int inputs, int outputs)
    {
        CheckLengths(x.Length, batchSize, inputs, weightGradient.Length, outputs, "dy", dy.Length, biasGradient.Length, outputs);
        if (OutputSplit.Parts > 1 && OutputSplit.TryBackwardWeights(dy, x, weightGradient, biasGradient, batchSize, inputs, outputs))
        {
            return;
        }

        if (TryBackwardWeightsTall(dy, x, weightGradient, biasGradient, batchSize, inputs, outputs))
        {
            return;
        }

        var kernel = new BackwardWeightsKernel(dy, x, weightGradient, biasGradient, batchSize, inputs, outputs);
        Simd.Widest(ref kernel, inputs);
    }

    /// <summary>Writes <c>dx = dy · W</c>.</summary>
    public static void BackwardInput(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, Span<float> dx,
        int batchSize, int inputs, int outputs)
    {
        CheckLengths(dx.Length, batchSize, inputs, weight.Length, outputs, "dy", dy.Length, outputs, outputs);
        if (OutputSplit.Parts > 1 && OutputSplit.TryBackwardInput(dy, weight, dx, batchSize, inputs, outputs))
        {
            return;
        }

        if (TryBackwardInputTall(dy, weight, dx, batchSize, inputs, outputs))
        {
            return;
        }

        var kernel = new BackwardInputKernel(dy, weight, dx, batchSize, inputs, outputs, tall: false);
        Simd.Widest(ref kernel, inputs);
    }

    // The three products' bodies for Simd.Widest, which picks the widest accelerated vector that the inputs fill.
    private readonly ref struct ForwardKernel(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, int batchSize, int inputs, int outputs, bool packed) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly ReadOnlySpan<float> _weight = weight;
        private readonly ReadOnlySpan<float> _bias = bias;
        private readonly Span<float> _y = y;

        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            if (TWidth.Count > 1 && packed && outputs % (2 * TWidth.Count) == 0)
            {
                ForwardPacked<TVector, TWidth>(_x, _weight, _bias, _y, batchSize, inputs, outputs);
            }
            else
            {
                Forward<TVector, TWidth>(_x, _weight, _bias, _y, batchSize, inputs, outputs);
            }
        }
    }

    private readonly ref struct BackwardWeightsKernel(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> weightGradient, Span<float> biasGradient, int batchSize, int inputs, int outputs) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _dy = dy;
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _weightGradient = weightGradient;
        private readonly Span<float> _biasGradient = biasGradient;

        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector> =>
            BackwardWeights<TVector, TWidth>(_dy, _x, _weightGradient, _biasGradient, batchSize, inputs, outputs);
    }

    // dx = dy · W: the row passes, or (tall) the broadcast tiles of Dense.Tall.cs.
    private readonly ref struct BackwardInputKernel(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, Span<float> dx, int rows, int inputs, int outputs, bool tall) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _dy = dy;
        private readonly ReadOnlySpan<float> _weight = weight;
        private readonly Span<float> _dx = dx;

        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            if (tall)
            {
                InputBroadcast<TVector, TWidth>(_dy, _weight, _dx, rows, inputs, outputs);
            }
            else
            {
                BackwardInput<TVector, TWidth>(_dy, _weight, _dx, rows, inputs, outputs);
            }
        }
    }

    /// <summary>
    /// Batches at least this large take the packed path of the products over 16- and 8-bit weights, which decode the weights
    /// into panels (<c>Dense.Quantized.cs</c>); smaller ones decode 4 rows at a time for the 4 × 4 tiles. With the panels
    /// decoded a vector at a time (2026-12-04; before, a scattered store per weight cost 45–60 µs a call for the seed MLP and
    /// kept this at 128), the seed MLP compiled in (<c>QuantizedInferenceBenchmarks</c> at 16–128 samples, the packed path
    /// forced on and off, 09:05 UTC), bfloat16 / half / int8, µs, 4-row blocks against packed: 27.1 / 28.8 / 23.5 against
    /// 29.0 / 32.6 / 29.9 at 16 samples; 53.2 / 55.1 / 52.3 against 40.5 / 49.0 / 46.5 at 32; 102.6 / 104.6 / 99.7 against
    /// 72.5 / 74.4 / 71.6 at 64; 208 / 204 / 199 against 135 / 137 / 136 at 128.
    /// </summary>
    internal const int DecodedPackedMinBatch = 32;

    /// <summary>
    /// Products of at least this many rows take the float packed path when the outputs fill whole pairs of vectors, whatever
    /// their inputs. Packing is one pass over the weights per call; from 32 rows the 8 samples × 2 panels tiles, which read
    /// the weights once per 8 rows and need no horizontal sums, more than repay it: the seed MLP's 784 → 128 product, packing
    /// included, took 38.1 µs at 32 rows against 49.0 µs on the 4 × 4 tiles, 51.7 against 64.0 at 48, 67.2 against 97.7 at
    /// 64, 95.5 against 149.6 at 96 (<c>KernelBenchmarks.FirstLayer</c> with those batch sizes, the build that made this
    /// change and the one before, 2026-12-04; packing two panels at a time, later, took 32 rows to 35–36 µs). It was 128
    /// rows (64 for weights of 128 KB or less) before. Fewer rows: see <see cref="PackedInputsPerRow"/>.
    /// </summary>
    internal const int FloatPackedMinRows = 32;

    /// <summary>
    /// From 8 rows (one block of the 8 × 2 tiles) to <see cref="FloatPackedMinRows"/>, a product takes the packed path while
    /// its inputs are at most this many per row. The 4 × 4 tiles end every output's dot product with a horizontal sum, which
    /// short inputs do not amortise, while the packing's pass over the weights is shared by the rows. Measured with the pack
    /// forced from 8 rows against the 32-row threshold (2026-12-04 08:28–08:36 UTC, two runs each; µs, tiles against packed):
    /// 128 → 512 (an LSTM's recurrent product, <c>SequenceKernelBenchmarks</c> with those batch sizes): 17.5 against 10.0–11.6
    /// at 8 rows, 31.6–37.7 against 14.5–16.4 at 16, 47.4–47.7 against 19.5–21.3 at 24, and 62–66 against 23.5–25.5 at 32
    /// (where the 32-row threshold already packed; before it, at 64 and 96 rows, 126–138 against 43 and 190–237 against 64–67);
    /// 256 → 128: 5.5 against 4.7 at 8 rows, 10.9 against 7.1 at 16; 512 → 128: 8.6 against 9.8 at 8 (the tiles ahead), 17.2–17.4
    /// against 14.4 at 16; 784 → 128 (<c>KernelBenchmarks.FirstLayer</c>): 12.1–12.3 against 14.6–14.7 at 8 (the tiles ahead),
    /// 20.5–24.7 against 21.7–21.8 at 16 (level), 36.0–36.3 against 29.0 at 24. Forty inputs a row separates them: 8 rows
    /// pack up to 320 inputs, 16 up to 640, 24 up to 960.
    /// </summary>
    internal const int PackedInputsPerRow = 40;

    /// <summary>Whether a product of this many rows and inputs takes the packed path (when its outputs also fill whole pairs of vectors).</summary>
    internal static bool TakesPackedPath(int rows, int inputs) =>
        rows >= FloatPackedMinRows || (rows >= PackedBlockRows && inputs <= PackedInputsPerRow * rows);

    /// <summary>Samples per tile of the packed product (8 samples × 2 panels); the rows past the last whole block take the 4 × 4 tiles.</summary>
    private const int PackedBlockRows = 8;

    [ThreadStatic]
    private static float[]? t_packed;

    // From FloatPackedMinRows rows (fewer for short inputs, TakesPackedPath): the weights are packed into panels of one
    // vector of outputs ([panel][k][lane]) and 8 samples × 2 panels are run at a time with broadcast multiply-adds: per
    // step 2 panel loads and 8 broadcasts feed 16 multiply-adds, with no horizontal sums. Packing costs one pass over the weights per call. While the rows take at most
    // PairPackingMaxInputs (800 KB, about an L2), the panels are packed two at a time and each pair is run over all the rows
    // before the next is packed, so the packed copy is 2 panels (100 KB for 784 inputs at 512 bits) and stays in L2 beside
    // the rows it is packed from; more rows (a convolution's positions in training) would then be read once per pair from
    // farther away, so those pack every panel first and read the rows once (RunPacked). Each output's sum runs in the same
    // order either way.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForwardPacked<TVector, TWidth>(
        ReadOnlySpan<float> xSpan, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int lanes = TWidth.Count;
        // Outputs packed and run at a time: a pair of panels up to PairPackingMaxInputs of rows, else all of them.
        int group = (long)batchSize * inputs <= PairPackingMaxInputs ? 2 * lanes : outputs;
        float[] packed = t_packed is { } existing && existing.Length >= group * inputs ? existing : (t_packed = new float[group * inputs]);
        for (int first = 0; first < outputs; first += group) // the outputs fill whole panels: nothing left to clear
        {
            WritePanels(weight.Slice(first * inputs, group * inputs), packed, inputs, group, lanes);
            RunPacked<TVector, TWidth>(xSpan, packed, bias.Slice(first, group), y.Slice(first), batchSize, inputs, group, stride: outputs);
        }

        int rows = batchSize / PackedBlockRows * PackedBlockRows; // what RunPacked covered; the rest takes the 4 × 4 tiles
        if (rows < batchSize)
        {
            Forward<TVector, TWidth>(xSpan.Slice(rows * inputs), weight, bias, y.Slice(rows * outputs), batchSize - rows, inputs, outputs);
        }
    }

    /// <summary>
    /// Most input floats (rows × inputs: 800 KB) for which <see cref="ForwardPacked{TVector, TWidth}"/> packs the weights two
    /// panels at a time and reads the rows once per pair. Measured with the seed MLP's 784 → 128 (<c>KernelBenchmarks.FirstLayer</c>,
    /// the pairs forced on and off, 2026-12-04 08:20–08:25 UTC, two runs each): pairs 77.1–77.9 against 79.7–80.1 µs at 80
    /// rows, 92.5–92.9 against 93.9–95.5 at 96, level at 128, 160, 192 and 256 rows (121.9–123.6 against 121.7; 235.1–236.3
    /// against 233.5–238.2): the rows' broadcasts are as many either way, and their reloads from L2 or L3 hide behind the
    /// multiply-adds up to 800 KB of rows at least. It was 256 KB, reasoned rather than measured. Beyond it (a convolution's
    /// positions in training, megabytes of rows) every panel is packed first and the rows read once per 8-row block.
    /// </summary>
    internal const int PairPackingMaxInputs = 200 * 1024;

    // The packed product proper: 8 samples × 2 panels per step over the whole blocks of PackedBlockRows rows, whose count
    // it returns.
    // y's rows are `stride` floats apart: `outputs` for a whole product, more for a pair of panels within one.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RunPacked<TVector, TWidth>(
        ReadOnlySpan<float> xSpan, ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs, int stride)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int lanes = TWidth.Count;
        int panels = outputs / lanes;
        int panelLength = lanes * inputs;
        ref float x = ref MemoryMarshal.GetReference(xSpan);
        ref float p = ref MemoryMarshal.GetReference(packed);
        ref float yRef = ref MemoryMarshal.GetReference(y);
        ref float biasRef = ref MemoryMarshal.GetReference(bias);
        int rows = batchSize / PackedBlockRows * PackedBlockRows;
        for (int b = 0; b < rows; b += PackedBlockRows)
        {
            for (int panel = 0; panel < panels; panel += 2)
            {
                Panel8x2<TVector, TWidth>(ref Unsafe.Add(ref x, b * inputs), inputs, ref Unsafe.Add(ref p, panel * panelLength), panelLength,
                    ref Unsafe.Add(ref biasRef, panel * lanes), ref Unsafe.Add(ref yRef, b * stride + panel * lanes), stride);
            }
        }

        return rows;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Panel8x2<TVector, TWidth>(ref float x0, int n, ref float panel0, int panelLength, ref float bias, ref float y, int stride)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        ref float panel1 = ref Unsafe.Add(ref panel0, panelLength);
        ref float x1 = ref Unsafe.Add(ref x0, n);
        ref float x2 = ref Unsafe.Add(ref x1, n);
        ref float x3 = ref Unsafe.Add(ref x2, n);
        ref float x4 = ref Unsafe.Add(ref x3, n);
        ref float x5 = ref Unsafe.Add(ref x4, n);
        ref float x6 = ref Unsafe.Add(ref x5, n);
        ref float x7 = ref Unsafe.Add(ref x6, n);
        TVector a00 = TWidth.Zero, a01 = TWidth.Zero, a10 = TWidth.Zero, a11 = TWidth.Zero, a20 = TWidth.Zero, a21 = TWidth.Zero, a30 = TWidth.Zero, a31 = TWidth.Zero;
        TVector a40 = TWidth.Zero, a41 = TWidth.Zero, a50 = TWidth.Zero, a51 = TWidth.Zero, a60 = TWidth.Zero, a61 = TWidth.Zero, a70 = TWidth.Zero, a71 = TWidth.Zero;
        nuint lanes = (nuint)TWidth.Count;
        for (nuint k = 0, offset = 0; k < (nuint)n; k++, offset += lanes)
        {
            TVector v0 = TWidth.Load(ref panel0, offset), v1 = TWidth.Load(ref panel1, offset);
            TVector u = TWidth.Broadcast(Unsafe.Add(ref x0, k));
            a00 = TWidth.MultiplyAdd(u, v0, a00); a01 = TWidth.MultiplyAdd(u, v1, a01);
            u = TWidth.Broadcast(Unsafe.Add(ref x1, k));
            a10 = TWidth.MultiplyAdd(u, v0, a10); a11 = TWidth.MultiplyAdd(u, v1, a11);
            u = TWidth.Broadcast(Unsafe.Add(ref x2, k));
            a20 = TWidth.MultiplyAdd(u, v0, a20); a21 = TWidth.MultiplyAdd(u, v1, a21);
            u = TWidth.Broadcast(Unsafe.Add(ref x3, k));
            a30 = TWidth.MultiplyAdd(u, v0, a30); a31 = TWidth.MultiplyAdd(u, v1, a31);
            u = TWidth.Broadcast(Unsafe.Add(ref x4, k));
            a40 = TWidth.MultiplyAdd(u, v0, a40); a41 = TWidth.MultiplyAdd(u, v1, a41);
            u = TWidth.Broadcast(Unsafe.Add(ref x5, k));
            a50 = TWidth.MultiplyAdd(u, v0, a50); a51 = TWidth.MultiplyAdd(u, v1, a51);
            u = TWidth.Broadcast(Unsafe.Add(ref x6, k));
            a60 = TWidth.MultiplyAdd(u, v0, a60); a61 = TWidth.MultiplyAdd(u, v1, a61);
            u = TWidth.Broadcast(Unsafe.Add(ref x7, k));
            a70 = TWidth.MultiplyAdd(u, v0, a70); a71 = TWidth.MultiplyAdd(u, v1, a71);
        }

        TVector b0 = TWidth.Load(ref bias, 0), b1 = TWidth.Load(ref bias, lanes);
        nuint row = (nuint)stride;
        TWidth.Store(TWidth.Add(a00, b0), ref y, 0); TWidth.Store(TWidth.Add(a01, b1), ref y, lanes);
        TWidth.Store(TWidth.Add(a10, b0), ref y, row); TWidth.Store(TWidth.Add(a11, b1), ref y, row + lanes);
        TWidth.Store(TWidth.Add(a20, b0), ref y, 2 * row); TWidth.Store(TWidth.Add(a21, b1), ref y, 2 * row + lanes);
        TWidth.Store(TWidth.Add(a30, b0), ref y, 3 * row); TWidth.Store(TWidth.Add(a31, b1), ref y, 3 * row + lanes);
        TWidth.Store(TWidth.Add(a40, b0), ref y, 4 * row); TWidth.Store(TWidth.Add(a41, b1), ref y, 4 * row + lanes);
        TWidth.Store(TWidth.Add(a50, b0), ref y, 5 * row); TWidth.Store(TWidth.Add(a51, b1), ref y, 5 * row + lanes);
        TWidth.Store(TWidth.Add(a60, b0), ref y, 6 * row); TWidth.Store(TWidth.Add(a61, b1), ref y, 6 * row + lanes);
        TWidth.Store(TWidth.Add(a70, b0), ref y, 7 * row); TWidth.Store(TWidth.Add(a71, b1), ref y, 7 * row + lanes);
    }

    // y[b, o] = bias[o] + x_b · w_o, 4 samples × 4 outputs at a time: per step 8 loads feed 16 multiply-adds.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Forward<TVector, TWidth>(
        ReadOnlySpan<float> xSpan, ReadOnlySpan<float> weightSpan, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        ref float x = ref MemoryMarshal.GetReference(xSpan);
        ref float w = ref MemoryMarshal.GetReference(weightSpan);
        int b = 0;
        for (; b + Tile <= batchSize; b += Tile)
        {
            ref float x0 = ref Unsafe.Add(ref x, b * inputs);
            ref float x1 = ref Unsafe.Add(ref x0, inputs);
            ref float x2 = ref Unsafe.Add(ref x1, inputs);
            ref float x3 = ref Unsafe.Add(ref x2, inputs);
            int o = 0;
            for (; o + Tile <= outputs; o += Tile)
            {
                Tile4x4<TVector, TWidth>(ref x0, ref x1, ref x2, ref x3, ref Unsafe.Add(ref w, o * inputs), inputs, bias.Slice(o, Tile), y.Slice(b * outputs + o), outputs);
            }

            for (; o < outputs; o++)
            {
                ref float wo = ref Unsafe.Add(ref w, o * inputs);
                y[b * outputs + o] = bias[o] + Dot<TVector, TWidth>(ref x0, ref wo, inputs);
                y[(b + 1) * outputs + o] = bias[o] + Dot<TVector, TWidth>(ref x1, ref wo, inputs);
                y[(b + 2) * outputs + o] = bias[o] + Dot<TVector, TWidth>(ref x2, ref wo, inputs);
                y[(b + 3) * outputs + o] = bias[o] + Dot<TVector, TWidth>(ref x3, ref wo, inputs);
            }
        }

        for (; b < batchSize; b++)
        {
            ref float xb = ref Unsafe.Add(ref x, b * inputs);
            int o = 0;
            for (; o + Tile <= outputs; o += Tile)
            {
                Tile1x4<TVector, TWidth>(ref xb, ref Unsafe.Add(ref w, o * inputs), inputs, bias.Slice(o, Tile), y.Slice(b * outputs + o, Tile));
            }

            for (; o < outputs; o++)
            {
                y[b * outputs + o] = bias[o] + Dot<TVector, TWidth>(ref xb, ref Unsafe.Add(ref w, o * inputs), inputs);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x4<TVector, TWidth>(
        ref float x0, ref float x1, ref float x2, ref float x3, ref float w0, int n, ReadOnlySpan<float> bias, Span<float> y, int stride)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        ref float w1 = ref Unsafe.Add(ref w0, n);
        ref float w2 = ref Unsafe.Add(ref w1, n);
        ref float w3 = ref Unsafe.Add(ref w2, n);
        TVector a00 = TWidth.Zero, a01 = TWidth.Zero, a02 = TWidth.Zero, a03 = TWidth.Zero;
        TVector a10 = TWidth.Zero, a11 = TWidth.Zero, a12 = TWidth.Zero, a13 = TWidth.Zero;
        TVector a20 = TWidth.Zero, a21 = TWidth.Zero, a22 = TWidth.Zero, a23 = TWidth.Zero;
        TVector a30 = TWidth.Zero, a31 = TWidth.Zero, a32 = TWidth.Zero, a33 = TWidth.Zero;
        nuint k = 0;
        for (; k + (nuint)TWidth.Count <= (nuint)n; k += (nuint)TWidth.Count)
        {
            TVector v0 = TWidth.Load(ref w0, k), v1 = TWidth.Load(ref w1, k), v2 = TWidth.Load(ref w2, k), v3 = TWidth.Load(ref w3, k);
            TVector u = TWidth.Load(ref x0, k);
            a00 = TWidth.MultiplyAdd(u, v0, a00); a01 = TWidth.MultiplyAdd(u, v1, a01); a02 = TWidth.MultiplyAdd(u, v2, a02); a03 = TWidth.MultiplyAdd(u, v3, a03);
            u = TWidth.Load(ref x1, k);
            a10 = TWidth.MultiplyAdd(u, v0, a10); a11 = TWidth.MultiplyAdd(u, v1, a11); a12 = TWidth.MultiplyAdd(u, v2, a12); a13 = TWidth.MultiplyAdd(u, v3, a13);
            u = TWidth.Load(ref x2, k);
            a20 = TWidth.MultiplyAdd(u, v0, a20); a21 = TWidth.MultiplyAdd(u, v1, a21); a22 = TWidth.MultiplyAdd(u, v2, a22); a23 = TWidth.MultiplyAdd(u, v3, a23);
            u = TWidth.Load(ref x3, k);
            a30 = TWidth.MultiplyAdd(u, v0, a30); a31 = TWidth.MultiplyAdd(u, v1, a31); a32 = TWidth.MultiplyAdd(u, v2, a32); a33 = TWidth.MultiplyAdd(u, v3, a33);
        }

        Span<float> sums = stackalloc float[16];
        sums[0] = TWidth.Sum(a00); sums[1] = TWidth.Sum(a01); sums[2] = TWidth.Sum(a02); sums[3] = TWidth.Sum(a03);
        sums[4] = TWidth.Sum(a10); sums[5] = TWidth.Sum(a11); sums[6] = TWidth.Sum(a12); sums[7] = TWidth.Sum(a13);
        sums[8] = TWidth.Sum(a20); sums[9] = TWidth.Sum(a21); sums[10] = TWidth.Sum(a22); sums[11] = TWidth.Sum(a23);
        sums[12] = TWidth.Sum(a30); sums[13] = TWidth.Sum(a31); sums[14] = TWidth.Sum(a32); sums[15] = TWidth.Sum(a33);
        for (; k < (nuint)n; k++) // the tail narrower than a vector
        {
            float p0 = Unsafe.Add(ref x0, k), p1 = Unsafe.Add(ref x1, k), p2 = Unsafe.Add(ref x2, k), p3 = Unsafe.Add(ref x3, k);
            float q0 = Unsafe.Add(ref w0, k), q1 = Unsafe.Add(ref w1, k), q2 = Unsafe.Add(ref w2, k), q3 = Unsafe.Add(ref w3, k);
            sums[0] += p0 * q0; sums[1] += p0 * q1; sums[2] += p0 * q2; sums[3] += p0 * q3;
            sums[4] += p1 * q0; sums[5] += p1 * q1; sums[6] += p1 * q2; sums[7] += p1 * q3;
            sums[8] += p2 * q0; sums[9] += p2 * q1; sums[10] += p2 * q2; sums[11] += p2 * q3;
            sums[12] += p3 * q0; sums[13] += p3 * q1; sums[14] += p3 * q2; sums[15] += p3 * q3;
        }

        for (int i = 0; i < Tile; i++)
        {
            for (int j = 0; j < Tile; j++)
            {
                y[i * stride + j] = bias[j] + sums[i * Tile + j];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile1x4<TVector, TWidth>(ref float x, ref float w0, int n, ReadOnlySpan<float> bias, Span<float> y)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        ref float w1 = ref Unsafe.Add(ref w0, n);
        ref float w2 = ref Unsafe.Add(ref w1, n);
        ref float w3 = ref Unsafe.Add(ref w2, n);
        TVector a0 = TWidth.Zero, a1 = TWidth.Zero, a2 = TWidth.Zero, a3 = TWidth.Zero;
        nuint k = 0;
        for (; k + (nuint)TWidth.Count <= (nuint)n; k += (nuint)TWidth.Count)
        {
            TVector u = TWidth.Load(ref x, k);
            a0 = TWidth.MultiplyAdd(u, TWidth.Load(ref w0, k), a0);
            a1 = TWidth.MultiplyAdd(u, TWidth.Load(ref w1, k), a1);
            a2 = TWidth.MultiplyAdd(u, TWidth.Load(ref w2, k), a2);
            a3 = TWidth.MultiplyAdd(u, TWidth.Load(ref w3, k), a3);
        }

        float s0 = TWidth.Sum(a0), s1 = TWidth.Sum(a1), s2 = TWidth.Sum(a2), s3 = TWidth.Sum(a3);
        for (; k < (nuint)n; k++)
        {
            float p = Unsafe.Add(ref x, k);
            s0 += p * Unsafe.Add(ref w0, k);
            s1 += p * Unsafe.Add(ref w1, k);
            s2 += p * Unsafe.Add(ref w2, k);
            s3 += p * Unsafe.Add(ref w3, k);
        }

        y[0] = bias[0] + s0;
        y[1] = bias[1] + s1;
        y[2] = bias[2] + s2;
        y[3] = bias[3] + s3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot<TVector, TWidth>(ref float a, ref float b, int n)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        TVector sum = TWidth.Zero;
        nuint k = 0;
        for (; k + (nuint)TWidth.Count <= (nuint)n; k += (nuint)TWidth.Count)
        {
            sum = TWidth.MultiplyAdd(TWidth.Load(ref a, k), TWidth.Load(ref b, k), sum);
        }

        float total = TWidth.Sum(sum);
        for (; k < (nuint)n; k++)
        {
            total += Unsafe.Add(ref a, k) * Unsafe.Add(ref b, k);
        }

        return total;
    }

    // dW_o += Σ_b dy[b, o] · x_b, four samples per pass over the row: one load and one store of dW per 4 multiply-adds.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BackwardWeights<TVector, TWidth>(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> xSpan, Span<float> weightGradient, Span<float> biasGradient,
        int batchSize, int inputs, int outputs)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        ref float x = ref MemoryMarshal.GetReference(xSpan);
        for (int o = 0; o < outputs; o++)
        {
            ref float row = ref MemoryMarshal.GetReference(weightGradient.Slice(o * inputs, inputs));
            float biasSum = 0f;
            int b = 0;
            for (; b + Tile <= batchSize; b += Tile)
            {
                float g0 = dy[b * outputs + o], g1 = dy[(b + 1) * outputs + o], g2 = dy[(b + 2) * outputs + o], g3 = dy[(b + 3) * outputs + o];
                biasSum += g0 + g1 + g2 + g3;
                if (g0 == 0f && g1 == 0f && g2 == 0f && g3 == 0f)
                {
                    continue; // common after ReLU
                }

                AddScaledRows<TVector, TWidth>(ref row, g0, g1, g2, g3, ref Unsafe.Add(ref x, b * inputs), inputs);
            }

            for (; b < batchSize; b++)
            {
                float g = dy[b * outputs + o];
                biasSum += g;
                if (g != 0f)
                {
                    Axpy<TVector, TWidth>(g, ref Unsafe.Add(ref x, b * inputs), ref row, inputs);
                }
            }

            biasGradient[o] += biasSum;
        }
    }

    // dx_b = Σ_o dy[b, o] · w_o, four weight rows per pass over dx_b.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BackwardInput<TVector, TWidth>(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> weightSpan, Span<float> dxSpan,
        int batchSize, int inputs, int outputs)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        ref float w = ref MemoryMarshal.GetReference(weightSpan);
        for (int b = 0; b < batchSize; b++)
        {
            Span<float> dxRow = dxSpan.Slice(b * inputs, inputs);
            dxRow.Clear();
            ref float dx = ref MemoryMarshal.GetReference(dxRow);
            ReadOnlySpan<float> g = dy.Slice(b * outputs, outputs);
            int o = 0;
            for (; o + Tile <= outputs; o += Tile)
            {
                float g0 = g[o], g1 = g[o + 1], g2 = g[o + 2], g3 = g[o + 3];
                if (g0 == 0f && g1 == 0f && g2 == 0f && g3 == 0f)
                {
                    continue;
                }

                AddScaledRows<TVector, TWidth>(ref dx, g0, g1, g2, g3, ref Unsafe.Add(ref w, o * inputs), inputs);
            }

            for (; o < outputs; o++)
            {
                if (g[o] != 0f)
                {
                    Axpy<TVector, TWidth>(g[o], ref Unsafe.Add(ref w, o * inputs), ref dx, inputs);
                }
            }
        }
    }

    /// <summary>
    /// <c>destination += g0·r0 + g1·r1 + g2·r2 + g3·r3</c> over <paramref name="n"/> floats, where r0…r3 are four consecutive
    /// rows of length <paramref name="n"/> starting at <paramref name="rows"/>: one load and one store of the destination
    /// per four multiply-adds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaledRows<TVector, TWidth>(ref float destination, float g0, float g1, float g2, float g3, ref float rows, int n)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        ref float r0 = ref rows;
        ref float r1 = ref Unsafe.Add(ref r0, n);
        ref float r2 = ref Unsafe.Add(ref r1, n);
        ref float r3 = ref Unsafe.Add(ref r2, n);
        TVector c0 = TWidth.Broadcast(g0), c1 = TWidth.Broadcast(g1), c2 = TWidth.Broadcast(g2), c3 = TWidth.Broadcast(g3);
        nuint k = 0;
        for (; k + (nuint)TWidth.Count <= (nuint)n; k += (nuint)TWidth.Count)
        {
            TVector d = TWidth.Load(ref destination, k);
            d = TWidth.MultiplyAdd(c0, TWidth.Load(ref r0, k), d);
            d = TWidth.MultiplyAdd(c1, TWidth.Load(ref r1, k), d);
            d = TWidth.MultiplyAdd(c2, TWidth.Load(ref r2, k), d);
            d = TWidth.MultiplyAdd(c3, TWidth.Load(ref r3, k), d);
            TWidth.Store(d, ref destination, k);
        }

        for (; k < (nuint)n; k++)
        {
            Unsafe.Add(ref destination, k) += g0 * Unsafe.Add(ref r0, k) + g1 * Unsafe.Add(ref r1, k) + g2 * Unsafe.Add(ref r2, k) + g3 * Unsafe.Add(ref r3, k);
        }
    }

    /// <summary><c>y += a · x</c> over <paramref name="n"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy<TVector, TWidth>(float a, ref float x, ref float y, int n)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        TVector c = TWidth.Broadcast(a);
        nuint k = 0;
        for (; k + (nuint)TWidth.Count <= (nuint)n; k += (nuint)TWidth.Count)
        {
            TWidth.Store(TWidth.MultiplyAdd(c, TWidth.Load(ref x, k), TWidth.Load(ref y, k)), ref y, k);
        }

        for (; k < (nuint)n; k++)
        {
            Unsafe.Add(ref y, k) += a * Unsafe.Add(ref x, k);
        }
    }

    /// <summary>The spans must hold what the sizes say; the kernels index them without bounds checks.</summary>
    private static void CheckLengths(int xLength, int batchSize, int inputs, int weightLength, int outputs, string perSampleName, int perSampleLength, int biasLength, int biasNeeded)
    {
        if (batchSize < 0 || inputs <= 0 || outputs <= 0 ||
            xLength < (long)batchSize * inputs || weightLength < (long)outputs * inputs ||
            perSampleLength < (long)batchSize * outputs || biasLength < biasNeeded)
        {
            throw new ArgumentException(
                $"Dense kernel spans too short for batch {batchSize}, {inputs} → {outputs}: x/dx {xLength}, weight {weightLength}, {perSampleName} {perSampleLength}, bias {biasLength}.");
        }
    }
}
