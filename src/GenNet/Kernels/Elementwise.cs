using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GenNet.Kernels;

/// <summary>An element-wise map <c>x → f(x)</c> at every vector width, TensorPrimitives-style.</summary>
internal interface IUnaryOperator
{
    float Invoke(float x);
    Vector128<float> Invoke(Vector128<float> x);
    Vector256<float> Invoke(Vector256<float> x);
    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>An element-wise map <c>(a, b) → f(a, b)</c> at every vector width.</summary>
internal interface IBinaryOperator
{
    float Invoke(float a, float b);
    Vector128<float> Invoke(Vector128<float> a, Vector128<float> b);
    Vector256<float> Invoke(Vector256<float> a, Vector256<float> b);
    Vector512<float> Invoke(Vector512<float> a, Vector512<float> b);
}

/// <summary>
/// Drivers for the operators: the widest accelerated vector first, then narrower ones, then scalars
/// for the tail. <c>IsHardwareAccelerated</c> is a JIT-time constant, so only one path is compiled.
/// </summary>
internal static class Elementwise
{
    /// <summary><c>values[i] = op(values[i])</c>.</summary>
    public static void Apply<TOperator>(TOperator op, Span<float> values)
        where TOperator : struct, IUnaryOperator
    {
        ref float start = ref MemoryMarshal.GetReference(values);
        nuint length = (nuint)values.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<float>.Count <= length; i += (nuint)Vector512<float>.Count)
            {
                op.Invoke(Vector512.LoadUnsafe(ref start, i)).StoreUnsafe(ref start, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<float>.Count <= length; i += (nuint)Vector256<float>.Count)
            {
                op.Invoke(Vector256.LoadUnsafe(ref start, i)).StoreUnsafe(ref start, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<float>.Count <= length; i += (nuint)Vector128<float>.Count)
            {
                op.Invoke(Vector128.LoadUnsafe(ref start, i)).StoreUnsafe(ref start, i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref start, i) = op.Invoke(Unsafe.Add(ref start, i));
        }
    }

    /// <summary><c>b[i] = op(a[i], b[i])</c>; the spans have the same length.</summary>
    public static void Apply<TOperator>(TOperator op, ReadOnlySpan<float> a, Span<float> b)
        where TOperator : struct, IBinaryOperator
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Spans differ in length: {a.Length} and {b.Length}.");
        }

        ref float aStart = ref MemoryMarshal.GetReference(a);
        ref float bStart = ref MemoryMarshal.GetReference(b);
        nuint length = (nuint)b.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<float>.Count <= length; i += (nuint)Vector512<float>.Count)
            {
                op.Invoke(Vector512.LoadUnsafe(ref aStart, i), Vector512.LoadUnsafe(ref bStart, i)).StoreUnsafe(ref bStart, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<float>.Count <= length; i += (nuint)Vector256<float>.Count)
            {
                op.Invoke(Vector256.LoadUnsafe(ref aStart, i), Vector256.LoadUnsafe(ref bStart, i)).StoreUnsafe(ref bStart, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<float>.Count <= length; i += (nuint)Vector128<float>.Count)
            {
                op.Invoke(Vector128.LoadUnsafe(ref aStart, i), Vector128.LoadUnsafe(ref bStart, i)).StoreUnsafe(ref bStart, i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref bStart, i) = op.Invoke(Unsafe.Add(ref aStart, i), Unsafe.Add(ref bStart, i));
        }
    }
}
