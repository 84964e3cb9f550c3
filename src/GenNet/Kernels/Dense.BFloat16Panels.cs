using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GenNet.Kernels;

// bfloat16 weights packed for one sample at 512 bits: panels of 32 outputs, [panel][input][32]. One 512-bit load gives 32
// outputs' weights: a row holds output j in the low half of 32-bit lane j and output 16 + j in its high half, so a shift and a
// mask make the two float vectors, without widening instructions: the product reads half the float weights' bytes at little
// more work per byte. (Half weights keep the row path: decoding them in registers costs more than it saves here, and .NET 10
// exposes no vcvtph2ps.) Each
// output sums its inputs in order in one accumulator (as the packed batch path does), not in the row path's lanes: the
// results agree with the other batch sizes' to within rounding (QuantizedWeightsTests allows 1e-5), not bit for bit, which
// only float networks promise. Machines without 512-bit vectors keep the row path.
public static partial class Dense
{
    /// <summary>Outputs per 16-bit panel: the two halves of one 512-bit vector of 32-bit lanes.</summary>
    internal const int PairPanelOutputs = 32;

    /// <summary>The length of the 16-bit panels (<see cref="PackBFloat16Panels"/>) of a weight [<paramref name="outputs"/>, <paramref name="inputs"/>].</summary>
    public static int PairPanelLength(int inputs, int outputs) =>
        checked((outputs + PairPanelOutputs - 1) / PairPanelOutputs * PairPanelOutputs * inputs);

    /// <summary>
    /// Packs bfloat16 <paramref name="weight"/> [outputs, inputs] into <paramref name="panels"/> ([panel of 32 outputs][input][16
    /// pairs]: output j of a panel in the low half of 32-bit lane j, output 16 + j in its high half; outputs past the last are zeros).
    /// </summary>
    public static void PackBFloat16Panels(ReadOnlySpan<ushort> weight, Span<ushort> panels, int inputs, int outputs) =>
        PackPairPanels<BFloat16Pairs>(weight, panels, inputs, outputs);

    private static void PackPairPanels<TFormat>(ReadOnlySpan<ushort> weight, Span<ushort> panels, int inputs, int outputs)
        where TFormat : struct, IPairFormat
    {
        if (inputs <= 0 || outputs <= 0 || weight.Length < (long)inputs * outputs || panels.Length < PairPanelLength(inputs, outputs))
        {
            throw new ArgumentException($"Dense 16-bit panels for {inputs} → {outputs}: weight {weight.Length}, panels {panels.Length} (needs {PairPanelLength(inputs, outputs)}).");
        }

        panels.Slice(0, PairPanelLength(inputs, outputs)).Clear();
        for (int o = 0; o < outputs; o++)
        {
            ReadOnlySpan<ushort> row = weight.Slice(o * inputs, inputs);
            Span<ushort> panel = panels.Slice(o / PairPanelOutputs * PairPanelOutputs * inputs);
            int slot = TFormat.Slot(o % PairPanelOutputs);
            for (int k = 0; k < inputs; k++)
            {
                panel[k * PairPanelOutputs + slot] = row[k];
            }
        }
    }

    /// <summary>
    /// <see cref="ForwardBFloat16(ReadOnlySpan{float}, ReadOnlySpan{ushort}, ReadOnlySpan{float}, Span{float}, int, int, int)"/>, with the
    /// weights also packed by <see cref="PackBFloat16Panels"/>: batches of fewer than 4 samples stream the panels on machines with 512-bit vectors.
    /// </summary>
    public static void ForwardBFloat16(
        ReadOnlySpan<float> x, ReadOnlySpan<ushort> weight, ReadOnlySpan<ushort> panels, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs)
    {
        CheckLengths(x.Length, batchSize, inputs, weight.Length, outputs, "y", y.Length, bias.Length, outputs);
        if (!PairPanelsPay(batchSize, panels.Length, inputs, outputs))
        {
            ForwardBFloat16(x, weight, bias, y, batchSize, inputs, outputs);
            return;
        }

        ForwardPairPanels<BFloat16Pairs>(x, panels, bias, y, batchSize, inputs, outputs);
    }

    private static bool PairPanelsPay(int batchSize, int panelLength, int inputs, int outputs)
    {
        if (panelLength < PairPanelLength(inputs, outputs))
        {
            throw new ArgumentException($"Dense 16-bit panels for {inputs} → {outputs} hold {panelLength} values; {PairPanelLength(inputs, outputs)} needed.");
        }

        return batchSize < QuantizedBlockMinBatch && Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
    }

