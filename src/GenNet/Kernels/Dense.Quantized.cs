using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GenNet.Kernels;

// The forward product with weights stored in 16 or 8 bits (inference-only networks with compiled-in quantized weights):
// y = x · Wᵀ + b with W decoded to floats on the fly; activations and accumulation stay 32-bit floats. .NET 10 exposes
// neither AVX512_BF16 (vdpbf16ps) nor the 512-bit VNNI forms, and both would round the activations too, so every width
// decodes the weights with integer shifts and widenings and multiplies in float: a bf16 is a float's top half, a half is
// re-biased by one multiply, an int8 code is widened, converted and (per output channel) scaled.
public static partial class Dense
{
    /// <summary>Batches below this many samples decode each weight in registers per sample; larger ones decode each block of rows once.</summary>
    internal const int QuantizedBlockMinBatch = 4;

    /// <summary><c>y = x · Wᵀ + b</c> with <paramref name="weight"/> [outputs, inputs] in bfloat16 bits.</summary>
    public static void ForwardBFloat16(
        ReadOnlySpan<float> x, ReadOnlySpan<ushort> weight, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs)
    {
        CheckLengths(x.Length, batchSize, inputs, weight.Length, outputs, "y", y.Length, bias.Length, outputs);
        var kernel = new QuantizedForwardKernel<BFloat16Weights, ushort>(x, weight, [], bias, y, batchSize, inputs, outputs);
        Simd.Widest(ref kernel, inputs);
    }

    /// <summary><c>y = x · Wᵀ + b</c> with <paramref name="weight"/> [outputs, inputs] in IEEE half bits (finite values only).</summary>
    public static void ForwardHalf(
        ReadOnlySpan<float> x, ReadOnlySpan<ushort> weight, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs)
    {
        CheckLengths(x.Length, batchSize, inputs, weight.Length, outputs, "y", y.Length, bias.Length, outputs);
        var kernel = new QuantizedForwardKernel<HalfWeights, ushort>(x, weight, [], bias, y, batchSize, inputs, outputs);
        Simd.Widest(ref kernel, inputs);
    }

    /// <summary>
    /// <c>y = x · (q · scale)ᵀ + b</c>: <paramref name="weight"/> [outputs, inputs] holds int8 codes, <paramref name="scale"/>
    /// [outputs] one scale per output channel.
    /// </summary>
    public static void ForwardInt8(
        ReadOnlySpan<float> x, ReadOnlySpan<sbyte> weight, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs)
    {
        CheckLengths(x.Length, batchSize, inputs, weight.Length, outputs, "y", y.Length, bias.Length, outputs);
        if (scale.Length != outputs)
        {
            throw new ArgumentException($"scale holds {scale.Length} values; {outputs} outputs need {outputs}.", nameof(scale));
        }

        var kernel = new QuantizedForwardKernel<Int8Weights, sbyte>(x, weight, scale, bias, y, batchSize, inputs, outputs);
        Simd.Widest(ref kernel, inputs);
    }

