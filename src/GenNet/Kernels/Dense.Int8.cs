using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GenNet.Kernels;

// The Dense product with calibrated 8-bit activations and int8 weights: each input row is quantized to unsigned bytes
// (q = clamp(round(x · (1 / s)) + z, 0, 255), s and z calibrated on training samples), the products u8 × s8 are summed in
// int32 — exactly, on every path — and each output is dequantized once:
//   y[o] = bias[o] + s · wscale[o] · (Σ_k q[k] · w[o, k] − z · Σ_k w[o, k])
// The weights are packed once (QuantizedDenseWeights) in the order vpdpbusd reads them: blocks of 16 outputs, and in
// each block groups of 4 inputs, so one 32-byte load holds 4 inputs of 8 outputs and each int32 lane of the accumulator
// is one output. .NET 10 exposes VNNI only as AvxVnni (128 and 256 bits; the 512-bit form needs Avx10v1, which this
// machine's runtime does not report), so 256 bits is the widest integer path. The paths:
//   AvxVnni  vpdpbusd (u8 × s8, four products summed into each int32 lane without saturation),
//   Avx2     the same sums from vpmovzx/vpmovsx to int16 and vpmaddwd (pairs into int32; a pair is at most
//            2 · 255 · 128 = 65,280 in magnitude, so nothing saturates — vpmaddubsw, which sums pairs in int16, would),
//   Vector128  portable: int16 products (255 · 128 fits int16) widened to int32,
//   Scalar   one product at a time.
// The int32 sums are exact, so every path gives the same sums, and the same float epilogue (bias + scale · (float)(sum −
// compensation), a multiply then an add, never fused) gives the same bits.
public static partial class Dense
{
    /// <summary>
    /// <c>y = x · Wᵀ + b</c> with <paramref name="x"/> quantized to 8 bits as <paramref name="weights"/> was calibrated,
    /// the products summed in int32 (AVX-VNNI where the machine has it) and dequantized per output channel.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not match <paramref name="batchSize"/> and the weights' sizes.</exception>
    public static void ForwardQuantized(
        ReadOnlySpan<float> x, QuantizedDenseWeights weights, ReadOnlySpan<float> bias, Span<float> y, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(weights);
        CheckLengths(x.Length, batchSize, weights.Inputs, weights.Inputs * weights.Outputs, weights.Outputs, "y", y.Length, bias.Length, weights.Outputs);
        ForwardQuantized(x, weights, bias, y, batchSize, Int8Products.Best);
    }

    /// <summary><see cref="ForwardQuantized(ReadOnlySpan{float}, QuantizedDenseWeights, ReadOnlySpan{float}, Span{float}, int)"/> on a chosen path (the tests run each).</summary>
    internal static void ForwardQuantized(
        ReadOnlySpan<float> x, QuantizedDenseWeights weights, ReadOnlySpan<float> bias, Span<float> y, int batchSize, Int8Path path)
    {
        int stride = weights.Stride;
        Span<byte> q = Int8Products.Rows(batchSize * stride);
        for (int b = 0; b < batchSize; b++)
        {
            Int8Products.Quantize(x.Slice(b * weights.Inputs, weights.Inputs), q.Slice(b * stride, stride), weights.InverseInputScale, weights.InputZeroPoint, path);
        }

        Int8Products.Run(q, weights, bias, y, batchSize, path);
    }
}

/// <summary>The integer product's paths, narrowest first; <see cref="Int8Products.Best"/> is the one this machine runs.</summary>
internal enum Int8Path
{
    Scalar,
    Vector128,
    Avx2,
    AvxVnni,
}