    // Four panels (128 outputs, 8 accumulators) at a time, then one at a time.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForwardPairPanels<TFormat>(
        ReadOnlySpan<float> xSpan, ReadOnlySpan<ushort> panelSpan, ReadOnlySpan<float> bias, Span<float> y, int batchSize, int inputs, int outputs)
        where TFormat : struct, IPairFormat
    {
        int panels = (outputs + PairPanelOutputs - 1) / PairPanelOutputs;
        nuint n = (nuint)inputs, panelLength = n * PairPanelOutputs;
        Span<float> sums = stackalloc float[4 * PairPanelOutputs];
        ref float s = ref MemoryMarshal.GetReference(sums);
        for (int b = 0; b < batchSize; b++)
        {
            ref float x = ref MemoryMarshal.GetReference(xSpan.Slice(b * inputs, inputs));
            int panel = 0;
            for (; panel < panels; )
            {
                ref ushort p0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(panelSpan), (nuint)panel * panelLength);
                int group = panels - panel >= 4 ? 4 : 1;
                if (group == 4)
                {
                    ref ushort p1 = ref Unsafe.Add(ref p0, panelLength);
                    ref ushort p2 = ref Unsafe.Add(ref p1, panelLength);
                    ref ushort p3 = ref Unsafe.Add(ref p2, panelLength);
                    Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                    for (nuint k = 0, at = 0; k < n; k++, at += PairPanelOutputs)
                    {
                        Vector512<float> u = Vector512.Create(Unsafe.Add(ref x, k));
                        Vector512<uint> v0 = Vector512.LoadUnsafe(ref p0, at).AsUInt32(), v1 = Vector512.LoadUnsafe(ref p1, at).AsUInt32();
                        Vector512<uint> v2 = Vector512.LoadUnsafe(ref p2, at).AsUInt32(), v3 = Vector512.LoadUnsafe(ref p3, at).AsUInt32();
                        a0 = Vector512.FusedMultiplyAdd(u, TFormat.Low(v0), a0); a1 = Vector512.FusedMultiplyAdd(u, TFormat.High(v0), a1);
                        a2 = Vector512.FusedMultiplyAdd(u, TFormat.Low(v1), a2); a3 = Vector512.FusedMultiplyAdd(u, TFormat.High(v1), a3);
                        a4 = Vector512.FusedMultiplyAdd(u, TFormat.Low(v2), a4); a5 = Vector512.FusedMultiplyAdd(u, TFormat.High(v2), a5);
                        a6 = Vector512.FusedMultiplyAdd(u, TFormat.Low(v3), a6); a7 = Vector512.FusedMultiplyAdd(u, TFormat.High(v3), a7);
                    }

                    a0.StoreUnsafe(ref s, 0); a1.StoreUnsafe(ref s, 16); a2.StoreUnsafe(ref s, 32); a3.StoreUnsafe(ref s, 48);
                    a4.StoreUnsafe(ref s, 64); a5.StoreUnsafe(ref s, 80); a6.StoreUnsafe(ref s, 96); a7.StoreUnsafe(ref s, 112);
                }
                else
                {
                    Vector512<float> a0 = default, a1 = default;
                    for (nuint k = 0, at = 0; k < n; k++, at += PairPanelOutputs)
                    {
                        Vector512<float> u = Vector512.Create(Unsafe.Add(ref x, k));
                        Vector512<uint> v = Vector512.LoadUnsafe(ref p0, at).AsUInt32();
                        a0 = Vector512.FusedMultiplyAdd(u, TFormat.Low(v), a0);
                        a1 = Vector512.FusedMultiplyAdd(u, TFormat.High(v), a1);
                    }

                    a0.StoreUnsafe(ref s, 0); a1.StoreUnsafe(ref s, 16);
                }

                int first = panel * PairPanelOutputs, count = Math.Min(group * PairPanelOutputs, outputs - first);
                for (int j = 0; j < count; j++)
                {
                    y[b * outputs + first + j] = bias[first + j] + Unsafe.Add(ref s, j);
                }

                panel += group;
            }
        }
    }
}

/// <summary>A 512-bit row of 32 16-bit weights as two float vectors, outputs 0–15 and 16–31 of the panel.</summary>
internal interface IPairFormat
{
    /// <summary>Where output <paramref name="j"/> of a panel lies among the row's 32 16-bit values.</summary>
    static abstract int Slot(int j);

    static abstract Vector512<float> Low(Vector512<uint> pairs);

    static abstract Vector512<float> High(Vector512<uint> pairs);
}

/// <summary>bfloat16 pairs: the low half shifted into place, the high half masked.</summary>
internal readonly struct BFloat16Pairs : IPairFormat
{
    public static int Slot(int j) => j < 16 ? 2 * j : 2 * (j - 16) + 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Low(Vector512<uint> pairs) => (pairs << 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> High(Vector512<uint> pairs) => (pairs & Vector512.Create(0xFFFF0000u)).AsSingle();
}
