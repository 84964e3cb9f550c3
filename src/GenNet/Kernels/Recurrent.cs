using System;
using System.ComponentModel;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

/// <summary>
/// One step of the recurrent layers (LSTM, GRU, SimpleRNN) forward and backward, called by generated code in a loop over
/// the steps with constant bounds. Every buffer is step-major, so each step's rows for the whole batch are contiguous and
/// the recurrent product is one <see cref="Dense"/> GEMM of [batch, units] by the [gates·units, units] weight:
/// <list type="bullet">
/// <item><c>gates</c> [steps, batch, gates·units]: on entry the input projection <c>W_ih·x_t + b_ih</c> of every step
/// (one product over steps·batch rows, made by the generated code); a step replaces its rows by the gates' activations, and
/// the step's backward replaces those by the gradient of the gates' pre-activations.</item>
/// <item><c>h</c> (and the LSTM's <c>c</c>) [steps + 1, batch, units]: slot 0 is the zero initial state, slot t + 1 the
/// state after step t; slots 0 … steps − 1 are what the recurrent weight's gradient multiplies.</item>
/// <item><c>projection</c>: <c>W_hh·h + b_hh</c>, one step's [batch, gates·units] for the LSTM and SimpleRNN; every step's
/// [steps, batch, 3·units] for the GRU, whose backward needs <c>W_hn·h + b_hn</c> and then keeps there the gradient of
/// the recurrent pre-activations, which differs from the input's in the n gate (it is multiplied by r).</item>
/// <item><c>dh</c> [batch, units]: dL/dh of the step being undone; a step's backward leaves dL/dh of the step before.</item>
/// </list>
/// The gates are PyTorch's, in its order: LSTM i, f, g, o; GRU r, z, n. Element-wise work runs per sample over
/// <see cref="TensorPrimitives"/> (forward) and a <see cref="Simd"/> body (backward); the products are the dense layer's.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Recurrent
{
    /// <summary>Per step t and sample b: <c>xs[t, b, :] = x[b, t, :]</c>. <paramref name="x"/>, <paramref name="xs"/>: batchSize·steps·width floats.</summary>
    /// <exception cref="ArgumentException">A span's length is not batchSize·steps·width.</exception>
    public static void ToStepMajor(ReadOnlySpan<float> x, Span<float> xs, int batchSize, int steps, int width)
    {
        CheckLength(nameof(x), x.Length, (long)batchSize * steps * width);
        CheckLength(nameof(xs), xs.Length, (long)batchSize * steps * width);
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                x.Slice((b * steps + t) * width, width).CopyTo(xs.Slice((t * batchSize + b) * width, width));
            }
        }
    }

    /// <summary>Per sample b and step t: <c>x[b, t, :] = xs[t, b, :]</c>, the inverse of <see cref="ToStepMajor"/>.</summary>
    /// <exception cref="ArgumentException">A span's length is not batchSize·steps·width.</exception>
    public static void ToSampleMajor(ReadOnlySpan<float> xs, Span<float> x, int batchSize, int steps, int width)
    {
        CheckLength(nameof(xs), xs.Length, (long)batchSize * steps * width);
        CheckLength(nameof(x), x.Length, (long)batchSize * steps * width);
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                xs.Slice((t * batchSize + b) * width, width).CopyTo(x.Slice((b * steps + t) * width, width));
            }
        }
    }

    /// <summary>Per sample b: <c>dh[b, :] += dy[b, step, :]</c>, a sequence output's gradient at one step. dy: [batch, steps, units].</summary>
    /// <exception cref="ArgumentException">A span's length does not fit the sizes.</exception>
    public static void AddStep(ReadOnlySpan<float> dy, Span<float> dh, int step, int batchSize, int steps, int units)
    {
        CheckLength(nameof(dy), dy.Length, (long)batchSize * steps * units);
        CheckLength(nameof(dh), dh.Length, (long)batchSize * units);
        for (int b = 0; b < batchSize; b++)
        {
            Span<float> row = dh.Slice(b * units, units);
            TensorPrimitives.Add(row, dy.Slice((b * steps + step) * units, units), row);
        }
    }

    /// <summary>
    /// LSTM step <paramref name="step"/>: <c>(i, f, g, o) = (σ, σ, tanh, σ)(gates + W_hh·h + b_hh)</c>,
    /// <c>c' = f ⊙ c + i ⊙ g</c>, <c>h' = o ⊙ tanh(c')</c>, reading h and c from slot step and writing slot step + 1.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void LstmStep(
        ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, Span<float> gates, Span<float> projection, Span<float> h, Span<float> c,
        int step, int batchSize, int units)
    {
        int width = 4 * units, rows = batchSize * units;
        Span<float> z = gates.Slice(step * batchSize * width, batchSize * width);
        Span<float> p = projection.Slice(0, batchSize * width);
        Dense.Forward(h.Slice(step * rows, rows), weightHh, biasHh, p, batchSize, units, width);
        TensorPrimitives.Add(z, p, z);
        ReadOnlySpan<float> cPrevious = c.Slice(step * rows, rows);
        Span<float> cNext = c.Slice((step + 1) * rows, rows);
        Span<float> hNext = h.Slice((step + 1) * rows, rows);
        for (int b = 0; b < batchSize; b++)
        {
            Span<float> row = z.Slice(b * width, width);
            TensorPrimitives.Sigmoid(row.Slice(0, 2 * units), row.Slice(0, 2 * units)); // i, f
            TensorPrimitives.Tanh(row.Slice(2 * units, units), row.Slice(2 * units, units)); // g
            TensorPrimitives.Sigmoid(row.Slice(3 * units, units), row.Slice(3 * units, units)); // o
            Span<float> cell = cNext.Slice(b * units, units), hidden = hNext.Slice(b * units, units);
            TensorPrimitives.Multiply(row.Slice(units, units), cPrevious.Slice(b * units, units), cell);
            TensorPrimitives.FusedMultiplyAdd(row.Slice(0, units), row.Slice(2 * units, units), cell, cell);
            TensorPrimitives.Tanh(cell, hidden);
            TensorPrimitives.Multiply(hidden, row.Slice(3 * units, units), hidden);
        }
    }

    /// <summary>
    /// Undoes LSTM step <paramref name="step"/>. <paramref name="dh"/> holds dL/dh' and <paramref name="dc"/> dL/dc' from the
    /// steps after (zero after the last). With τ = tanh(c'): <c>dc = dc' + dh'·o·(1 − τ²)</c>; the gates' pre-activations
    /// get <c>di = dc·g·i(1 − i)</c>, <c>df = dc·c·f(1 − f)</c>, <c>dg = dc·i·(1 − g²)</c>, <c>do = dh'·τ·o(1 − o)</c>,
    /// written over the step's gates; then <c>dc ← dc·f</c> and, unless this is step 0, <c>dh ← d(pre)·W_hh</c>.
    /// <paramref name="projection"/> is working space.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void LstmStepBackward(
        ReadOnlySpan<float> weightHh, Span<float> gates, Span<float> projection, ReadOnlySpan<float> c, Span<float> dh, Span<float> dc,
        int step, int batchSize, int units) =>
        LstmBackward(weightHh, gates, projection, c, dh, dc, ReadOnlySpan<float>.Empty, step, batchSize, units);

    /// <summary>
    /// <see cref="LstmStepBackward(ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int)"/>
    /// under a step mask (see <see cref="LstmStep(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, Span{float}, ReadOnlySpan{float}, int, int, int)"/>):
    /// a padded sample's gates get a zero gradient and its dL/dh and dL/dc pass to the step before unchanged, as its
    /// forward carried h and c. <paramref name="projection"/> [batch, 4·units] is working space (its second quarter keeps
    /// the carried dL/dh across the recurrent product).
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void LstmStepBackward(
        ReadOnlySpan<float> weightHh, Span<float> gates, Span<float> projection, ReadOnlySpan<float> c, Span<float> dh, Span<float> dc,
        ReadOnlySpan<float> mask, int step, int batchSize, int units) =>
        LstmBackward(weightHh, gates, projection, c, dh, dc, StepMask(mask, step, batchSize), step, batchSize, units);

    // Both LstmStepBackward overloads: stepMask is the batch's mask at this step, or empty for none.
    private static void LstmBackward(
        ReadOnlySpan<float> weightHh, Span<float> gates, Span<float> projection, ReadOnlySpan<float> c, Span<float> dh, Span<float> dc,
        ReadOnlySpan<float> stepMask, int step, int batchSize, int units)
    {
        int width = 4 * units, rows = batchSize * units;
        bool masked = !stepMask.IsEmpty;
        Span<float> z = gates.Slice(step * batchSize * width, batchSize * width);
        ReadOnlySpan<float> cPrevious = c.Slice(step * rows, rows), cNext = c.Slice((step + 1) * rows, rows);
        CheckLength(nameof(dh), dh.Length, rows);
        CheckLength(nameof(dc), dc.Length, rows);
        Span<float> tanhC = projection.Slice(0, rows); // τ = tanh(c') of every sample, in one call
        Span<float> carried = masked ? projection.Slice(rows, rows) : default; // a padded sample's dL/dh, across the recurrent product
        TensorPrimitives.Tanh(cNext, tanhC);
        for (int b = 0; b < batchSize; b++)
        {
            if (masked)
            {
                Span<float> carriedRow = carried.Slice(b * units, units);
                if (stepMask[b] == 0f)
                {
                    z.Slice(b * width, width).Clear(); // no gradient to the weights or the input; dc passes unchanged
                    dh.Slice(b * units, units).CopyTo(carriedRow);
                    continue;
                }

                carriedRow.Clear();
            }

            var kernel = new LstmBackwardKernel(z.Slice(b * width, width), tanhC.Slice(b * units, units), cPrevious.Slice(b * units, units), dh.Slice(b * units, units), dc.Slice(b * units, units), units);
            Simd.Split(ref kernel, units);
        }

        if (step > 0)
        {
            Dense.BackwardInput(z, weightHh, dh, batchSize, units, width);
            if (masked)
            {
                TensorPrimitives.Add(dh, carried, dh);
            }
        }
    }

    /// <summary>
    /// GRU step <paramref name="step"/>, PyTorch's formula: with <c>a = W_hh·h + b_hh</c> kept in the step's rows of
    /// <paramref name="projection"/>, <c>r = σ(gates_r + a_r)</c>, <c>z = σ(gates_z + a_z)</c>,
    /// <c>n = tanh(gates_n + r ⊙ a_n)</c>, <c>h' = (1 − z) ⊙ n + z ⊙ h</c> (computed as <c>n + z ⊙ (h − n)</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void GruStep(
        ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, Span<float> gates, Span<float> projection, Span<float> h,
        int step, int batchSize, int units)
    {
        int width = 3 * units, rows = batchSize * units;
        Span<float> z = gates.Slice(step * batchSize * width, batchSize * width);
        Span<float> a = projection.Slice(step * batchSize * width, batchSize * width);
        ReadOnlySpan<float> hPrevious = h.Slice(step * rows, rows);
        Span<float> hNext = h.Slice((step + 1) * rows, rows);
        Dense.Forward(hPrevious, weightHh, biasHh, a, batchSize, units, width);
        for (int b = 0; b < batchSize; b++)
        {
            Span<float> row = z.Slice(b * width, width);
            ReadOnlySpan<float> recurrent = a.Slice(b * width, width);
            Span<float> rz = row.Slice(0, 2 * units), n = row.Slice(2 * units, units);
            TensorPrimitives.Add(rz, recurrent.Slice(0, 2 * units), rz);
            TensorPrimitives.Sigmoid(rz, rz);
            TensorPrimitives.FusedMultiplyAdd(row.Slice(0, units), recurrent.Slice(2 * units, units), n, n);
            TensorPrimitives.Tanh(n, n);
            Span<float> hidden = hNext.Slice(b * units, units);
            TensorPrimitives.Subtract(hPrevious.Slice(b * units, units), n, hidden);
            TensorPrimitives.FusedMultiplyAdd(row.Slice(units, units), hidden, n, hidden);
        }
    }

    /// <summary>
    /// Undoes GRU step <paramref name="step"/>. From dh' (in <paramref name="dh"/>): <c>dn = dh'·(1 − z)·(1 − n²)</c>,
    /// <c>dz = dh'·(h − n)·z(1 − z)</c>, <c>dr = dn·a_n·r(1 − r)</c>; the step's gates become the input pre-activations'
    /// gradient (dr, dz, dn) and its projection rows the recurrent ones' (dr, dz, dn·r); then
    /// <c>dh ← dh'·z + (dr, dz, dn·r)·W_hh</c> unless this is step 0. <paramref name="dhCarry"/> [batch, units] is working space.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void GruStepBackward(
        ReadOnlySpan<float> weightHh, Span<float> gates, Span<float> projection, ReadOnlySpan<float> h, Span<float> dh, Span<float> dhCarry,
        int step, int batchSize, int units) =>
        GruBackward(weightHh, gates, projection, h, dh, dhCarry, ReadOnlySpan<float>.Empty, step, batchSize, units);

    /// <summary>
    /// <see cref="GruStepBackward(ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int)"/>
    /// under a step mask: a padded sample's gates and projection rows get a zero gradient and its dL/dh passes to the step
    /// before unchanged, as its forward carried h.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void GruStepBackward(
        ReadOnlySpan<float> weightHh, Span<float> gates, Span<float> projection, ReadOnlySpan<float> h, Span<float> dh, Span<float> dhCarry,
        ReadOnlySpan<float> mask, int step, int batchSize, int units) =>
        GruBackward(weightHh, gates, projection, h, dh, dhCarry, StepMask(mask, step, batchSize), step, batchSize, units);

    // Both GruStepBackward overloads: stepMask is the batch's mask at this step, or empty for none.
    private static void GruBackward(
        ReadOnlySpan<float> weightHh, Span<float> gates, Span<float> projection, ReadOnlySpan<float> h, Span<float> dh, Span<float> dhCarry,
        ReadOnlySpan<float> stepMask, int step, int batchSize, int units)
    {
        int width = 3 * units, rows = batchSize * units;
        Span<float> z = gates.Slice(step * batchSize * width, batchSize * width);
        Span<float> a = projection.Slice(step * batchSize * width, batchSize * width);
        ReadOnlySpan<float> hPrevious = h.Slice(step * rows, rows);
        CheckLength(nameof(dh), dh.Length, rows);
        CheckLength(nameof(dhCarry), dhCarry.Length, rows);
        for (int b = 0; b < batchSize; b++)
        {
            if (!stepMask.IsEmpty && stepMask[b] == 0f)
            {
                z.Slice(b * width, width).Clear();
                a.Slice(b * width, width).Clear(); // so its row of the recurrent product below is zero and dh stays
                continue;
            }

            var kernel = new GruBackwardKernel(z.Slice(b * width, width), a.Slice(b * width, width), hPrevious.Slice(b * units, units), dh.Slice(b * units, units), units);
            Simd.Split(ref kernel, units);
        }

        if (step > 0)
        {
            Dense.BackwardInput(a, weightHh, dhCarry, batchSize, units, width);
            TensorPrimitives.Add(dh, dhCarry, dh);
        }
    }

    /// <summary>SimpleRNN step <paramref name="step"/>: <c>h' = tanh(gates + W_hh·h + b_hh)</c>, kept in the step's gates and in slot step + 1 of h.</summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void RnnStep(
        ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, Span<float> gates, Span<float> projection, Span<float> h,
        int step, int batchSize, int units)
    {
        int rows = batchSize * units;
        Span<float> z = gates.Slice(step * rows, rows);
        Span<float> p = projection.Slice(0, rows);
        Dense.Forward(h.Slice(step * rows, rows), weightHh, biasHh, p, batchSize, units, units);
        TensorPrimitives.Add(z, p, z);
        TensorPrimitives.Tanh(z, z);
        z.CopyTo(h.Slice((step + 1) * rows, rows));
    }

    /// <summary>Undoes SimpleRNN step <paramref name="step"/>: the step's gates become <c>d(pre) = dh'·(1 − h'²)</c>, then <c>dh ← d(pre)·W_hh</c> unless this is step 0.</summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void RnnStepBackward(ReadOnlySpan<float> weightHh, Span<float> gates, Span<float> dh, int step, int batchSize, int units)
    {
        int rows = batchSize * units;
        Span<float> z = gates.Slice(step * rows, rows);
        CheckLength(nameof(dh), dh.Length, rows);
        var kernel = new TanhBackwardKernel(z, dh);
        Simd.Split(ref kernel, rows);
        if (step > 0)
        {
            Dense.BackwardInput(z, weightHh, dh, batchSize, units, units);
        }
    }

    /// <summary>
    /// <see cref="RnnStepBackward(ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int)"/> under a step mask: a padded
    /// sample's pre-activation gets a zero gradient and its dL/dh passes to the step before unchanged, kept across the
    /// recurrent product in <paramref name="carried"/> [batch, units], working space.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void RnnStepBackward(
        ReadOnlySpan<float> weightHh, Span<float> gates, Span<float> dh, Span<float> carried, ReadOnlySpan<float> mask, int step, int batchSize, int units)
    {
        int rows = batchSize * units;
        ReadOnlySpan<float> stepMask = StepMask(mask, step, batchSize);
        Span<float> z = gates.Slice(step * rows, rows);
        CheckLength(nameof(dh), dh.Length, rows);
        carried = carried.Slice(0, rows);
        var kernel = new TanhBackwardKernel(z, dh);
        Simd.Split(ref kernel, rows);
        for (int b = 0; b < batchSize; b++)
        {
            if (stepMask[b] == 0f)
            {
                z.Slice(b * units, units).Clear();
                dh.Slice(b * units, units).CopyTo(carried.Slice(b * units, units));
            }
            else
            {
                carried.Slice(b * units, units).Clear();
            }
        }

        if (step > 0)
        {
            Dense.BackwardInput(z, weightHh, dh, batchSize, units, units);
            TensorPrimitives.Add(dh, carried, dh);
        }
    }

    private static void CheckLength(string name, int length, long expected)
    {
        if (length != expected)
        {
            throw new ArgumentException($"Recurrent: {name} has {length} floats where the sizes need {expected}.", name);
        }
    }

    // One sample's LSTM backward over units [start, end): the gate rows i, f, g, o are units apart.
    private readonly ref struct LstmBackwardKernel(
        Span<float> gates, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> cPrevious, ReadOnlySpan<float> dh, Span<float> dc, int units) : IWidthKernel
    {
        private readonly Span<float> _gates = gates;
        private readonly ReadOnlySpan<float> _tanhC = tanhC;
        private readonly ReadOnlySpan<float> _cPrevious = cPrevious;
        private readonly ReadOnlySpan<float> _dh = dh;
        private readonly Span<float> _dc = dc;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            ref float gate = ref MemoryMarshal.GetReference(_gates);
            ref float tanhC = ref MemoryMarshal.GetReference(_tanhC);
            ref float cPrevious = ref MemoryMarshal.GetReference(_cPrevious);
            ref float dh = ref MemoryMarshal.GetReference(_dh);
            ref float dc = ref MemoryMarshal.GetReference(_dc);
            nuint u = (nuint)units;
            TVector one = TWidth.One;
            for (nuint k = (nuint)start; k < (nuint)end; k += (nuint)TWidth.Count)
            {
                TVector i = TWidth.Load(ref gate, k), f = TWidth.Load(ref gate, k + u), g = TWidth.Load(ref gate, k + 2 * u), o = TWidth.Load(ref gate, k + 3 * u);
                TVector tau = TWidth.Load(ref tanhC, k), dHidden = TWidth.Load(ref dh, k);
                TVector dCell = TWidth.MultiplyAdd(TWidth.Multiply(dHidden, o), TWidth.Subtract(one, TWidth.Multiply(tau, tau)), TWidth.Load(ref dc, k));
                TWidth.Store(TWidth.Multiply(dCell, f), ref dc, k);
                TWidth.Store(TWidth.Multiply(TWidth.Multiply(dCell, g), TWidth.Multiply(i, TWidth.Subtract(one, i))), ref gate, k);
                TWidth.Store(TWidth.Multiply(TWidth.Multiply(dCell, TWidth.Load(ref cPrevious, k)), TWidth.Multiply(f, TWidth.Subtract(one, f))), ref gate, k + u);
                TWidth.Store(TWidth.Multiply(TWidth.Multiply(dCell, i), TWidth.Subtract(one, TWidth.Multiply(g, g))), ref gate, k + 2 * u);
                TWidth.Store(TWidth.Multiply(TWidth.Multiply(dHidden, tau), TWidth.Multiply(o, TWidth.Subtract(one, o))), ref gate, k + 3 * u);
            }
        }
    }

    // One sample's GRU backward over units [start, end): gates r, z, n and the recurrent projection a, units apart.
    private readonly ref struct GruBackwardKernel(Span<float> gates, Span<float> projection, ReadOnlySpan<float> hPrevious, Span<float> dh, int units) : IWidthKernel
    {
        private readonly Span<float> _gates = gates;
        private readonly Span<float> _projection = projection;
        private readonly ReadOnlySpan<float> _hPrevious = hPrevious;
        private readonly Span<float> _dh = dh;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            ref float gate = ref MemoryMarshal.GetReference(_gates);
            ref float projection = ref MemoryMarshal.GetReference(_projection);
            ref float hPrevious = ref MemoryMarshal.GetReference(_hPrevious);
            ref float dh = ref MemoryMarshal.GetReference(_dh);
            nuint u = (nuint)units;
            TVector one = TWidth.One;
            for (nuint k = (nuint)start; k < (nuint)end; k += (nuint)TWidth.Count)
            {
                TVector r = TWidth.Load(ref gate, k), z = TWidth.Load(ref gate, k + u), n = TWidth.Load(ref gate, k + 2 * u);
                TVector aN = TWidth.Load(ref projection, k + 2 * u), dHidden = TWidth.Load(ref dh, k);
                TVector dN = TWidth.Multiply(TWidth.Multiply(dHidden, TWidth.Subtract(one, z)), TWidth.Subtract(one, TWidth.Multiply(n, n)));
                TVector dZ = TWidth.Multiply(TWidth.Multiply(dHidden, TWidth.Subtract(TWidth.Load(ref hPrevious, k), n)), TWidth.Multiply(z, TWidth.Subtract(one, z)));
                TVector dR = TWidth.Multiply(TWidth.Multiply(dN, aN), TWidth.Multiply(r, TWidth.Subtract(one, r)));
                TWidth.Store(dR, ref gate, k);
                TWidth.Store(dZ, ref gate, k + u);
                TWidth.Store(dN, ref gate, k + 2 * u);
                TWidth.Store(dR, ref projection, k);
                TWidth.Store(dZ, ref projection, k + u);
                TWidth.Store(TWidth.Multiply(dN, r), ref projection, k + 2 * u);
                TWidth.Store(TWidth.Multiply(dHidden, z), ref dh, k);
            }
        }
    }

    // values[k] = dy[k]·(1 − y[k]²) over the step's outputs y, written over y.
    private readonly ref struct TanhBackwardKernel(Span<float> y, ReadOnlySpan<float> dy) : IWidthKernel
    {
        private readonly Span<float> _y = y;
        private readonly ReadOnlySpan<float> _dy = dy;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            ref float y = ref MemoryMarshal.GetReference(_y);
            ref float dy = ref MemoryMarshal.GetReference(_dy);
            for (nuint k = (nuint)start; k < (nuint)end; k += (nuint)TWidth.Count)
            {
                TVector value = TWidth.Load(ref y, k);
                TWidth.Store(TWidth.Multiply(TWidth.Load(ref dy, k), TWidth.Subtract(TWidth.One, TWidth.Multiply(value, value))), ref y, k);
            }
        }
    }
}
