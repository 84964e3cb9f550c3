using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GenNet.Kernels;

/// <summary>
/// One vector width as a type, so a kernel is written once and the JIT specialises it per width
/// (<typeparamref name="TVector"/> is a struct: no virtual calls, everything inlines). <see cref="Simd"/> picks the width;
/// see there for how to write a kernel. Each operation is the single IEEE operation it names, so a kernel that does the
/// same operations in the same order per element gives the same bits at every width.
/// </summary>
/// <remarks>
/// Masks (<see cref="GreaterThan"/>, <see cref="IsNaN"/>) are vectors whose lanes are all ones or all zeros, as the
/// hardware's comparisons give them; the scalar width keeps the same bit patterns in a float. Index vectors
/// (<see cref="Indices"/>) hold int32 lanes in a <typeparamref name="TVector"/>'s bits, so a kernel needs no second
/// vector type for them.
/// </remarks>
internal interface IVectorWidth<TVector>
    where TVector : struct
{
    static abstract int Count { get; }

    static abstract TVector Zero { get; }

    static abstract TVector One { get; }

    static abstract TVector Load(ref float source, nuint offset);

    static abstract void Store(TVector value, ref float destination, nuint offset);

    static abstract TVector Broadcast(float value);

    static abstract TVector Add(TVector a, TVector b);

    static abstract TVector Subtract(TVector a, TVector b);

    static abstract TVector Multiply(TVector a, TVector b);

    static abstract TVector Divide(TVector a, TVector b);

    /// <summary><c>a · b + c</c>: one fused instruction where the hardware has FMA, a multiply and an add elsewhere (never a slow software fusion).</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    static abstract TVector Sqrt(TVector value);

    static abstract float Sum(TVector value);

    /// <summary>The mask of lanes where <paramref name="a"/> &gt; <paramref name="b"/> (false where either is NaN).</summary>
    static abstract TVector GreaterThan(TVector a, TVector b);

    /// <summary>The mask of lanes that hold NaN.</summary>
    static abstract TVector IsNaN(TVector value);

    /// <summary>Bitwise or, to combine masks.</summary>
    static abstract TVector Or(TVector a, TVector b);

    /// <summary>Bitwise: <paramref name="ifTrue"/> where <paramref name="mask"/> is set, <paramref name="ifFalse"/> elsewhere.</summary>
    static abstract TVector ConditionalSelect(TVector mask, TVector ifTrue, TVector ifFalse);

    /// <summary>The int32 lanes <c>first, first + 1, …</c>, in the vector's bits.</summary>
    static abstract TVector Indices(int first);

    /// <summary>Adds <paramref name="offset"/> to each int32 lane of <paramref name="indices"/>.</summary>
    static abstract TVector AddToIndices(TVector indices, int offset);

    /// <summary>Stores the int32 lanes of <paramref name="indices"/>.</summary>
    static abstract void StoreIndices(TVector indices, ref int destination, nuint offset);
}

