using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GenNet.Kernels;

/// <summary>
/// The runtime's one SIMD dispatch: the only place that asks which vector widths the machine accelerates. Every
/// vectorised kernel is written once over a width type (<see cref="IVectorWidth{TVector}"/>: <see cref="Width512"/>,
/// <see cref="Width256"/>, <see cref="Width128"/>, and <see cref="Width1"/>, the scalar path) and run through here.
/// <c>IsHardwareAccelerated</c> is a JIT-time constant and the ladder inlines into its caller, so only the paths the
/// machine takes are compiled.
/// </summary>
/// <remarks>
/// <para>How to write a kernel:</para>
/// <list type="number">
/// <item>An element-wise map needs only its operator: a <c>readonly struct</c> implementing <see cref="IUnaryOperator"/>
/// (<c>x → f(x)</c>), <see cref="IBinaryOperator"/> (<c>(a, b) → f(a, b)</c>) or <see cref="IUpdateOperator"/> (an
/// optimizer's rule with up to two state buffers), whose one <c>Invoke&lt;TVector, TWidth&gt;</c> spells the arithmetic
/// with <c>TWidth.Multiply</c>, <c>TWidth.Add</c>, …; give the scalar path the same operations in the same order and
/// every width gives the same bits. Mark <c>Invoke</c> <c>[MethodImpl(MethodImplOptions.AggressiveInlining)]</c>: spelled
/// as calls, its IL is larger than the JIT inlines on its own. Run it with <see cref="Map{TOperator}(TOperator, Span{float})"/>,
/// <see cref="Map{TOperator}(TOperator, ReadOnlySpan{float}, Span{float})"/> or <see cref="Update{TOperator}"/>.</item>
/// <item>Anything else is an <see cref="IWidthKernel"/>: a struct (a <c>ref struct</c> when it holds spans) whose
/// <c>Run&lt;TVector, TWidth&gt;(start, end)</c> is the body, written with <c>TWidth</c>'s operations and stepping
/// <c>TWidth.Count</c> elements at a time. Copy what the loop needs into locals at its top.</item>
/// <item>Call <see cref="Split{TKernel}"/> to cover elements [0, length) with the widest accelerated vector, then the
/// narrower ones, then scalars for the tail — each <c>Run</c> gets whole vectors only (pooling splits its channels
/// this way) — or <see cref="Widest{TKernel}"/> to run the whole problem at the single widest width that holds
/// enough vectors, the body handling its own remainder (the dense products, which choose by their input count).</item>
/// </list>
/// <para>
/// No kernel carries <c>[MethodImpl(MethodImplOptions.AggressiveOptimization)]</c> (they did until 2026-12-03): GenNet's
/// build files turn <c>TieredCompilationQuickJitForLoops</c> off, which compiles every method with a loop fully optimized
/// at its first call, as the attribute did, while the loop-free entry points and argument checks start at tier 0, cheap
/// to compile, and can be precompiled by ReadyToRun — the attribute barred both (crossgen2 skips such methods) and added about
/// 10 ms of optimizing compilation to an app's first call (docs/performance.md, Cold start). Do not add it back.
/// </para>
/// <para>
/// Every kernel body that loops carries <c>[MethodImpl(MethodImplOptions.NoInlining)]</c> instead: each
/// <see cref="IWidthKernel"/>'s <c>Run</c> that loops, and the width-generic bodies that a dispatching <c>Run</c> calls
/// (<c>Dense.Forward&lt;TVector, TWidth&gt;</c> and its siblings). Compiled fully optimized at its first call and never
/// again, such a body is then never inlined into a loop-free caller that dynamic PGO recompiles at tier 1 — which made
/// kernels several times slower, differently from one process to the next: the bfloat16 row kernel took 11–16 µs for one
/// sample inlined against 1.9 µs on its own (<c>KernelBenchmarks</c>; 2.3 µs with tiered compilation off), as Adam's
/// step did before <see cref="Update{TOperator}"/> was kept out of line. A new kernel follows the same rule.
/// </para>
/// </remarks>
internal static class Simd
{
    /// <summary>
    /// Runs <paramref name="kernel"/> over elements [0, <paramref name="length"/>): the widest accelerated vector over as
    /// many whole vectors as fit, each narrower accelerated vector over what is left, then scalars.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Split<TKernel>(scoped ref TKernel kernel, int length)
        where TKernel : IWidthKernel, allows ref struct =>
        Ladder(ref kernel, length, split: true, minimumVectors: 1, narrowestBits: 32);

