using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GenNet.Kernels;

/// <summary>
/// One vector width as a type, so a kernel is written once and the JIT specialises it per width
/// (<typeparamref name="TVector"/> is a struct: no virtual calls, everything inlines).
/// </summary>
internal interface IVectorWidth<TVector>
    where TVector : struct
{
    static abstract int Count { get; }

    static abstract TVector Zero { get; }

    static abstract TVector Load(ref float source, nuint offset);

    static abstract void Store(TVector value, ref float destination, nuint offset);

    static abstract TVector Broadcast(float value);

    static abstract TVector Add(TVector a, TVector b);

    /// <summary><c>a · b + c</c>: one fused instruction where the hardware has FMA, a multiply and an add elsewhere (never a slow software fusion).</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    static abstract float Sum(TVector value);
}

internal readonly partial struct Width512 : IVectorWidth<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);

    public static float Sum(Vector512<float> value) => Vector512.Sum(value);
}

internal readonly partial struct Width256 : IVectorWidth<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);

    public static float Sum(Vector256<float> value) => Vector256.Sum(value);
}

internal readonly partial struct Width128 : IVectorWidth<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);

    public static float Sum(Vector128<float> value) => Vector128.Sum(value);
}

/// <summary>The scalar path: one float is a "vector" of one.</summary>
internal readonly partial struct Width1 : IVectorWidth<float>
{
    public static int Count => 1;

    public static float Zero => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float source, nuint offset) => Unsafe.Add(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref float destination, nuint offset) => Unsafe.Add(ref destination, offset) = value;

    public static float Broadcast(float value) => value;

    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float c) => a * b + c;

    public static float Sum(float value) => value;
}
