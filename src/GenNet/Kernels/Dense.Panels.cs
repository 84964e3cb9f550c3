using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GenNet.Kernels;

// The forward product over weights kept packed in panels of 16 outputs, [panel][input][16] (the last panel padded with
// zeros): what an inference-only network's compiled-in weights are packed to once per process (EmbeddedWeights.DensePanels). One sample streams the panels front to back, a broadcast input times one vector of the panel per
// multiply-add and no horizontal sums, which the weights' bytes from L2 bound instead of the row path's 4 (or 8) strided
// rows. Each output's sum is the row path's, bit for bit: at a vector of L floats the row path keeps, per output, one
// accumulator whose lane j sums the inputs k ≡ j (mod L) in order, adds the lanes pairwise (Sum: lanes 0+1, 2+3, then
// those pairs, and so on, which is how Vector128/256/512.Sum add on every instruction set), then the inputs past the last
// whole vector one at a time (multiply, then add), then the bias. Here the 16 accumulators of a panel are those lanes for
// 16 outputs at once — accumulator r·V + v holds lane r of outputs v·L … v·L + L − 1, V = 16 / L — added in the same
// pairs. So a network gives the same bits whether it reads its panels or its rows, at every batch size and width.
public static partial class Dense
{
    /// <summary>Outputs per panel: one 512-bit vector of floats, two 256-bit, four 128-bit, sixteen scalars.</summary>
    internal const int PanelOutputs = 16;

    /// <summary>The length of the panels of a weight [<paramref name="outputs"/>, <paramref name="inputs"/>]: whole panels of 16 outputs.</summary>
    public static int PanelLength(int inputs, int outputs) =>
        checked((outputs + PanelOutputs - 1) / PanelOutputs * PanelOutputs * inputs);

    /// <summary>
    /// Packs <paramref name="weight"/> [outputs, inputs] into <paramref name="panels"/> ([panel][input][16], <see cref="PanelLength"/>
    /// values; the outputs past the last whole panel are zeros): the layout of <see cref="ForwardPanels"/>.
    /// </summary>
    public static void PackPanels<T>(ReadOnlySpan<T> weight, Span<T> panels, int inputs, int outputs)
        where T : unmanaged
    {
        if (inputs <= 0 || outputs <= 0 || weight.Length < (long)inputs * outputs || panels.Length < PanelLength(inputs, outputs))
        {
            throw new ArgumentException($"Dense panels for {inputs} → {outputs}: weight {weight.Length}, panels {panels.Length} (needs {PanelLength(inputs, outputs)}).");
        }

        panels.Slice(0, PanelLength(inputs, outputs)).Clear();
        WritePanels(weight, panels, inputs, outputs, PanelOutputs);
    }

    /// <summary>
    /// Writes <paramref name="weight"/> [outputs, inputs] into <paramref name="panels"/> as panels of <paramref name="width"/>
    /// outputs, [panel][input][width]: <see cref="PackPanels"/>'s 16, or the one vector of outputs of the packed product,
    /// which packs on every call (at 512 bits the same layout). Only the outputs' own places are written: the rest of a
    /// last partial panel is left as it is.
    /// </summary>
    private static void WritePanels<T>(ReadOnlySpan<T> weight, Span<T> panels, int inputs, int outputs, int width)
        where T : unmanaged
    {
        // The block transpose writes the first `done` inputs of the outputs of whole panels; the scalar loop the rest.
        int done = 0, wholePanels = outputs / width * width;
        if (typeof(T) == typeof(float) && width == 16 && Avx512F.IsSupported)
        {
            done = TransposePanels16(MemoryMarshal.Cast<T, float>(weight), MemoryMarshal.Cast<T, float>(panels), inputs, outputs);
        }

        for (int o = 0; o < outputs; o++)
        {
            ReadOnlySpan<T> row = weight.Slice(o * inputs, inputs);
            Span<T> panel = panels.Slice(o / width * width * inputs);
            int lane = o % width;
            for (int k = o < wholePanels ? done : 0; k < inputs; k++)
            {
                panel[k * width + lane] = row[k];
            }
        }
    }

