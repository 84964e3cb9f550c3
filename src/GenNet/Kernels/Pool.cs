using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GenNet.Kernels;

/// <summary>
/// Max and average pooling over channels-last images (sample b, pixel (y, x), channel c at <c>b·H·W·C + (y·W + x)·C + c</c>),
/// called by generated code with constant sizes. Output pixel (oy, ox) pools input rows <c>oy·stride + ky − padTop</c> and
/// columns <c>ox·stride + kx − padLeft</c>; positions outside the image are skipped (the window is clipped), so every
/// window must hold at least one image element (each padding smaller than the window, the last window starting inside).
/// <para>
/// A pixel's channels are contiguous, so the kernels run across channels: the channels are split into runs of the widest
/// accelerated vector, then narrower ones, then scalars, and each run is pooled over the window in registers. Every lane
/// does the same operations in the same order at every width, so the 512-, 256-, 128-bit and scalar paths agree bit for bit.
/// </para>
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Pool
{
    /// <summary>
    /// <c>y</c> [batchSize, outHeight, outWidth, channels] = the maximum over each (clipped) window, per channel, from
    /// <paramref name="x"/> [batchSize, height, width, channels]. Unless <paramref name="argmax"/> is empty (inference), it
    /// receives for each element of <paramref name="y"/> the index within its sample of the input element that held the
    /// maximum, <c>(iy·width + ix)·channels + c</c>; ties go to the first in scan order (ky ascending, then kx).
    /// NaN propagates as in PyTorch's CPU kernel: an element replaces the running maximum if it is greater or NaN, so a
    /// window holding a NaN yields NaN and its argmax points at the last NaN in scan order.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void MaxForward(
        ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int batchSize, int height, int width, int channels,
        int poolHeight, int poolWidth, int stride, int padTop, int padLeft, int outHeight, int outWidth)
    {
        Conv.CheckGeometry(nameof(MaxForward), batchSize, height, width, channels, poolHeight, poolWidth, stride, padTop, padLeft, outHeight, outWidth, pooling: true);
        CheckLengths(nameof(MaxForward), "x", x.Length, "y", y.Length, batchSize, height, width, channels, outHeight, outWidth);
        if (!argmax.IsEmpty && argmax.Length != y.Length)
        {
            Conv.Throw($"{nameof(MaxForward)}: argmax must be empty or as long as y ({y.Length}); it has {argmax.Length}.");
        }

        var g = new Geometry(batchSize, height, width, channels, poolHeight, poolWidth, stride, padTop, padLeft, outHeight, outWidth);
        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref float yRef = ref MemoryMarshal.GetReference(y);
        ref int argmaxRef = ref MemoryMarshal.GetReference(argmax);
        bool record = !argmax.IsEmpty;
        int c = 0;
        if (Vector512.IsHardwareAccelerated && channels - c >= Vector512<float>.Count)
        {
            int end = c + (channels - c) / Vector512<float>.Count * Vector512<float>.Count;
            MaxForward<Vector512<float>, Vector512<int>, Width512>(ref xRef, ref yRef, ref argmaxRef, record, g, c, end);
            c = end;
        }

        if (Vector256.IsHardwareAccelerated && channels - c >= Vector256<float>.Count)
        {
            int end = c + (channels - c) / Vector256<float>.Count * Vector256<float>.Count;
            MaxForward<Vector256<float>, Vector256<int>, Width256>(ref xRef, ref yRef, ref argmaxRef, record, g, c, end);
            c = end;
        }

        if (Vector128.IsHardwareAccelerated && channels - c >= Vector128<float>.Count)
        {
            int end = c + (channels - c) / Vector128<float>.Count * Vector128<float>.Count;
            MaxForward<Vector128<float>, Vector128<int>, Width128>(ref xRef, ref yRef, ref argmaxRef, record, g, c, end);
            c = end;
        }

        if (c < channels)
        {
            MaxForward<float, int, Width1>(ref xRef, ref yRef, ref argmaxRef, record, g, c, channels);
        }
    }

    /// <summary>
    /// Overwrites <paramref name="dx"/> [batchSize, inputSizePerSample] with the max pool's input gradient: zero, then
    /// <c>dx[b·inputSizePerSample + argmax[i]] += dy[i]</c> for every output element i of sample b (as recorded by
    /// <see cref="MaxForward"/>; <paramref name="dy"/> and <paramref name="argmax"/> are [batchSize, outputSizePerSample]).
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or an argmax entry lies outside its sample.</exception>
    public static void MaxBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, int batchSize, int inputSizePerSample, int outputSizePerSample)
    {
        long outputs = (long)batchSize * outputSizePerSample, inputs = (long)batchSize * inputSizePerSample;
        if (batchSize < 0 || inputSizePerSample <= 0 || outputSizePerSample <= 0 || dy.Length != outputs || argmax.Length != outputs || dx.Length != inputs)
        {
            Conv.Throw($"{nameof(MaxBackward)}: dy and argmax must hold batch × outputSizePerSample = {batchSize} × {outputSizePerSample} = {outputs} elements " +
                       $"(they have {dy.Length} and {argmax.Length}), dx batch × inputSizePerSample = {batchSize} × {inputSizePerSample} = {inputs} (it has {dx.Length}).");
        }

        dx.Clear();
        ref float dyRef = ref MemoryMarshal.GetReference(dy);
        ref int argmaxRef = ref MemoryMarshal.GetReference(argmax);
        ref float dxRef = ref MemoryMarshal.GetReference(dx);
        for (int b = 0; b < batchSize; b++)
        {
            ref float sample = ref Unsafe.Add(ref dxRef, (nint)b * inputSizePerSample);
            nint first = (nint)b * outputSizePerSample;
            for (nint i = first; i < first + outputSizePerSample; i++)
            {
                int index = Unsafe.Add(ref argmaxRef, i);
                if ((uint)index >= (uint)inputSizePerSample)
                {
                    Conv.Throw($"{nameof(MaxBackward)}: argmax[{i}] = {index} is outside sample {b}'s {inputSizePerSample} inputs.");
                }

                Unsafe.Add(ref sample, index) += Unsafe.Add(ref dyRef, i);
            }
        }
    }

    /// <summary>
    /// <c>y</c> [batchSize, outHeight, outWidth, channels] = the mean over each window's in-image elements (padding is not
    /// counted), per channel: their sum in scan order divided by their count.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void AverageForward(
        ReadOnlySpan<float> x, Span<float> y, int batchSize, int height, int width, int channels,
        int poolHeight, int poolWidth, int stride, int padTop, int padLeft, int outHeight, int outWidth)
    {
        Conv.CheckGeometry(nameof(AverageForward), batchSize, height, width, channels, poolHeight, poolWidth, stride, padTop, padLeft, outHeight, outWidth, pooling: true);
        CheckLengths(nameof(AverageForward), "x", x.Length, "y", y.Length, batchSize, height, width, channels, outHeight, outWidth);
        var g = new Geometry(batchSize, height, width, channels, poolHeight, poolWidth, stride, padTop, padLeft, outHeight, outWidth);
        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref float yRef = ref MemoryMarshal.GetReference(y);
        int c = 0;
        if (Vector512.IsHardwareAccelerated && channels - c >= Vector512<float>.Count)
        {
            int end = c + (channels - c) / Vector512<float>.Count * Vector512<float>.Count;
            AverageForward<Vector512<float>, Vector512<int>, Width512>(ref xRef, ref yRef, g, c, end);
            c = end;
        }

        if (Vector256.IsHardwareAccelerated && channels - c >= Vector256<float>.Count)
        {
            int end = c + (channels - c) / Vector256<float>.Count * Vector256<float>.Count;
            AverageForward<Vector256<float>, Vector256<int>, Width256>(ref xRef, ref yRef, g, c, end);
            c = end;
        }

        if (Vector128.IsHardwareAccelerated && channels - c >= Vector128<float>.Count)
        {
            int end = c + (channels - c) / Vector128<float>.Count * Vector128<float>.Count;
            AverageForward<Vector128<float>, Vector128<int>, Width128>(ref xRef, ref yRef, g, c, end);
            c = end;
        }

        if (c < channels)
        {
            AverageForward<float, int, Width1>(ref xRef, ref yRef, g, c, channels);
        }
    }

    /// <summary>
    /// Overwrites <paramref name="dx"/> [batchSize, height, width, channels] with the average pool's input gradient: each
    /// <paramref name="dy"/> element divided by its window's in-image count and added to each of those elements, summed
    /// where windows overlap.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void AverageBackward(
        ReadOnlySpan<float> dy, Span<float> dx, int batchSize, int height, int width, int channels,
        int poolHeight, int poolWidth, int stride, int padTop, int padLeft, int outHeight, int outWidth)
    {
        Conv.CheckGeometry(nameof(AverageBackward), batchSize, height, width, channels, poolHeight, poolWidth, stride, padTop, padLeft, outHeight, outWidth, pooling: true);
        CheckLengths(nameof(AverageBackward), "dx", dx.Length, "dy", dy.Length, batchSize, height, width, channels, outHeight, outWidth);
        dx.Clear();
        var g = new Geometry(batchSize, height, width, channels, poolHeight, poolWidth, stride, padTop, padLeft, outHeight, outWidth);
        ref float dyRef = ref MemoryMarshal.GetReference(dy);
        ref float dxRef = ref MemoryMarshal.GetReference(dx);
        int c = 0;
        if (Vector512.IsHardwareAccelerated && channels - c >= Vector512<float>.Count)
        {
            int end = c + (channels - c) / Vector512<float>.Count * Vector512<float>.Count;
            AverageBackward<Vector512<float>, Vector512<int>, Width512>(ref dyRef, ref dxRef, g, c, end);
            c = end;
        }

        if (Vector256.IsHardwareAccelerated && channels - c >= Vector256<float>.Count)
        {
            int end = c + (channels - c) / Vector256<float>.Count * Vector256<float>.Count;
            AverageBackward<Vector256<float>, Vector256<int>, Width256>(ref dyRef, ref dxRef, g, c, end);
            c = end;
        }

        if (Vector128.IsHardwareAccelerated && channels - c >= Vector128<float>.Count)
        {
            int end = c + (channels - c) / Vector128<float>.Count * Vector128<float>.Count;
            AverageBackward<Vector128<float>, Vector128<int>, Width128>(ref dyRef, ref dxRef, g, c, end);
            c = end;
        }

        if (c < channels)
        {
            AverageBackward<float, int, Width1>(ref dyRef, ref dxRef, g, c, channels);
        }
    }

    /// <summary>The pooling sizes, passed as one value to the per-width kernels.</summary>
    private readonly record struct Geometry(
        int BatchSize, int Height, int Width, int Channels, int PoolHeight, int PoolWidth, int Stride, int PadTop, int PadLeft, int OutHeight, int OutWidth);

    // Channels [first, end) in steps of one TVector: per window the running maximum (and its index) stay in registers.
    private static void MaxForward<TVector, TIndex, TWidth>(ref float x, ref float y, ref int argmax, bool record, Geometry g, int first, int end)
        where TVector : struct
        where TIndex : struct
        where TWidth : struct, IPoolWidth<TVector, TIndex>
    {
        int channels = g.Channels, width = g.Width;
        int imageSize = g.Height * width * channels;
        nint o = 0; // the output pixel, counted over the batch
        for (int b = 0; b < g.BatchSize; b++)
        {
            ref float image = ref Unsafe.Add(ref x, (nint)b * imageSize);
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                int iy0 = oy * g.Stride - g.PadTop;
                int yLo = Math.Max(0, iy0), yHi = Math.Min(g.Height, iy0 + g.PoolHeight);
                for (int ox = 0; ox < g.OutWidth; ox++, o++)
                {
                    int ix0 = ox * g.Stride - g.PadLeft;
                    int xLo = Math.Max(0, ix0), xHi = Math.Min(width, ix0 + g.PoolWidth);
                    nint outOffset = o * channels;
                    int start = (yLo * width + xLo) * channels; // the window's first element's index within the sample, at channel 0
                    for (int c = first; c < end; c += TWidth.Count)
                    {
                        ref float lane0 = ref Unsafe.Add(ref image, c);
                        if (record)
                        {
                            TIndex lanes = TWidth.Indices(c);
                            TVector best = TWidth.Load(ref lane0, (nuint)start);
                            TIndex index = TWidth.AddIndex(lanes, start);
                            for (int iy = yLo; iy < yHi; iy++)
                            {
                                for (int ix = xLo; ix < xHi; ix++)
                                {
                                    int at = (iy * width + ix) * channels;
                                    best = TWidth.Max(best, TWidth.Load(ref lane0, (nuint)at), ref index, TWidth.AddIndex(lanes, at));
                                }
                            }

                            TWidth.Store(best, ref y, (nuint)(outOffset + c));
                            TWidth.StoreIndex(index, ref argmax, (nuint)(outOffset + c));
                        }
                        else
                        {
                            TVector best = TWidth.Load(ref lane0, (nuint)start);
                            for (int iy = yLo; iy < yHi; iy++)
                            {
                                for (int ix = xLo; ix < xHi; ix++)
                                {
                                    best = TWidth.Max(best, TWidth.Load(ref lane0, (nuint)((iy * width + ix) * channels)));
                                }
                            }

                            TWidth.Store(best, ref y, (nuint)(outOffset + c));
                        }
                    }
                }
            }
        }
    }

    private static void AverageForward<TVector, TIndex, TWidth>(ref float x, ref float y, Geometry g, int first, int end)
        where TVector : struct
        where TIndex : struct
        where TWidth : struct, IPoolWidth<TVector, TIndex>
    {
        int channels = g.Channels, width = g.Width;
        int imageSize = g.Height * width * channels;
        nint o = 0;
        for (int b = 0; b < g.BatchSize; b++)
        {
            ref float image = ref Unsafe.Add(ref x, (nint)b * imageSize);
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                int iy0 = oy * g.Stride - g.PadTop;
                int yLo = Math.Max(0, iy0), yHi = Math.Min(g.Height, iy0 + g.PoolHeight);
                for (int ox = 0; ox < g.OutWidth; ox++, o++)
                {
                    int ix0 = ox * g.Stride - g.PadLeft;
                    int xLo = Math.Max(0, ix0), xHi = Math.Min(width, ix0 + g.PoolWidth);
                    TVector count = TWidth.Broadcast((yHi - yLo) * (xHi - xLo));
                    nint outOffset = o * channels;
                    for (int c = first; c < end; c += TWidth.Count)
                    {
                        ref float lane0 = ref Unsafe.Add(ref image, c);
                        TVector sum = TWidth.Zero;
                        for (int iy = yLo; iy < yHi; iy++)
                        {
                            for (int ix = xLo; ix < xHi; ix++)
                            {
                                sum = TWidth.Add(sum, TWidth.Load(ref lane0, (nuint)((iy * width + ix) * channels)));
                            }
                        }

                        TWidth.Store(TWidth.Divide(sum, count), ref y, (nuint)(outOffset + c));
                    }
                }
            }
        }
    }

    private static void AverageBackward<TVector, TIndex, TWidth>(ref float dy, ref float dx, Geometry g, int first, int end)
        where TVector : struct
        where TIndex : struct
        where TWidth : struct, IPoolWidth<TVector, TIndex>
    {
        int channels = g.Channels, width = g.Width;
        int imageSize = g.Height * width * channels;
        nint o = 0;
        for (int b = 0; b < g.BatchSize; b++)
        {
            ref float image = ref Unsafe.Add(ref dx, (nint)b * imageSize);
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                int iy0 = oy * g.Stride - g.PadTop;
                int yLo = Math.Max(0, iy0), yHi = Math.Min(g.Height, iy0 + g.PoolHeight);
                for (int ox = 0; ox < g.OutWidth; ox++, o++)
                {
                    int ix0 = ox * g.Stride - g.PadLeft;
                    int xLo = Math.Max(0, ix0), xHi = Math.Min(width, ix0 + g.PoolWidth);
                    TVector count = TWidth.Broadcast((yHi - yLo) * (xHi - xLo));
                    nint outOffset = o * channels;
                    for (int c = first; c < end; c += TWidth.Count)
                    {
                        ref float lane0 = ref Unsafe.Add(ref image, c);
                        TVector share = TWidth.Divide(TWidth.Load(ref dy, (nuint)(outOffset + c)), count);
                        for (int iy = yLo; iy < yHi; iy++)
                        {
                            for (int ix = xLo; ix < xHi; ix++)
                            {
                                nuint at = (nuint)((iy * width + ix) * channels);
                                TWidth.Store(TWidth.Add(TWidth.Load(ref lane0, at), share), ref lane0, at);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void CheckLengths(
        string kernel, string imageName, int imageLength, string pooledName, int pooledLength,
        int batchSize, int height, int width, int channels, int outHeight, int outWidth)
    {
        long imageNeeded = (long)batchSize * height * width * channels;
        long pooledNeeded = (long)batchSize * outHeight * outWidth * channels;
        if (imageLength != imageNeeded || pooledLength != pooledNeeded)
        {
            Conv.Throw($"{kernel}: {imageName} must hold batch × height × width × channels = {batchSize} × {height} × {width} × {channels} = {imageNeeded} floats (it has {imageLength}), " +
                       $"{pooledName} batch × outHeight × outWidth × channels = {batchSize} × {outHeight} × {outWidth} × {channels} = {pooledNeeded} (it has {pooledLength}).");
        }
    }
}

/// <summary>
/// What the pooling kernels need of one vector width besides <see cref="IVectorWidth{TVector}"/>'s loads and sums: division,
/// the running maximum, and a matching vector of int indices (as many lanes as <typeparamref name="TVector"/>).
/// </summary>
internal interface IPoolWidth<TVector, TIndex> : IVectorWidth<TVector>
    where TVector : struct
    where TIndex : struct
{
    static abstract TVector Divide(TVector a, TVector b);

    /// <summary>Per lane: <paramref name="value"/> where it is greater than <paramref name="best"/> or NaN, else <paramref name="best"/>.</summary>
    static abstract TVector Max(TVector best, TVector value);

    /// <summary>Like <see cref="Max(TVector, TVector)"/>, moving <paramref name="candidate"/> into <paramref name="index"/> in the lanes that take <paramref name="value"/>.</summary>
    static abstract TVector Max(TVector best, TVector value, ref TIndex index, TIndex candidate);

    /// <summary><c>first, first + 1, …</c> across the lanes.</summary>
    static abstract TIndex Indices(int first);

    static abstract TIndex AddIndex(TIndex indices, int offset);

    static abstract void StoreIndex(TIndex value, ref int destination, nuint offset);
}

internal readonly partial struct Width512 : IPoolWidth<Vector512<float>, Vector512<int>>
{
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> best, Vector512<float> value) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(value, best) | Vector512.IsNaN(value), value, best);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> best, Vector512<float> value, ref Vector512<int> index, Vector512<int> candidate)
    {
        Vector512<float> take = Vector512.GreaterThan(value, best) | Vector512.IsNaN(value);
        index = Vector512.ConditionalSelect(take.AsInt32(), candidate, index);
        return Vector512.ConditionalSelect(take, value, best);
    }

    public static Vector512<int> Indices(int first) => Vector512.Create(first) + Vector512<int>.Indices;

    public static Vector512<int> AddIndex(Vector512<int> indices, int offset) => indices + Vector512.Create(offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndex(Vector512<int> value, ref int destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
}

internal readonly partial struct Width256 : IPoolWidth<Vector256<float>, Vector256<int>>
{
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> best, Vector256<float> value) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(value, best) | Vector256.IsNaN(value), value, best);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> best, Vector256<float> value, ref Vector256<int> index, Vector256<int> candidate)
    {
        Vector256<float> take = Vector256.GreaterThan(value, best) | Vector256.IsNaN(value);
        index = Vector256.ConditionalSelect(take.AsInt32(), candidate, index);
        return Vector256.ConditionalSelect(take, value, best);
    }

    public static Vector256<int> Indices(int first) => Vector256.Create(first) + Vector256<int>.Indices;

    public static Vector256<int> AddIndex(Vector256<int> indices, int offset) => indices + Vector256.Create(offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndex(Vector256<int> value, ref int destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
}

internal readonly partial struct Width128 : IPoolWidth<Vector128<float>, Vector128<int>>
{
    public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> best, Vector128<float> value) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(value, best) | Vector128.IsNaN(value), value, best);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> best, Vector128<float> value, ref Vector128<int> index, Vector128<int> candidate)
    {
        Vector128<float> take = Vector128.GreaterThan(value, best) | Vector128.IsNaN(value);
        index = Vector128.ConditionalSelect(take.AsInt32(), candidate, index);
        return Vector128.ConditionalSelect(take, value, best);
    }

    public static Vector128<int> Indices(int first) => Vector128.Create(first) + Vector128<int>.Indices;

    public static Vector128<int> AddIndex(Vector128<int> indices, int offset) => indices + Vector128.Create(offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndex(Vector128<int> value, ref int destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
}

/// <summary>The scalar path: one channel at a time, the same comparisons as the vector lanes.</summary>
internal readonly partial struct Width1 : IPoolWidth<float, int>
{
    public static float Divide(float a, float b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float best, float value) => value > best || float.IsNaN(value) ? value : best;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float best, float value, ref int index, int candidate)
    {
        if (value > best || float.IsNaN(value))
        {
            index = candidate;
            return value;
        }

        return best;
    }

    public static int Indices(int first) => first;

    public static int AddIndex(int indices, int offset) => indices + offset;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndex(int value, ref int destination, nuint offset) => Unsafe.Add(ref destination, offset) = value;
}