    private readonly ref struct QuantizedForwardKernel<TFormat, TWeight>(
        ReadOnlySpan<float> x, ReadOnlySpan<TWeight> weight, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs) : IWidthKernel
        where TFormat : struct, IWeightFormat<TWeight>
        where TWeight : unmanaged
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly ReadOnlySpan<TWeight> _weight = weight;
        private readonly ReadOnlySpan<float> _scale = scale;
        private readonly ReadOnlySpan<float> _bias = bias;
        private readonly Span<float> _y = y;

        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            if (batchSize < QuantizedBlockMinBatch)
            {
                ForwardDecoding<TVector, TWidth, TFormat, TWeight>(_x, _weight, _scale, _bias, _y, batchSize, inputs, outputs);
            }
            else if (TWidth.Count > 1 && batchSize >= DecodedPackedMinBatch && outputs % (2 * TWidth.Count) == 0)
            {
                ForwardDecodedPacked<TVector, TWidth, TFormat, TWeight>(_x, _weight, _scale, _bias, _y, batchSize, inputs, outputs);
            }
            else
            {
                ForwardDecodedBlocks<TVector, TWidth, TFormat, TWeight>(_x, _weight, _scale, _bias, _y, batchSize, inputs, outputs);
            }
        }
    }

    // Small batches: each sample streams the stored weights, four rows at a time, decoding in registers (the one-sample
    // product is bound by the weights' bytes, so 16- and 8-bit weights are what makes it faster).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForwardDecoding<TVector, TWidth, TFormat, TWeight>(
        ReadOnlySpan<float> xSpan, ReadOnlySpan<TWeight> weight, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
        where TFormat : struct, IWeightFormat<TWeight>
        where TWeight : unmanaged
    {
        ref TWeight w = ref MemoryMarshal.GetReference(weight);
        nuint n = (nuint)inputs, lanes = (nuint)TWidth.Count;
        for (int b = 0; b < batchSize; b++)
        {
            ref float x = ref MemoryMarshal.GetReference(xSpan.Slice(b * inputs, inputs));
            Span<float> yb = y.Slice(b * outputs, outputs);
            int o = 0;
            for (; o + Tile <= outputs; o += Tile)
            {
                ref TWeight w0 = ref Unsafe.Add(ref w, (nuint)o * n);
                ref TWeight w1 = ref Unsafe.Add(ref w0, n);
                ref TWeight w2 = ref Unsafe.Add(ref w1, n);
                ref TWeight w3 = ref Unsafe.Add(ref w2, n);
                TVector a0 = TWidth.Zero, a1 = TWidth.Zero, a2 = TWidth.Zero, a3 = TWidth.Zero;
                nuint k = 0;
                for (; k + lanes <= n; k += lanes)
                {
                    TVector u = TWidth.Load(ref x, k);
                    a0 = TWidth.MultiplyAdd(u, TFormat.Load<TVector, TWidth>(ref w0, k), a0);
                    a1 = TWidth.MultiplyAdd(u, TFormat.Load<TVector, TWidth>(ref w1, k), a1);
                    a2 = TWidth.MultiplyAdd(u, TFormat.Load<TVector, TWidth>(ref w2, k), a2);
                    a3 = TWidth.MultiplyAdd(u, TFormat.Load<TVector, TWidth>(ref w3, k), a3);
                }

                float s0 = TWidth.Sum(a0), s1 = TWidth.Sum(a1), s2 = TWidth.Sum(a2), s3 = TWidth.Sum(a3);
                for (; k < n; k++)
                {
                    float p = Unsafe.Add(ref x, k);
                    s0 += p * TFormat.Decode(Unsafe.Add(ref w0, k));
                    s1 += p * TFormat.Decode(Unsafe.Add(ref w1, k));
                    s2 += p * TFormat.Decode(Unsafe.Add(ref w2, k));
                    s3 += p * TFormat.Decode(Unsafe.Add(ref w3, k));
                }

                yb[o] = Finish<TFormat, TWeight>(s0, scale, bias, o);
                yb[o + 1] = Finish<TFormat, TWeight>(s1, scale, bias, o + 1);
                yb[o + 2] = Finish<TFormat, TWeight>(s2, scale, bias, o + 2);
                yb[o + 3] = Finish<TFormat, TWeight>(s3, scale, bias, o + 3);
            }

            for (; o < outputs; o++)
            {
                ref TWeight wo = ref Unsafe.Add(ref w, (nuint)o * n);
                TVector a = TWidth.Zero;
                nuint k = 0;
                for (; k + lanes <= n; k += lanes)
                {
                    a = TWidth.MultiplyAdd(TWidth.Load(ref x, k), TFormat.Load<TVector, TWidth>(ref wo, k), a);
                }

                float s = TWidth.Sum(a);
                for (; k < n; k++)
                {
                    s += Unsafe.Add(ref x, k) * TFormat.Decode(Unsafe.Add(ref wo, k));
                }

                yb[o] = Finish<TFormat, TWeight>(s, scale, bias, o);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish<TFormat, TWeight>(float sum, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, int o)
        where TFormat : struct, IWeightFormat<TWeight>
        where TWeight : unmanaged =>
        TFormat.Scaled ? bias[o] + scale[o] * sum : bias[o] + sum;

    [ThreadStatic]
    private static float[]? t_decodedRows;

    // Batches of 4 to DecodedPackedMinBatch: each block of 4 rows is decoded to floats once (scales applied), then the float
    // 4 × 4 tiles run over it for every group of 4 samples.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForwardDecodedBlocks<TVector, TWidth, TFormat, TWeight>(
        ReadOnlySpan<float> xSpan, ReadOnlySpan<TWeight> weight, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
        where TFormat : struct, IWeightFormat<TWeight>
        where TWeight : unmanaged
    {
        float[] rows = t_decodedRows is { } existing && existing.Length >= Tile * inputs ? existing : (t_decodedRows = new float[Tile * inputs]);
        ref float r0 = ref MemoryMarshal.GetArrayDataReference(rows);
        ref float x = ref MemoryMarshal.GetReference(xSpan);
        for (int o = 0; o < outputs; o += Tile)
        {
            int count = Math.Min(Tile, outputs - o);
            for (int j = 0; j < count; j++)
            {
                DecodeRow<TVector, TWidth, TFormat, TWeight>(weight.Slice((o + j) * inputs, inputs), TFormat.Scaled ? scale[o + j] : 1f, rows.AsSpan(j * inputs, inputs));
            }

            if (count < Tile)
            {
                for (int b = 0; b < batchSize; b++)
                {
                    for (int j = 0; j < count; j++)
                    {
                        y[b * outputs + o + j] = bias[o + j] + Dot<TVector, TWidth>(ref Unsafe.Add(ref x, b * inputs), ref Unsafe.Add(ref r0, j * inputs), inputs);
                    }
                }

                continue;
            }

            int s = 0;
            for (; s + Tile <= batchSize; s += Tile)
            {
                ref float x0 = ref Unsafe.Add(ref x, s * inputs);
                ref float x1 = ref Unsafe.Add(ref x0, inputs);
                ref float x2 = ref Unsafe.Add(ref x1, inputs);
                ref float x3 = ref Unsafe.Add(ref x2, inputs);
                Tile4x4<TVector, TWidth>(ref x0, ref x1, ref x2, ref x3, ref r0, inputs, bias.Slice(o, Tile), y.Slice(s * outputs + o), outputs);
            }

            for (; s < batchSize; s++)
            {
                Tile1x4<TVector, TWidth>(ref Unsafe.Add(ref x, s * inputs), ref r0, inputs, bias.Slice(o, Tile), y.Slice(s * outputs + o, Tile));
            }
        }
    }

    // Batches from DecodedPackedMinBatch: the weights are decoded into packed panels, all of them, as the float ForwardPacked
    // packs a large product's, then the same 8 × 2 panel product runs. Each panel's rows are decoded a vector at a time
    // (DecodeRow) into a panel-sized scratch, then written into the panel as floats are packed (WritePanels: 16 × 16 blocks
    // transposed in registers at 512 bits): the same values as decoding each weight into its place, which a scattered store
    // per weight had made cost more than the product at the batches below 128 (see DecodedPackedMinBatch).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForwardDecodedPacked<TVector, TWidth, TFormat, TWeight>(
        ReadOnlySpan<float> xSpan, ReadOnlySpan<TWeight> weight, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
        where TFormat : struct, IWeightFormat<TWeight>
        where TWeight : unmanaged
    {
        int lanes = TWidth.Count;
        int panels = outputs / lanes;
        int panelLength = lanes * inputs;
        float[] packed = t_packed is { } existing && existing.Length >= panels * panelLength ? existing : (t_packed = new float[panels * panelLength]);
        float[] decoded = t_decodedRows is { } rowsBuffer && rowsBuffer.Length >= panelLength ? rowsBuffer : (t_decodedRows = new float[panelLength]); // a panel is at least Tile rows: ForwardDecodedBlocks fits in it too
        for (int panel = 0; panel < panels; panel++)
        {
            for (int j = 0; j < lanes; j++)
            {
                int o = panel * lanes + j;
                DecodeRow<TVector, TWidth, TFormat, TWeight>(weight.Slice(o * inputs, inputs), TFormat.Scaled ? scale[o] : 1f, decoded.AsSpan(j * inputs, inputs));
            }

            WritePanels<float>(decoded.AsSpan(0, panelLength), packed.AsSpan(panel * panelLength, panelLength), inputs, lanes, lanes);
        }

        int rows = RunPacked<TVector, TWidth>(xSpan, packed, bias, y, batchSize, inputs, outputs, stride: outputs);
        if (rows < batchSize)
        {
            ForwardDecoding<TVector, TWidth, TFormat, TWeight>(xSpan.Slice(rows * inputs), weight, scale, bias, y.Slice(rows * outputs), batchSize - rows, inputs, outputs);
        }
    }

    /// <summary><c>destination[k] = decode(row[k]) · scale</c> (the multiply only for scaled formats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DecodeRow<TVector, TWidth, TFormat, TWeight>(ReadOnlySpan<TWeight> row, float scale, Span<float> destination)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
        where TFormat : struct, IWeightFormat<TWeight>
        where TWeight : unmanaged
    {
        ref TWeight source = ref MemoryMarshal.GetReference(row);
        ref float target = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)row.Length, lanes = (nuint)TWidth.Count, k = 0;
        TVector factor = TWidth.Broadcast(scale);
        for (; k + lanes <= n; k += lanes)
        {
            TVector v = TFormat.Load<TVector, TWidth>(ref source, k);
            TWidth.Store(TFormat.Scaled ? TWidth.Multiply(v, factor) : v, ref target, k);
        }

        for (; k < n; k++)
        {
            float v = TFormat.Decode(Unsafe.Add(ref source, k));
            Unsafe.Add(ref target, k) = TFormat.Scaled ? v * scale : v;
        }
    }

}

/// <summary>How a stored weight type becomes floats, one at a time and one vector at a time, at every width.</summary>
internal interface IWeightFormat<TWeight>
    where TWeight : unmanaged
{
    /// <summary>True when each output channel's sum is multiplied by its scale.</summary>
    static abstract bool Scaled { get; }

    static abstract float Decode(TWeight stored);

    /// <summary><c>TWidth.Count</c> weights from <c>source[offset…]</c> as floats.</summary>
    static abstract TVector Load<TVector, TWidth>(ref TWeight source, nuint offset)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>;
}

/// <summary>bfloat16: the float whose top 16 bits these are.</summary>
internal readonly struct BFloat16Weights : IWeightFormat<ushort>
{
    public static bool Scaled => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Decode(ushort stored) => BitConverter.Int32BitsToSingle(stored << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TVector, TWidth>(ref ushort source, nuint offset)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            return Unsafe.BitCast<Vector512<float>, TVector>((WeightLanes.Widen512(ref source, offset) << 16).AsSingle());
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            return Unsafe.BitCast<Vector256<float>, TVector>((WeightLanes.Widen256(ref source, offset) << 16).AsSingle());
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            return Unsafe.BitCast<Vector128<float>, TVector>((WeightLanes.Widen128(ref source, offset) << 16).AsSingle());
        }

        return Unsafe.BitCast<float, TVector>(Decode(Unsafe.Add(ref source, offset)));
    }
}