/// <summary>
/// The int8 weights of one Dense layer with its calibrated input quantization, packed once for
/// <see cref="Dense.ForwardQuantized(ReadOnlySpan{float}, QuantizedDenseWeights, ReadOnlySpan{float}, Span{float}, int)"/>:
/// codes in blocks of 16 outputs × groups of 4 inputs, and per output the combined scale (input scale × weight scale)
/// and the zero point's compensation (zero point × the row's sum of codes).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class QuantizedDenseWeights
{
    /// <summary>Outputs per packed block: two 256-bit vectors of int32 sums.</summary>
    internal const int Block = 16;

    /// <summary>
    /// Packs <paramref name="weight"/> [outputs, inputs] (int8 codes) with <paramref name="weightScale"/> [outputs] and the
    /// input's calibration: <c>x ≈ inputScale · (q − inputZeroPoint)</c> with q in 0…255.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match, <paramref name="inputScale"/> is not positive and finite, or <paramref name="inputZeroPoint"/> is outside 0…255.</exception>
    public QuantizedDenseWeights(ReadOnlySpan<sbyte> weight, ReadOnlySpan<float> weightScale, float inputScale, int inputZeroPoint, int inputs, int outputs)
    {
        if (inputs <= 0 || outputs <= 0 || weight.Length != (long)inputs * outputs)
        {
            throw new ArgumentException($"weight holds {weight.Length} codes; {outputs} outputs × {inputs} inputs need {(long)inputs * outputs} (both positive).", nameof(weight));
        }

        if (weightScale.Length != outputs)
        {
            throw new ArgumentException($"weightScale holds {weightScale.Length} values; {outputs} outputs need {outputs}.", nameof(weightScale));
        }

        if (!(inputScale > 0) || !float.IsFinite(inputScale))
        {
            throw new ArgumentException($"inputScale is {inputScale}; it must be positive and finite.", nameof(inputScale));
        }

        if (inputZeroPoint is < 0 or > 255)
        {
            throw new ArgumentException($"inputZeroPoint is {inputZeroPoint}; it must lie in 0…255.", nameof(inputZeroPoint));
        }

        Inputs = inputs;
        Outputs = outputs;
        InputScale = inputScale;
        InverseInputScale = 1f / inputScale;
        InputZeroPoint = inputZeroPoint;
        Groups = (inputs + 3) / 4;
        Blocks = (outputs + Block - 1) / Block;
        Packed = new sbyte[Blocks * Groups * Block * 4];
        OutputScale = new float[Blocks * Block];
        Compensation = new int[Blocks * Block];
        for (int o = 0; o < outputs; o++)
        {
            ReadOnlySpan<sbyte> row = weight.Slice(o * inputs, inputs);
            int sum = 0;
            int block = o / Block, lane = o % Block;
            for (int k = 0; k < inputs; k++)
            {
                sum += row[k];
                Packed[((block * Groups + k / 4) * Block + lane) * 4 + k % 4] = row[k];
            }

            OutputScale[o] = inputScale * weightScale[o];
            Compensation[o] = inputZeroPoint * sum;
        }
    }

    /// <summary>Inputs per sample.</summary>
    public int Inputs { get; }

    /// <summary>Outputs per sample.</summary>
    public int Outputs { get; }

    /// <summary>The input's quantization step: <c>x ≈ InputScale · (q − InputZeroPoint)</c>.</summary>
    public float InputScale { get; }

    /// <summary>The byte that stands for an input of 0.</summary>
    public int InputZeroPoint { get; }

    internal float InverseInputScale { get; }

    /// <summary>Groups of 4 inputs (the last padded with zero weights).</summary>
    internal int Groups { get; }

    /// <summary>Blocks of 16 outputs (the last padded with zero weights).</summary>
    internal int Blocks { get; }

    /// <summary>Bytes per quantized input row: the inputs padded to whole groups.</summary>
    internal int Stride => Groups * 4;

    internal sbyte[] Packed { get; }

    internal float[] OutputScale { get; }

    internal int[] Compensation { get; }
}

/// <summary>The quantization of input rows and the integer products over packed weights, on each path.</summary>
internal static class Int8Products
{
    private const int Block = QuantizedDenseWeights.Block;

    public static Int8Path Best =>
        AvxVnni.IsSupported ? Int8Path.AvxVnni :
        Avx2.IsSupported ? Int8Path.Avx2 :
        Vector128.IsHardwareAccelerated ? Int8Path.Vector128 :
        Int8Path.Scalar;