    /// <summary>
    /// Runs <paramref name="kernel"/> once, over [0, <paramref name="length"/>), at the widest accelerated width of at
    /// least <paramref name="narrowestBits"/> bits (32 is the scalar path) of which <paramref name="length"/> holds
    /// <paramref name="minimumVectors"/> vectors. Returns false, running nothing, when no width qualifies.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Widest<TKernel>(scoped ref TKernel kernel, int length, int minimumVectors = 1, int narrowestBits = 32)
        where TKernel : IWidthKernel, allows ref struct =>
        Ladder(ref kernel, length, split: false, minimumVectors, narrowestBits);

    /// <summary><c>values[i] = op(values[i])</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Map<TOperator>(TOperator op, Span<float> values)
        where TOperator : struct, IUnaryOperator
    {
        var kernel = new UnaryKernel<TOperator>(op, values);
        Split(ref kernel, values.Length);
    }

    /// <summary><c>b[i] = op(a[i], b[i])</c>; the spans have the same length.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Map<TOperator>(TOperator op, ReadOnlySpan<float> a, Span<float> b)
        where TOperator : struct, IBinaryOperator
    {
        if (a.Length != b.Length)
        {
            ThrowLengthsDiffer(a.Length, b.Length);
        }

        var kernel = new BinaryKernel<TOperator>(op, a, b);
        Split(ref kernel, b.Length);
    }

    /// <summary>
    /// <c>(parameters[i], state0[i], state1[i]) = op(parameters[i], gradients[i], state0[i], state1[i])</c>.
    /// The state spans the operator uses have the parameters' length; the others may be empty. Returns true when every
    /// parameter it wrote is finite: the check a training step makes after the optimizer's step, done on the values as they
    /// are written (<c>w − w</c> is +0 for a finite <c>w</c> and NaN for ±∞ and NaN, summed per lane) instead of in a second
    /// pass over the parameters.
    /// </summary>
    /// <remarks>
    /// Not inlined: inlined with its loops into an optimizer's step, Adam's and RMSprop's steps ran three to four times
    /// slower under dynamic PGO (ElementwiseKernelBenchmarks; the loop's instructions were the same, the cause was not
    /// found), and as a method of its own they match the hand-written driver this replaced.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool Update<TOperator>(in TOperator op, Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state0, Span<float> state1)
        where TOperator : struct, IUpdateOperator
    {
        Debug.Assert(gradients.Length == parameters.Length);
        Debug.Assert(TOperator.StateCount < 1 || state0.Length == parameters.Length);
        Debug.Assert(TOperator.StateCount < 2 || state1.Length == parameters.Length);
        var kernel = new UpdateKernel<TOperator>(op, parameters, gradients, state0, state1);
        Split(ref kernel, parameters.Length);
        return kernel.Check == 0f;
    }

    [DoesNotReturn]
    private static void ThrowLengthsDiffer(int a, int b) => throw new ArgumentException($"Spans differ in length: {a} and {b}.");

    // The ladder: each accelerated width from 512 bits down to narrowestBits is offered what is left, then scalars.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Ladder<TKernel>(scoped ref TKernel kernel, int length, bool split, int minimumVectors, int narrowestBits)
        where TKernel : IWidthKernel, allows ref struct
    {
        int done = 0;
        if (Vector512.IsHardwareAccelerated && Offer<TKernel, Vector512<float>, Width512>(ref kernel, ref done, length, split, minimumVectors))
        {
            return true;
        }

        if (Vector256.IsHardwareAccelerated && narrowestBits <= 256 && Offer<TKernel, Vector256<float>, Width256>(ref kernel, ref done, length, split, minimumVectors))
        {
            return true;
        }

        if (Vector128.IsHardwareAccelerated && narrowestBits <= 128 && Offer<TKernel, Vector128<float>, Width128>(ref kernel, ref done, length, split, minimumVectors))
        {
            return true;
        }

        if (narrowestBits > 32)
        {
            return false;
        }

        if (!split || done < length)
        {
            kernel.Run<float, Width1>(done, length);
        }

        return true;
    }

    // Offers [done, length) to one width; true when nothing is left to do. Split runs the whole vectors among them and
    // leaves the rest; Widest runs all of them, or none when they fill fewer than minimumVectors vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Offer<TKernel, TVector, TWidth>(scoped ref TKernel kernel, ref int done, int length, bool split, int minimumVectors)
        where TKernel : IWidthKernel, allows ref struct
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        if (split)
        {
            int end = done + (length - done) / TWidth.Count * TWidth.Count;
            if (end > done)
            {
                kernel.Run<TVector, TWidth>(done, end);
                done = end;
            }

            return done == length;
        }

        if (length < minimumVectors * TWidth.Count)
        {
            return false;
        }