internal readonly struct Width512 : IVectorWidth<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    public static Vector512<float> One => Vector512<float>.One;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);

    public static Vector512<float> Sqrt(Vector512<float> value) => Vector512.Sqrt(value);

    public static float Sum(Vector512<float> value) => Vector512.Sum(value);

    public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);

    public static Vector512<float> IsNaN(Vector512<float> value) => Vector512.IsNaN(value);

    public static Vector512<float> Or(Vector512<float> a, Vector512<float> b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ConditionalSelect(Vector512<float> mask, Vector512<float> ifTrue, Vector512<float> ifFalse) => Vector512.ConditionalSelect(mask, ifTrue, ifFalse);

    public static Vector512<float> Indices(int first) => (Vector512.Create(first) + Vector512<int>.Indices).AsSingle();

    public static Vector512<float> AddToIndices(Vector512<float> indices, int offset) => (indices.AsInt32() + Vector512.Create(offset)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndices(Vector512<float> indices, ref int destination, nuint offset) => indices.AsInt32().StoreUnsafe(ref destination, offset);
}

internal readonly struct Width256 : IVectorWidth<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    public static Vector256<float> One => Vector256<float>.One;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);

    public static Vector256<float> Sqrt(Vector256<float> value) => Vector256.Sqrt(value);

    public static float Sum(Vector256<float> value) => Vector256.Sum(value);

    public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);

    public static Vector256<float> IsNaN(Vector256<float> value) => Vector256.IsNaN(value);

    public static Vector256<float> Or(Vector256<float> a, Vector256<float> b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ConditionalSelect(Vector256<float> mask, Vector256<float> ifTrue, Vector256<float> ifFalse) => Vector256.ConditionalSelect(mask, ifTrue, ifFalse);

    public static Vector256<float> Indices(int first) => (Vector256.Create(first) + Vector256<int>.Indices).AsSingle();

    public static Vector256<float> AddToIndices(Vector256<float> indices, int offset) => (indices.AsInt32() + Vector256.Create(offset)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndices(Vector256<float> indices, ref int destination, nuint offset) => indices.AsInt32().StoreUnsafe(ref destination, offset);
}

internal readonly struct Width128 : IVectorWidth<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    public static Vector128<float> Zero => Vector128<float>.Zero;

    public static Vector128<float> One => Vector128<float>.One;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;

    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

    public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);

    public static Vector128<float> Sqrt(Vector128<float> value) => Vector128.Sqrt(value);

    public static float Sum(Vector128<float> value) => Vector128.Sum(value);

    public static Vector128<float> GreaterThan(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThan(a, b);

    public static Vector128<float> IsNaN(Vector128<float> value) => Vector128.IsNaN(value);

    public static Vector128<float> Or(Vector128<float> a, Vector128<float> b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ConditionalSelect(Vector128<float> mask, Vector128<float> ifTrue, Vector128<float> ifFalse) => Vector128.ConditionalSelect(mask, ifTrue, ifFalse);

    public static Vector128<float> Indices(int first) => (Vector128.Create(first) + Vector128<int>.Indices).AsSingle();

    public static Vector128<float> AddToIndices(Vector128<float> indices, int offset) => (indices.AsInt32() + Vector128.Create(offset)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndices(Vector128<float> indices, ref int destination, nuint offset) => indices.AsInt32().StoreUnsafe(ref destination, offset);
}

/// <summary>The scalar path: one float is a "vector" of one; masks and indices are kept as bits, as in a vector lane.</summary>
internal readonly struct Width1 : IVectorWidth<float>
{
    public static int Count => 1;

    public static float Zero => 0f;

    public static float One => 1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float source, nuint offset) => Unsafe.Add(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref float destination, nuint offset) => Unsafe.Add(ref destination, offset) = value;

    public static float Broadcast(float value) => value;

    public static float Add(float a, float b) => a + b;

    public static float Subtract(float a, float b) => a - b;

    public static float Multiply(float a, float b) => a * b;

    public static float Divide(float a, float b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float c) => a * b + c;

    public static float Sqrt(float value) => MathF.Sqrt(value);

    public static float Sum(float value) => value;

    public static float GreaterThan(float a, float b) => Mask(a > b);

    public static float IsNaN(float value) => Mask(float.IsNaN(value));

    public static float Or(float a, float b) => Bits(Bits(a) | Bits(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ConditionalSelect(float mask, float ifTrue, float ifFalse) =>
        Bits((Bits(mask) & Bits(ifTrue)) | (~Bits(mask) & Bits(ifFalse)));

    public static float Indices(int first) => Bits(first);

    public static float AddToIndices(float indices, int offset) => Bits(Bits(indices) + offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndices(float indices, ref int destination, nuint offset) => Unsafe.Add(ref destination, offset) = Bits(indices);

    private static float Mask(bool value) => Bits(value ? -1 : 0);

    private static int Bits(float value) => BitConverter.SingleToInt32Bits(value);

    private static float Bits(int value) => BitConverter.Int32BitsToSingle(value);
}