    // The whole panels' first inputs / 16 · 16 inputs, as 16 × 16 blocks transposed in registers (16 loads, 64 shuffles,
    // 16 stores per block instead of 256 scattered stores); returns the inputs done, the rest left to the scalar loop.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int TransposePanels16(ReadOnlySpan<float> weight, Span<float> panels, int inputs, int outputs)
    {
        int blocks = inputs / 16;
        ref float w = ref MemoryMarshal.GetReference(weight);
        ref float p = ref MemoryMarshal.GetReference(panels);
        for (int panel = 0; panel < outputs / 16; panel++)
        {
            ref float rows = ref Unsafe.Add(ref w, (nint)panel * 16 * inputs);
            ref float destination = ref Unsafe.Add(ref p, (nint)panel * 16 * inputs);
            for (int block = 0; block < blocks; block++)
            {
                Transpose16x16(ref Unsafe.Add(ref rows, block * 16), (nuint)inputs, ref Unsafe.Add(ref destination, block * 256));
            }
        }

        return blocks * 16;
    }

    // destination[c · 16 + r] = source[r · stride + c] for r, c < 16: unpack pairs of rows, shuffle pairs of pairs, then
    // two rounds of 128-bit lane shuffles gather each column's four quarters.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16x16(ref float source, nuint stride, ref float destination)
    {
        Vector512<float> r0 = Vector512.LoadUnsafe(ref source), r1 = Vector512.LoadUnsafe(ref source, stride);
        Vector512<float> r2 = Vector512.LoadUnsafe(ref source, 2 * stride), r3 = Vector512.LoadUnsafe(ref source, 3 * stride);
        Vector512<float> r4 = Vector512.LoadUnsafe(ref source, 4 * stride), r5 = Vector512.LoadUnsafe(ref source, 5 * stride);
        Vector512<float> r6 = Vector512.LoadUnsafe(ref source, 6 * stride), r7 = Vector512.LoadUnsafe(ref source, 7 * stride);
        Vector512<float> r8 = Vector512.LoadUnsafe(ref source, 8 * stride), r9 = Vector512.LoadUnsafe(ref source, 9 * stride);
        Vector512<float> r10 = Vector512.LoadUnsafe(ref source, 10 * stride), r11 = Vector512.LoadUnsafe(ref source, 11 * stride);
        Vector512<float> r12 = Vector512.LoadUnsafe(ref source, 12 * stride), r13 = Vector512.LoadUnsafe(ref source, 13 * stride);
        Vector512<float> r14 = Vector512.LoadUnsafe(ref source, 14 * stride), r15 = Vector512.LoadUnsafe(ref source, 15 * stride);

        // Within each 128-bit quarter q: t(2i) = [ri[4q], ri+1[4q], ri[4q+1], ri+1[4q+1]], t(2i+1) the same of 4q+2, 4q+3.
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1), t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5), t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);
        Vector512<float> t8 = Avx512F.UnpackLow(r8, r9), t9 = Avx512F.UnpackHigh(r8, r9), t10 = Avx512F.UnpackLow(r10, r11), t11 = Avx512F.UnpackHigh(r10, r11);
        Vector512<float> t12 = Avx512F.UnpackLow(r12, r13), t13 = Avx512F.UnpackHigh(r12, r13), t14 = Avx512F.UnpackLow(r14, r15), t15 = Avx512F.UnpackHigh(r14, r15);

        // u(4g + c) holds, in quarter q, column 4q + c of rows 4g … 4g + 3.
        Vector512<float> u0 = Avx512F.Shuffle(t0, t2, 0x44), u1 = Avx512F.Shuffle(t0, t2, 0xEE), u2 = Avx512F.Shuffle(t1, t3, 0x44), u3 = Avx512F.Shuffle(t1, t3, 0xEE);
        Vector512<float> u4 = Avx512F.Shuffle(t4, t6, 0x44), u5 = Avx512F.Shuffle(t4, t6, 0xEE), u6 = Avx512F.Shuffle(t5, t7, 0x44), u7 = Avx512F.Shuffle(t5, t7, 0xEE);
        Vector512<float> u8 = Avx512F.Shuffle(t8, t10, 0x44), u9 = Avx512F.Shuffle(t8, t10, 0xEE), u10 = Avx512F.Shuffle(t9, t11, 0x44), u11 = Avx512F.Shuffle(t9, t11, 0xEE);
        Vector512<float> u12 = Avx512F.Shuffle(t12, t14, 0x44), u13 = Avx512F.Shuffle(t12, t14, 0xEE), u14 = Avx512F.Shuffle(t13, t15, 0x44), u15 = Avx512F.Shuffle(t13, t15, 0xEE);

        StoreColumns(u0, u4, u8, u12, ref destination, 0);
        StoreColumns(u1, u5, u9, u13, ref destination, 1);
        StoreColumns(u2, u6, u10, u14, ref destination, 2);
        StoreColumns(u3, u7, u11, u15, ref destination, 3);
    }

    // Columns c, 4 + c, 8 + c and 12 + c from the quarters of a (rows 0–3), b (4–7), d (8–11) and e (12–15).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreColumns(Vector512<float> a, Vector512<float> b, Vector512<float> d, Vector512<float> e, ref float destination, int c)
    {
        Vector512<float> even = Avx512F.Shuffle4x128(a, b, 0x88), odd = Avx512F.Shuffle4x128(a, b, 0xDD); // [a0 a2 b0 b2], [a1 a3 b1 b3]
        Vector512<float> evenLow = Avx512F.Shuffle4x128(d, e, 0x88), oddLow = Avx512F.Shuffle4x128(d, e, 0xDD);
        Avx512F.Shuffle4x128(even, evenLow, 0x88).StoreUnsafe(ref destination, (nuint)(c * 16)); // quarter 0 of each
        Avx512F.Shuffle4x128(odd, oddLow, 0x88).StoreUnsafe(ref destination, (nuint)((4 + c) * 16)); // quarter 1
        Avx512F.Shuffle4x128(even, evenLow, 0xDD).StoreUnsafe(ref destination, (nuint)((8 + c) * 16)); // quarter 2
        Avx512F.Shuffle4x128(odd, oddLow, 0xDD).StoreUnsafe(ref destination, (nuint)((12 + c) * 16)); // quarter 3
    }

    /// <summary>
    /// <c>y = x · Wᵀ + b</c> with W both as <paramref name="weight"/> [outputs, inputs] and packed as <paramref name="panels"/>
    /// (<see cref="PackPanels"/>); the same bits as <see cref="Forward"/> over <paramref name="weight"/>. Single samples read the
    /// panels; whole groups of 4 samples read the rows; batches that <see cref="Forward"/> would pack read the panels in place
    /// of packing them (at 512 bits, where its panels are these).
    /// </summary>
    public static void ForwardPanels(
        ReadOnlySpan<float> x, ReadOnlySpan<float> panels, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs)
    {
        CheckLengths(x.Length, batchSize, inputs, weight.Length, outputs, "y", y.Length, bias.Length, outputs);
        CheckPanels(panels.Length, inputs, outputs);
        if (OutputSplit.Parts > 1)
        {
            Forward(x, weight, bias, y, batchSize, inputs, outputs);
            return;
        }

        Calibration.Active?.Observe(x.Slice(0, batchSize * inputs), weight); // as Forward does: a network reading its panels is calibrated too

        bool packed = TakesPackedPath(batchSize, inputs); // as Forward decides, so the bits are Forward's
        var kernel = new PanelsKernel(x, panels, weight, bias, y, batchSize, inputs, outputs, packed);
        Simd.Widest(ref kernel, inputs);
    }

    /// <summary>
    /// True when <see cref="ForwardPanels"/> would read the panels for a batch of <paramref name="batchSize"/> on this
    /// machine, not only the rows: fewer samples than a group of 4 (one-sample latency), or a batch that <see cref="Forward"/>
    /// would pack on each call, at 512 bits. A network that keeps panels only for its own use (a trainable network, whose
    /// weights change) asks this before it packs or counts a call toward packing.
    /// </summary>
    internal static bool PanelsPay(int batchSize, int inputs, int outputs) =>
        OutputSplit.Parts <= 1 &&
        (batchSize < Tile || (TakesPackedPath(batchSize, inputs) && Vector512.IsHardwareAccelerated && inputs >= PanelOutputs && outputs % (2 * PanelOutputs) == 0));

    private static void CheckPanels(int length, int inputs, int outputs)
    {
        if (length < PanelLength(inputs, outputs))
        {
            throw new ArgumentException($"Dense panels for {inputs} → {outputs} hold {length} values; {PanelLength(inputs, outputs)} needed.");
        }
    }

    private readonly ref struct PanelsKernel(
        ReadOnlySpan<float> x, ReadOnlySpan<float> panels, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs, bool packed) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly ReadOnlySpan<float> _panels = panels;
        private readonly ReadOnlySpan<float> _weight = weight;
        private readonly ReadOnlySpan<float> _bias = bias;
        private readonly Span<float> _y = y;

        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            if (TWidth.Count > 1 && packed && outputs % (2 * TWidth.Count) == 0)
            {
                if (TWidth.Count != PanelOutputs)
                {
                    ForwardPacked<TVector, TWidth>(_x, _weight, _bias, _y, batchSize, inputs, outputs);
                    return;
                }

                int rows = RunPacked<TVector, TWidth>(_x, _panels, _bias, _y, batchSize, inputs, outputs, stride: outputs);
                if (rows < batchSize)
                {
                    Forward<TVector, TWidth>(_x.Slice(rows * inputs), _weight, _bias, _y.Slice(rows * outputs), batchSize - rows, inputs, outputs);
                }

                return;
            }

            int grouped = batchSize / Tile * Tile;
            if (grouped > 0)
            {
                Forward<TVector, TWidth>(_x, _weight, _bias, _y, grouped, inputs, outputs);
            }

            ForwardPanelSamples<TVector, TWidth, FloatWeights, float>(_x.Slice(grouped * inputs), _panels, _bias, _y.Slice(grouped * outputs), batchSize - grouped, inputs, outputs);
        }
    }

    private readonly ref struct PanelSamplesKernel<TFormat, TWeight>(
        ReadOnlySpan<float> x, ReadOnlySpan<TWeight> panels, ReadOnlySpan<float> bias, Span<float> y, int batchSize, int inputs, int outputs) : IWidthKernel
        where TFormat : struct, IWeightFormat<TWeight>
        where TWeight : unmanaged
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly ReadOnlySpan<TWeight> _panels = panels;
        private readonly ReadOnlySpan<float> _bias = bias;
        private readonly Span<float> _y = y;

        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector> =>
            ForwardPanelSamples<TVector, TWidth, TFormat, TWeight>(_x, _panels, _bias, _y, batchSize, inputs, outputs);
    }

    // One sample at a time over the panels: per panel 16 accumulators (see the file's head for what each holds), per step
    // one block of L inputs × 16 outputs = 16 vectors, each times its input broadcast.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForwardPanelSamples<TVector, TWidth, TFormat, TWeight>(
        ReadOnlySpan<float> xSpan, ReadOnlySpan<TWeight> panelSpan, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
        where TFormat : struct, IWeightFormat<TWeight>
        where TWeight : unmanaged
    {
        int lanes = TWidth.Count;
        int vectors = PanelOutputs / lanes; // V: vectors per panel row
        nuint l = (nuint)lanes, n = (nuint)inputs, whole = n - n % l, block = PanelOutputs * l;
        Span<float> sums = stackalloc float[PanelOutputs];
        ref float s = ref MemoryMarshal.GetReference(sums);
        for (int b = 0; b < batchSize; b++)
        {
            ref float x = ref MemoryMarshal.GetReference(xSpan.Slice(b * inputs, inputs));
            for (int o = 0; o < outputs; o += PanelOutputs)
            {
                ref TWeight p = ref Unsafe.Add(ref MemoryMarshal.GetReference(panelSpan), (nuint)o * n);
                TVector a0 = TWidth.Zero, a1 = TWidth.Zero, a2 = TWidth.Zero, a3 = TWidth.Zero, a4 = TWidth.Zero, a5 = TWidth.Zero, a6 = TWidth.Zero, a7 = TWidth.Zero;
                TVector a8 = TWidth.Zero, a9 = TWidth.Zero, a10 = TWidth.Zero, a11 = TWidth.Zero, a12 = TWidth.Zero, a13 = TWidth.Zero, a14 = TWidth.Zero, a15 = TWidth.Zero;
                if (typeof(TVector) == typeof(Vector512<float>) && Avx512F.IsSupported)
                {
                    // At 512 bits the block's 16 inputs are one vector: each is spread to all lanes by two shuffles with
                    // immediates (its 128-bit quarter to every quarter, then its float to every lane of the quarter; the
                    // first shared by four inputs), which leaves the load ports to the weights and needs no index vectors.
                    for (nuint k = 0, at = 0; k < whole; k += l, at += block)
                    {
                        Vector512<float> xv = Vector512.LoadUnsafe(ref x, k);
                        Vector512<float> q0 = Avx512F.Shuffle4x128(xv, xv, 0x00);
                        a0 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q0, 0x00)), TFormat.Load<TVector, TWidth>(ref p, at), a0);
                        a1 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q0, 0x55)), TFormat.Load<TVector, TWidth>(ref p, at + l), a1);
                        a2 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q0, 0xAA)), TFormat.Load<TVector, TWidth>(ref p, at + 2 * l), a2);
                        a3 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q0, 0xFF)), TFormat.Load<TVector, TWidth>(ref p, at + 3 * l), a3);
                        Vector512<float> q1 = Avx512F.Shuffle4x128(xv, xv, 0x55);
                        a4 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q1, 0x00)), TFormat.Load<TVector, TWidth>(ref p, at + 4 * l), a4);
                        a5 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q1, 0x55)), TFormat.Load<TVector, TWidth>(ref p, at + 5 * l), a5);
                        a6 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q1, 0xAA)), TFormat.Load<TVector, TWidth>(ref p, at + 6 * l), a6);
                        a7 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q1, 0xFF)), TFormat.Load<TVector, TWidth>(ref p, at + 7 * l), a7);
                        Vector512<float> q2 = Avx512F.Shuffle4x128(xv, xv, 0xAA);
                        a8 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q2, 0x00)), TFormat.Load<TVector, TWidth>(ref p, at + 8 * l), a8);
                        a9 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q2, 0x55)), TFormat.Load<TVector, TWidth>(ref p, at + 9 * l), a9);
                        a10 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q2, 0xAA)), TFormat.Load<TVector, TWidth>(ref p, at + 10 * l), a10);
                        a11 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q2, 0xFF)), TFormat.Load<TVector, TWidth>(ref p, at + 11 * l), a11);
                        Vector512<float> q3 = Avx512F.Shuffle4x128(xv, xv, 0xFF);
                        a12 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q3, 0x00)), TFormat.Load<TVector, TWidth>(ref p, at + 12 * l), a12);
                        a13 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q3, 0x55)), TFormat.Load<TVector, TWidth>(ref p, at + 13 * l), a13);
                        a14 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q3, 0xAA)), TFormat.Load<TVector, TWidth>(ref p, at + 14 * l), a14);
                        a15 = TWidth.MultiplyAdd(Unsafe.BitCast<Vector512<float>, TVector>(Avx512F.Permute4x32(q3, 0xFF)), TFormat.Load<TVector, TWidth>(ref p, at + 15 * l), a15);
                    }
                }
                else
                {
                    for (nuint k = 0, at = 0; k < whole; k += l, at += block)
                    {
                        ref float xk = ref Unsafe.Add(ref x, k);
                        a0 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 0 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at), a0);
                        a1 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 1 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + l), a1);
                        a2 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 2 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 2 * l), a2);
                        a3 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 3 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 3 * l), a3);
                        a4 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 4 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 4 * l), a4);
                        a5 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 5 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 5 * l), a5);
                        a6 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 6 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 6 * l), a6);
                        a7 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 7 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 7 * l), a7);
                        a8 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 8 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 8 * l), a8);
                        a9 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 9 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 9 * l), a9);
                        a10 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 10 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 10 * l), a10);
                        a11 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 11 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 11 * l), a11);
                        a12 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 12 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 12 * l), a12);
                        a13 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 13 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 13 * l), a13);
                        a14 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 14 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 14 * l), a14);
                        a15 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref xk, 15 / vectors)), TFormat.Load<TVector, TWidth>(ref p, at + 15 * l), a15);
                    }
                }

                // The lanes added in Sum's pairs: accumulators r·V + v and (r + 2^i)·V + v, level by level.
                if (vectors <= 1)
                {
                    a0 = TWidth.Add(a0, a1); a2 = TWidth.Add(a2, a3); a4 = TWidth.Add(a4, a5); a6 = TWidth.Add(a6, a7);
                    a8 = TWidth.Add(a8, a9); a10 = TWidth.Add(a10, a11); a12 = TWidth.Add(a12, a13); a14 = TWidth.Add(a14, a15);
                }

                if (vectors <= 2)
                {
                    a0 = TWidth.Add(a0, a2); a1 = TWidth.Add(a1, a3); a4 = TWidth.Add(a4, a6); a5 = TWidth.Add(a5, a7);
                    a8 = TWidth.Add(a8, a10); a9 = TWidth.Add(a9, a11); a12 = TWidth.Add(a12, a14); a13 = TWidth.Add(a13, a15);
                }

                if (vectors <= 4)
                {
                    a0 = TWidth.Add(a0, a4); a1 = TWidth.Add(a1, a5); a2 = TWidth.Add(a2, a6); a3 = TWidth.Add(a3, a7);
                    a8 = TWidth.Add(a8, a12); a9 = TWidth.Add(a9, a13); a10 = TWidth.Add(a10, a14); a11 = TWidth.Add(a11, a15);
                }

                if (vectors <= 8)
                {
                    a0 = TWidth.Add(a0, a8); a1 = TWidth.Add(a1, a9); a2 = TWidth.Add(a2, a10); a3 = TWidth.Add(a3, a11);
                    a4 = TWidth.Add(a4, a12); a5 = TWidth.Add(a5, a13); a6 = TWidth.Add(a6, a14); a7 = TWidth.Add(a7, a15);
                }

                // Now accumulator v holds the sums of outputs v·L … v·L + L − 1.
                if (whole == n && outputs - o >= PanelOutputs && vectors == 1)
                {
                    // No inputs past the last whole vector and a whole panel: the bias added (bias + sum, as the row path
                    // adds it) and stored straight from the register.
                    ref float yo = ref MemoryMarshal.GetReference(y.Slice(b * outputs + o, PanelOutputs));
                    TWidth.Store(TWidth.Add(TWidth.Load(ref MemoryMarshal.GetReference(bias.Slice(o, PanelOutputs)), 0), a0), ref yo, 0);
                    continue;
                }

                TWidth.Store(a0, ref s, 0);
                if (vectors > 1) { TWidth.Store(a1, ref s, l); }
                if (vectors > 2) { TWidth.Store(a2, ref s, 2 * l); TWidth.Store(a3, ref s, 3 * l); }
                if (vectors > 4)
                {
                    TWidth.Store(a4, ref s, 4 * l); TWidth.Store(a5, ref s, 5 * l); TWidth.Store(a6, ref s, 6 * l); TWidth.Store(a7, ref s, 7 * l);
                }

                if (vectors > 8)
                {
                    TWidth.Store(a8, ref s, 8 * l); TWidth.Store(a9, ref s, 9 * l); TWidth.Store(a10, ref s, 10 * l); TWidth.Store(a11, ref s, 11 * l);
                    TWidth.Store(a12, ref s, 12 * l); TWidth.Store(a13, ref s, 13 * l); TWidth.Store(a14, ref s, 14 * l); TWidth.Store(a15, ref s, 15 * l);
                }

                int count = Math.Min(PanelOutputs, outputs - o);
                for (nuint k = whole; k < n; k++) // the inputs past the last whole vector, one at a time, as the row path adds them
                {
                    float xk = Unsafe.Add(ref x, k);
                    ref TWeight row = ref Unsafe.Add(ref p, k * PanelOutputs);
                    for (int j = 0; j < count; j++)
                    {
                        Unsafe.Add(ref s, j) += xk * TFormat.Decode(Unsafe.Add(ref row, j));
                    }
                }

                for (int j = 0; j < count; j++)
                {
                    y[b * outputs + o + j] = bias[o + j] + Unsafe.Add(ref s, j);
                }
            }
        }
    }
}

/// <summary>Floats as a weight format: loaded as they are, for the kernels written over <see cref="IWeightFormat{TWeight}"/>.</summary>
internal readonly struct FloatWeights : IWeightFormat<float>
{
    public static bool Scaled => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Decode(float stored) => stored;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TVector, TWidth>(ref float source, nuint offset)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector> =>
        TWidth.Load(ref source, offset);
}