/// <summary>
/// IEEE half: the magnitude's bits shifted into a float's place and re-biased by one multiply by 2¹¹² (exact for normal
/// and subnormal halves alike), then the sign. Infinities and NaNs are not decoded: the file's reader refuses them.
/// </summary>
internal readonly struct HalfWeights : IWeightFormat<ushort>
{
    private const float Rebias = 5.192296858534828e33f; // 2¹¹²: from the half's exponent bias 15 to the float's 127

    public static bool Scaled => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Decode(ushort stored) =>
        BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(BitConverter.Int32BitsToSingle((stored & 0x7FFF) << 13) * Rebias) | ((stored & 0x8000) << 16));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TVector, TWidth>(ref ushort source, nuint offset)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            Vector512<uint> h = WeightLanes.Widen512(ref source, offset);
            return Unsafe.BitCast<Vector512<float>, TVector>(((h & Vector512.Create(0x7FFFu)) << 13).AsSingle() * Vector512.Create(Rebias) | ((h & Vector512.Create(0x8000u)) << 16).AsSingle());
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            Vector256<uint> h = WeightLanes.Widen256(ref source, offset);
            return Unsafe.BitCast<Vector256<float>, TVector>(((h & Vector256.Create(0x7FFFu)) << 13).AsSingle() * Vector256.Create(Rebias) | ((h & Vector256.Create(0x8000u)) << 16).AsSingle());
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            Vector128<uint> h = WeightLanes.Widen128(ref source, offset);
            return Unsafe.BitCast<Vector128<float>, TVector>(((h & Vector128.Create(0x7FFFu)) << 13).AsSingle() * Vector128.Create(Rebias) | ((h & Vector128.Create(0x8000u)) << 16).AsSingle());
        }

        return Unsafe.BitCast<float, TVector>(Decode(Unsafe.Add(ref source, offset)));
    }
}