        kernel.Run<TVector, TWidth>(0, length);
        return true;
    }

    // The element-wise kernels' Run methods hold the loop; the JIT compiles each as a method of its own (it does not inline
    // loops unasked) and inlines the operator's Invoke into it.
    private readonly ref struct UnaryKernel<TOperator>(TOperator op, Span<float> values) : IWidthKernel
        where TOperator : struct, IUnaryOperator
    {
        private readonly TOperator _op = op;
        private readonly Span<float> _values = values;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            TOperator op = _op;
            ref float values = ref MemoryMarshal.GetReference(_values);
            for (nuint i = (nuint)start; i < (nuint)end; i += (nuint)TWidth.Count)
            {
                TWidth.Store(op.Invoke<TVector, TWidth>(TWidth.Load(ref values, i)), ref values, i);
            }
        }
    }

    private readonly ref struct BinaryKernel<TOperator>(TOperator op, ReadOnlySpan<float> a, Span<float> b) : IWidthKernel
        where TOperator : struct, IBinaryOperator
    {
        private readonly TOperator _op = op;
        private readonly ReadOnlySpan<float> _a = a;
        private readonly Span<float> _b = b;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            TOperator op = _op;
            ref float a = ref MemoryMarshal.GetReference(_a);
            ref float b = ref MemoryMarshal.GetReference(_b);
            for (nuint i = (nuint)start; i < (nuint)end; i += (nuint)TWidth.Count)
            {
                TWidth.Store(op.Invoke<TVector, TWidth>(TWidth.Load(ref a, i), TWidth.Load(ref b, i)), ref b, i);
            }
        }
    }

    // StateCount is a JIT-time constant, so only the state loads and stores the operator uses are compiled. Check sums
    // w − w over the written parameters, each width's run adding its lanes: 0 while all are finite, NaN once one is not.
    private ref struct UpdateKernel<TOperator>(TOperator op, Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state0, Span<float> state1) : IWidthKernel
        where TOperator : struct, IUpdateOperator
    {
        private readonly TOperator _op = op;
        private readonly Span<float> _parameters = parameters;
        private readonly ReadOnlySpan<float> _gradients = gradients;
        private readonly Span<float> _state0 = state0;
        private readonly Span<float> _state1 = state1;

        public float Check;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            TOperator op = _op;
            ref float w = ref MemoryMarshal.GetReference(_parameters);
            ref float g = ref MemoryMarshal.GetReference(_gradients);
            ref float s0 = ref MemoryMarshal.GetReference(_state0);
            ref float s1 = ref MemoryMarshal.GetReference(_state1);
            TVector check = TWidth.Zero;
            for (nuint i = (nuint)start; i < (nuint)end; i += (nuint)TWidth.Count)
            {
                TVector a = TOperator.StateCount > 0 ? TWidth.Load(ref s0, i) : default;
                TVector b = TOperator.StateCount > 1 ? TWidth.Load(ref s1, i) : default;
                TVector updated = op.Invoke<TVector, TWidth>(TWidth.Load(ref w, i), TWidth.Load(ref g, i), ref a, ref b);
                TWidth.Store(updated, ref w, i);
                check = TWidth.Add(check, TWidth.Subtract(updated, updated));
                if (TOperator.StateCount > 0)
                {
                    TWidth.Store(a, ref s0, i);
                }

                if (TOperator.StateCount > 1)
                {
                    TWidth.Store(b, ref s1, i);
                }
            }

            Check += TWidth.Sum(check);
        }
    }
}

/// <summary>A kernel's body, written once over the width; see <see cref="Simd"/>.</summary>
internal interface IWidthKernel
{
    /// <summary>
    /// Does the work for elements [<paramref name="start"/>, <paramref name="end"/>) of the dimension the dispatch
    /// covers, <typeparamref name="TWidth"/>'s <c>Count</c> lanes at a time (<see cref="Simd.Split{TKernel}"/> passes whole
    /// vectors only; <see cref="Simd.Widest{TKernel}"/> passes the whole length, remainder included).
    /// </summary>
    void Run<TVector, TWidth>(int start, int end)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>;
}

/// <summary>An element-wise map <c>x → f(x)</c>, written once over the width (see <see cref="Simd"/>).</summary>
internal interface IUnaryOperator
{
    TVector Invoke<TVector, TWidth>(TVector x)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>;
}

/// <summary>An element-wise map <c>(a, b) → f(a, b)</c>, written once over the width (see <see cref="Simd"/>).</summary>
internal interface IBinaryOperator
{
    TVector Invoke<TVector, TWidth>(TVector a, TVector b)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>;
}

/// <summary>
/// One optimizer's per-element update rule, written once over the width (see <see cref="Simd"/>). Each parameter has up
/// to two state values (moments), passed by reference and updated in place; the new parameter is returned.
/// </summary>
internal interface IUpdateOperator
{
    /// <summary>How many state buffers (0, 1 or 2) the rule reads and writes; the others are ignored.</summary>
    static abstract int StateCount { get; }

    TVector Invoke<TVector, TWidth>(TVector parameter, TVector gradient, ref TVector state0, ref TVector state1)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>;
}