    /// <summary>True when this machine can run <paramref name="path"/>.</summary>
    public static bool Supported(Int8Path path) => path switch
    {
        Int8Path.AvxVnni => AvxVnni.IsSupported,
        Int8Path.Avx2 => Avx2.IsSupported,
        _ => true,
    };

    [ThreadStatic]
    private static byte[]? t_rows;

    /// <summary>This thread's buffer of quantized rows, grown once to the largest batch seen.</summary>
    public static Span<byte> Rows(int length) =>
        (t_rows is { } rows && rows.Length >= length ? rows : (t_rows = new byte[Math.Max(length, 1024)])).AsSpan(0, length);

    /// <summary><c>q[k] = clamp(round(x[k] · inverseScale) + zeroPoint, 0, 255)</c> (ties to even; NaN gives 0); the padding bytes 0.</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> q, float inverseScale, int zeroPoint, Int8Path path)
    {
        int k = 0, n = x.Length;
        ref float source = ref MemoryMarshal.GetReference(x);
        ref byte target = ref MemoryMarshal.GetReference(q);
        float zero = zeroPoint;
        if (path >= Int8Path.Avx2 && Vector256.IsHardwareAccelerated)
        {
            Vector256<float> factor = Vector256.Create(inverseScale), offset = Vector256.Create(zero);
            for (; k + 32 <= n; k += 32)
            {
                Vector256<short> low = Vector256.Narrow(Code(Vector256.LoadUnsafe(ref source, (nuint)k), factor, offset), Code(Vector256.LoadUnsafe(ref source, (nuint)k + 8), factor, offset));
                Vector256<short> high = Vector256.Narrow(Code(Vector256.LoadUnsafe(ref source, (nuint)k + 16), factor, offset), Code(Vector256.LoadUnsafe(ref source, (nuint)k + 24), factor, offset));
                Vector256.Narrow(low.AsUInt16(), high.AsUInt16()).StoreUnsafe(ref target, (nuint)k);
            }
        }

        if (path >= Int8Path.Vector128 && Vector128.IsHardwareAccelerated)
        {
            Vector128<float> factor = Vector128.Create(inverseScale), offset = Vector128.Create(zero);
            for (; k + 16 <= n; k += 16)
            {
                Vector128<short> low = Vector128.Narrow(Code(Vector128.LoadUnsafe(ref source, (nuint)k), factor, offset), Code(Vector128.LoadUnsafe(ref source, (nuint)k + 4), factor, offset));
                Vector128<short> high = Vector128.Narrow(Code(Vector128.LoadUnsafe(ref source, (nuint)k + 8), factor, offset), Code(Vector128.LoadUnsafe(ref source, (nuint)k + 12), factor, offset));
                Vector128.Narrow(low.AsUInt16(), high.AsUInt16()).StoreUnsafe(ref target, (nuint)k);
            }
        }

        for (; k < n; k++)
        {
            Unsafe.Add(ref target, k) = Code(Unsafe.Add(ref source, k), inverseScale, zero);
        }

        q.Slice(n).Clear();
    }