/// <summary>Symmetric int8 codes: widened and converted; the channel's scale is applied to the sum.</summary>
internal readonly struct Int8Weights : IWeightFormat<sbyte>
{
    public static bool Scaled => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Decode(sbyte stored) => stored;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TVector, TWidth>(ref sbyte source, nuint offset)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            Vector256<short> wide = Vector256.WidenLower(Vector128.LoadUnsafe(ref source, offset).ToVector256Unsafe());
            return Unsafe.BitCast<Vector512<float>, TVector>(Vector512.ConvertToSingle(Vector512.WidenLower(wide.ToVector512Unsafe())));
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            Vector128<short> wide = Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref source, offset)))).AsSByte());
            return Unsafe.BitCast<Vector256<float>, TVector>(Vector256.ConvertToSingle(Vector256.WidenLower(wide.ToVector256Unsafe())));
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            Vector128<short> wide = Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<uint>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref source, offset)))).AsSByte());
            return Unsafe.BitCast<Vector128<float>, TVector>(Vector128.ConvertToSingle(Vector128.WidenLower(wide)));
        }

        return Unsafe.BitCast<float, TVector>(Unsafe.Add(ref source, offset));
    }
}

/// <summary>16-bit weights widened to 32-bit lanes, one float vector's worth.</summary>
internal static class WeightLanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Widen512(ref ushort source, nuint offset) =>
        Vector512.WidenLower(Vector256.LoadUnsafe(ref source, offset).ToVector512Unsafe());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Widen256(ref ushort source, nuint offset) =>
        Vector256.WidenLower(Vector128.LoadUnsafe(ref source, offset).ToVector256Unsafe());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Widen128(ref ushort source, nuint offset) =>
        Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref source, offset)))).AsUInt16());
}