    /// <summary>One input's code; NaN becomes 0 (as the vector conversions make it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Code(float x, float inverseScale, float zeroPoint)
    {
        float v = MathF.Round(x * inverseScale, MidpointRounding.ToEven) + zeroPoint;
        return float.IsNaN(v) ? (byte)0 : (byte)Math.Clamp(v, 0f, 255f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Code(Vector256<float> x, Vector256<float> factor, Vector256<float> offset)
    {
        // NaN → 0 first; then the native min, max and conversion (no NaN left, and the value lies in 0…255) give what the
        // scalar code does with fewer instructions than the IEEE-exact and saturating forms.
        Vector256<float> v = Vector256.Round(x * factor) + offset;
        v = Vector256.ConditionalSelect(Vector256.Equals(v, v), v, Vector256<float>.Zero);
        return Vector256.ConvertToInt32Native(Vector256.MinNative(Vector256.MaxNative(v, Vector256<float>.Zero), Vector256.Create(255f)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Code(Vector128<float> x, Vector128<float> factor, Vector128<float> offset)
    {
        Vector128<float> v = Vector128.Round(x * factor) + offset;
        v = Vector128.ConditionalSelect(Vector128.Equals(v, v), v, Vector128<float>.Zero);
        return Vector128.ConvertToInt32Native(Vector128.MinNative(Vector128.MaxNative(v, Vector128<float>.Zero), Vector128.Create(255f)));
    }

    /// <summary>The whole product: integer sums, then <c>y = bias + scale · (float)(sum − compensation)</c>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Run(ReadOnlySpan<byte> q, QuantizedDenseWeights weights, ReadOnlySpan<float> bias, Span<float> y, int batchSize, Int8Path path)
    {
        int stride = weights.Stride, outputs = weights.Outputs;
        if (path == Int8Path.AvxVnni && AvxVnni.IsSupported)
        {
            for (int block = 0; block < weights.Blocks; block++)
            {
                for (int b = 0; b + 6 <= batchSize; b += 6)
                {
                    VnniTile6(q.Slice(b * stride), stride, weights, block, bias, y.Slice(b * outputs), outputs);
                }
            }

            // The rows left over (all of them for one sample): two blocks at a time, eight accumulators.
            for (int b = batchSize - batchSize % 6; b < batchSize; b++)
            {
                ReadOnlySpan<byte> row = q.Slice(b * stride, stride);
                Span<float> yb = y.Slice(b * outputs, outputs);
                int block = 0;
                for (; block + 2 <= weights.Blocks; block += 2)
                {
                    VnniTwoBlocks(row, weights, block, out Vector256<int> l0, out Vector256<int> h0, out Vector256<int> l1, out Vector256<int> h1);
                    Store(l0, h0, weights, block, bias, yb);
                    Store(l1, h1, weights, block + 1, bias, yb);
                }

                if (block < weights.Blocks)
                {
                    VnniTile1(row, weights, block, out Vector256<int> low, out Vector256<int> high);
                    Store(low, high, weights, block, bias, yb);
                }
            }

            return;
        }

        Span<int> sums = stackalloc int[Block];
        for (int b = 0; b < batchSize; b++)
        {
            for (int block = 0; block < weights.Blocks; block++)
            {
                BlockSums(q.Slice(b * stride, stride), weights, block, sums, path);
                int first = block * Block, count = Math.Min(Block, outputs - first);
                for (int j = 0; j < count; j++)
                {
                    int o = first + j;
                    y[b * outputs + o] = Dequantize(sums[j], weights.Compensation[o], weights.OutputScale[o], bias[o]);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dequantize(int sum, int compensation, float scale, float bias) => bias + scale * (float)(sum - compensation);

    /// <summary>The 16 sums of one block for one quantized row, on <paramref name="path"/> (AVX-VNNI never comes here: <see cref="Run"/> takes it whole).</summary>
    private static void BlockSums(ReadOnlySpan<byte> row, QuantizedDenseWeights weights, int block, Span<int> sums, Int8Path path)
    {
        if (path >= Int8Path.Avx2 && Avx2.IsSupported)
        {
            Avx2Sums(row, weights, block, sums);
        }
        else if (path >= Int8Path.Vector128 && Vector128.IsHardwareAccelerated)
        {
            Vector128Sums(row, weights, block, sums);
        }
        else
        {
            ScalarSums(row, weights, block, sums);
        }
    }

    private static void ScalarSums(ReadOnlySpan<byte> row, QuantizedDenseWeights weights, int block, Span<int> sums)
    {
        ReadOnlySpan<sbyte> packed = weights.Packed.AsSpan(block * weights.Groups * Block * 4, weights.Groups * Block * 4);
        sums.Clear();
        for (int g = 0; g < weights.Groups; g++)
        {
            for (int j = 0; j < Block; j++)
            {
                int sum = 0;
                for (int i = 0; i < 4; i++)
                {
                    sum += row[4 * g + i] * packed[(g * Block + j) * 4 + i];
                }

                sums[j] += sum;
            }
        }
    }

    // Portable: per group of 4 inputs, the 64 codes of the block times the 4 bytes (int16 products, exact), widened to
    // int32 partial sums per output (4 lanes each, one per input of the group), reduced at the end.
    private static void Vector128Sums(ReadOnlySpan<byte> row, QuantizedDenseWeights weights, int block, Span<int> sums)
    {
        Span<Vector128<int>> partial = stackalloc Vector128<int>[Block];
        partial.Clear();
        ref sbyte w = ref weights.Packed[block * weights.Groups * Block * 4];
        ref byte x = ref MemoryMarshal.GetReference(row);
        for (int g = 0; g < weights.Groups; g++)
        {
            Vector128<short> xs = Vector128.WidenLower(Vector128.Create(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref x, 4 * g))).AsByte()).AsInt16();
            for (int j = 0; j < Block / 4; j++)
            {
                Vector128<sbyte> codes = Vector128.LoadUnsafe(ref w, (nuint)((g * Block + 4 * j) * 4));
                Vector128<short> low = Vector128.WidenLower(codes) * xs, high = Vector128.WidenUpper(codes) * xs;
                partial[4 * j] += Vector128.WidenLower(low);
                partial[4 * j + 1] += Vector128.WidenUpper(low);
                partial[4 * j + 2] += Vector128.WidenLower(high);
                partial[4 * j + 3] += Vector128.WidenUpper(high);
            }
        }

        for (int j = 0; j < Block; j++)
        {
            sums[j] = Vector128.Sum(partial[j]);
        }
    }

    // AVX2 without VNNI: codes sign-extended and bytes zero-extended to int16, vpmaddwd sums pairs into int32 (exact:
    // |pair| ≤ 65,280); each 8-output vector keeps two accumulators of pair sums, added pairwise at the end.
    private static void Avx2Sums(ReadOnlySpan<byte> row, QuantizedDenseWeights weights, int block, Span<int> sums)
    {
        ref sbyte w = ref weights.Packed[block * weights.Groups * Block * 4];
        ref byte x = ref MemoryMarshal.GetReference(row);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int g = 0; g < weights.Groups; g++)
        {
            Vector256<short> xs = Avx2.ConvertToVector256Int16(Vector128.Create(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref x, 4 * g))).AsByte());
            Vector256<sbyte> c0 = Vector256.LoadUnsafe(ref w, (nuint)(g * Block * 4));
            Vector256<sbyte> c1 = Vector256.LoadUnsafe(ref w, (nuint)(g * Block * 4 + 32));
            a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(c0.GetLower()), xs));
            a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(c0.GetUpper()), xs));
            a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(c1.GetLower()), xs));
            a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(c1.GetUpper()), xs));
        }

        // hadd of outputs 0–3 and 4–7 gives [o0, o1, o4, o5 | o2, o3, o6, o7]; the qword permute 0, 2, 1, 3 orders them.
        Avx2.Permute4x64(Avx2.HorizontalAdd(a0, a1).AsInt64(), 0xD8).AsInt32().StoreUnsafe(ref MemoryMarshal.GetReference(sums));
        Avx2.Permute4x64(Avx2.HorizontalAdd(a2, a3).AsInt64(), 0xD8).AsInt32().StoreUnsafe(ref MemoryMarshal.GetReference(sums), 8);
    }

    // One row, one block: two groups per step, four independent accumulators.
    private static void VnniTile1(ReadOnlySpan<byte> row, QuantizedDenseWeights weights, int block, out Vector256<int> low, out Vector256<int> high)
    {
        ref byte w = ref Unsafe.As<sbyte, byte>(ref weights.Packed[block * weights.Groups * Block * 4]);
        ref byte x = ref MemoryMarshal.GetReference(row);
        Vector256<int> a0 = default, a1 = default, b0 = default, b1 = default;
        int g = 0, groups = weights.Groups;
        for (; g + 2 <= groups; g += 2)
        {
            Vector256<byte> x0 = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x, 4 * g))).AsByte();
            Vector256<byte> x1 = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x, 4 * g + 4))).AsByte();
            nuint at = (nuint)(g * Block * 4);
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x0, Vector256.LoadUnsafe(ref w, at).AsSByte());
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, x0, Vector256.LoadUnsafe(ref w, at + 32).AsSByte());
            b0 = AvxVnni.MultiplyWideningAndAdd(b0, x1, Vector256.LoadUnsafe(ref w, at + 64).AsSByte());
            b1 = AvxVnni.MultiplyWideningAndAdd(b1, x1, Vector256.LoadUnsafe(ref w, at + 96).AsSByte());
        }

        if (g < groups)
        {
            Vector256<byte> x0 = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x, 4 * g))).AsByte();
            nuint at = (nuint)(g * Block * 4);
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x0, Vector256.LoadUnsafe(ref w, at).AsSByte());
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, x0, Vector256.LoadUnsafe(ref w, at + 32).AsSByte());
        }

        low = a0 + b0;
        high = a1 + b1;
    }

    // One row, two blocks: each broadcast of four bytes serves four weight vectors; two groups per step, eight accumulators.
    private static void VnniTwoBlocks(
        ReadOnlySpan<byte> row, QuantizedDenseWeights weights, int block,
        out Vector256<int> low0, out Vector256<int> high0, out Vector256<int> low1, out Vector256<int> high1)
    {
        int groups = weights.Groups, panel = groups * Block * 4;
        ref byte w0 = ref Unsafe.As<sbyte, byte>(ref weights.Packed[block * panel]);
        ref byte w1 = ref Unsafe.Add(ref w0, panel);
        ref byte x = ref MemoryMarshal.GetReference(row);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        int g = 0;
        for (; g + 2 <= groups; g += 2)
        {
            Vector256<byte> s0 = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x, 4 * g))).AsByte();
            Vector256<byte> s1 = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x, 4 * g + 4))).AsByte();
            nuint at = (nuint)(g * Block * 4);
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, s0, Vector256.LoadUnsafe(ref w0, at).AsSByte());
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, s0, Vector256.LoadUnsafe(ref w0, at + 32).AsSByte());
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, s0, Vector256.LoadUnsafe(ref w1, at).AsSByte());
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, s0, Vector256.LoadUnsafe(ref w1, at + 32).AsSByte());
            b0 = AvxVnni.MultiplyWideningAndAdd(b0, s1, Vector256.LoadUnsafe(ref w0, at + 64).AsSByte());
            b1 = AvxVnni.MultiplyWideningAndAdd(b1, s1, Vector256.LoadUnsafe(ref w0, at + 96).AsSByte());
            b2 = AvxVnni.MultiplyWideningAndAdd(b2, s1, Vector256.LoadUnsafe(ref w1, at + 64).AsSByte());
            b3 = AvxVnni.MultiplyWideningAndAdd(b3, s1, Vector256.LoadUnsafe(ref w1, at + 96).AsSByte());
        }

        if (g < groups)
        {
            Vector256<byte> s0 = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x, 4 * g))).AsByte();
            nuint at = (nuint)(g * Block * 4);
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, s0, Vector256.LoadUnsafe(ref w0, at).AsSByte());
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, s0, Vector256.LoadUnsafe(ref w0, at + 32).AsSByte());
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, s0, Vector256.LoadUnsafe(ref w1, at).AsSByte());
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, s0, Vector256.LoadUnsafe(ref w1, at + 32).AsSByte());
        }

        low0 = a0 + b0;
        high0 = a1 + b1;
        low1 = a2 + b2;
        high1 = a3 + b3;
    }

    // Six rows, one block: each pair of weight vectors loaded once serves six rows (twelve accumulators, enough
    // independent chains to cover vpdpbusd's latency at two per cycle).
    private static void VnniTile6(ReadOnlySpan<byte> q, int stride, QuantizedDenseWeights weights, int block, ReadOnlySpan<float> bias, Span<float> y, int outputs)
    {
        ref byte w = ref Unsafe.As<sbyte, byte>(ref weights.Packed[block * weights.Groups * Block * 4]);
        ref byte x0 = ref MemoryMarshal.GetReference(q);
        ref byte x1 = ref Unsafe.Add(ref x0, stride);
        ref byte x2 = ref Unsafe.Add(ref x1, stride);
        ref byte x3 = ref Unsafe.Add(ref x2, stride);
        ref byte x4 = ref Unsafe.Add(ref x3, stride);
        ref byte x5 = ref Unsafe.Add(ref x4, stride);
        Vector256<int> l0 = default, h0 = default, l1 = default, h1 = default, l2 = default, h2 = default;
        Vector256<int> l3 = default, h3 = default, l4 = default, h4 = default, l5 = default, h5 = default;
        for (nuint k = 0, end = (nuint)weights.Stride; k < end; k += 4, w = ref Unsafe.Add(ref w, Block * 4))
        {
            Vector256<sbyte> c0 = Vector256.LoadUnsafe(ref w).AsSByte(), c1 = Vector256.LoadUnsafe(ref w, 32).AsSByte();
            Vector256<byte> s = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x0, k))).AsByte();
            l0 = AvxVnni.MultiplyWideningAndAdd(l0, s, c0);
            h0 = AvxVnni.MultiplyWideningAndAdd(h0, s, c1);
            s = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x1, k))).AsByte();
            l1 = AvxVnni.MultiplyWideningAndAdd(l1, s, c0);
            h1 = AvxVnni.MultiplyWideningAndAdd(h1, s, c1);
            s = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x2, k))).AsByte();
            l2 = AvxVnni.MultiplyWideningAndAdd(l2, s, c0);
            h2 = AvxVnni.MultiplyWideningAndAdd(h2, s, c1);
            s = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x3, k))).AsByte();
            l3 = AvxVnni.MultiplyWideningAndAdd(l3, s, c0);
            h3 = AvxVnni.MultiplyWideningAndAdd(h3, s, c1);
            s = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x4, k))).AsByte();
            l4 = AvxVnni.MultiplyWideningAndAdd(l4, s, c0);
            h4 = AvxVnni.MultiplyWideningAndAdd(h4, s, c1);
            s = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x5, k))).AsByte();
            l5 = AvxVnni.MultiplyWideningAndAdd(l5, s, c0);
            h5 = AvxVnni.MultiplyWideningAndAdd(h5, s, c1);
        }

        Store(l0, h0, weights, block, bias, y.Slice(0, outputs));
        Store(l1, h1, weights, block, bias, y.Slice(outputs, outputs));
        Store(l2, h2, weights, block, bias, y.Slice(2 * outputs, outputs));
        Store(l3, h3, weights, block, bias, y.Slice(3 * outputs, outputs));
        Store(l4, h4, weights, block, bias, y.Slice(4 * outputs, outputs));
        Store(l5, h5, weights, block, bias, y.Slice(5 * outputs, outputs));
    }

    /// <summary>The epilogue of one block for one row, eight outputs at a time: the same multiply then add as <see cref="Dequantize"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<int> low, Vector256<int> high, QuantizedDenseWeights weights, int block, ReadOnlySpan<float> bias, Span<float> y)
    {
        int first = block * Block;
        ref int compensation = ref weights.Compensation[first];
        ref float scale = ref weights.OutputScale[first];
        Vector256<float> v0 = Vector256.LoadUnsafe(ref scale) * Vector256.ConvertToSingle(low - Vector256.LoadUnsafe(ref compensation));
        Vector256<float> v1 = Vector256.LoadUnsafe(ref scale, 8) * Vector256.ConvertToSingle(high - Vector256.LoadUnsafe(ref compensation, 8));
        if (first + Block <= y.Length)
        {
            ref float b = ref MemoryMarshal.GetReference(bias.Slice(first, Block));
            ref float target = ref MemoryMarshal.GetReference(y.Slice(first, Block));
            (Vector256.LoadUnsafe(ref b) + v0).StoreUnsafe(ref target);
            (Vector256.LoadUnsafe(ref b, 8) + v1).StoreUnsafe(ref target, 8);
            return;
        }

        // A partial last block (no stackalloc here: it would keep this method from being inlined into the tiles, whose
        // accumulators the JIT then spilled to the stack on every step of their loops)
        for (int j = 0; j < y.Length - first; j++)
        {
            y[first + j] = bias[first + j] + (j < 8 ? v0.GetElement(j) : v1.GetElement(j - 8));
        }
    }
}
