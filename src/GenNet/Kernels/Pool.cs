using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

/// <summary>
/// Max and average pooling over channels-last images (sample b, pixel (y, x), channel c at <c>b·H·W·C + (y·W + x)·C + c</c>),
/// called by generated code with constant sizes. Output pixel (oy, ox) pools input rows <c>oy·stride + ky − padTop</c> and
/// columns <c>ox·stride + kx − padLeft</c>; positions outside the image are skipped (the window is clipped), so every
/// window must hold at least one image element (each padding smaller than the window, the last window starting inside).
/// <para>
/// A pixel's channels are contiguous, so the kernels run across channels: <see cref="Simd.Split{TKernel}"/> splits the
/// channels into runs of the widest accelerated vector, then narrower ones, then scalars, and each run is pooled over the
/// window in registers. Every lane
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

        var kernel = new MaxKernel(x, y, argmax, new Geometry(batchSize, height, width, channels, poolHeight, poolWidth, stride, padTop, padLeft, outHeight, outWidth));
        Simd.Split(ref kernel, channels);
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
        var kernel = new AverageKernel(x, y, new Geometry(batchSize, height, width, channels, poolHeight, poolWidth, stride, padTop, padLeft, outHeight, outWidth));
        Simd.Split(ref kernel, channels);
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
        var kernel = new AverageBackwardKernel(dy, dx, new Geometry(batchSize, height, width, channels, poolHeight, poolWidth, stride, padTop, padLeft, outHeight, outWidth));
        Simd.Split(ref kernel, channels);
    }

    /// <summary>
    /// Global max pooling: <c>y</c> [batchSize, channels] = the maximum of each channel over the <paramref name="pixels"/>
    /// positions of <paramref name="x"/> [batchSize, pixels, channels]. The window of <see cref="MaxForward"/> over the whole
    /// image: the same kernel, the same tie rule (the first maximum in scan order) and NaN handling, and <paramref name="argmax"/>
    /// (empty, or as long as <paramref name="y"/>) receives indices within the sample, <c>pixel·channels + c</c>, for
    /// <see cref="MaxBackward"/> with input size <c>pixels·channels</c> and output size <c>channels</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void GlobalMaxForward(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int batchSize, int pixels, int channels)
    {
        CheckGlobal(nameof(GlobalMaxForward), "x", x.Length, "y", y.Length, batchSize, pixels, channels);
        if (!argmax.IsEmpty && argmax.Length != y.Length)
        {
            Conv.Throw($"{nameof(GlobalMaxForward)}: argmax must be empty or as long as y ({y.Length}); it has {argmax.Length}.");
        }

        var kernel = new MaxKernel(x, y, argmax, WholeImage(batchSize, pixels, channels));
        Simd.Split(ref kernel, channels);
    }

    /// <summary>
    /// Global average pooling: <c>y</c> [batchSize, channels] = the mean of each channel over the <paramref name="pixels"/>
    /// positions of <paramref name="x"/> [batchSize, pixels, channels], their sum in order divided by their count
    /// (<see cref="AverageForward"/>'s kernel with one window over the whole image).
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void GlobalAverageForward(ReadOnlySpan<float> x, Span<float> y, int batchSize, int pixels, int channels)
    {
        CheckGlobal(nameof(GlobalAverageForward), "x", x.Length, "y", y.Length, batchSize, pixels, channels);
        var kernel = new AverageKernel(x, y, WholeImage(batchSize, pixels, channels));
        Simd.Split(ref kernel, channels);
    }

    /// <summary>
    /// Overwrites <paramref name="dx"/> [batchSize, pixels, channels] with global average pooling's input gradient:
    /// <c>dx[b, p, c] = dy[b, c] / pixels</c> at every position p.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void GlobalAverageBackward(ReadOnlySpan<float> dy, Span<float> dx, int batchSize, int pixels, int channels)
    {
        CheckGlobal(nameof(GlobalAverageBackward), "dx", dx.Length, "dy", dy.Length, batchSize, pixels, channels);
        dx.Clear();
        var kernel = new AverageBackwardKernel(dy, dx, WholeImage(batchSize, pixels, channels));
        Simd.Split(ref kernel, channels);
    }

    /// <summary>The positions as one row [1, pixels] under a single window of the row's size: one output pixel per sample.</summary>
    private static Geometry WholeImage(int batchSize, int pixels, int channels) => new(batchSize, 1, pixels, channels, 1, pixels, 1, 0, 0, 1, 1);

    private static void CheckGlobal(string kernel, string imageName, int imageLength, string pooledName, int pooledLength, int batchSize, int pixels, int channels)
    {
        if (batchSize < 0 || pixels <= 0 || channels <= 0)
        {
            Conv.Throw($"{kernel}: batch ({batchSize}) must not be negative, pixels ({pixels}) and channels ({channels}) must be positive.");
        }

        CheckLengths(kernel, imageName, imageLength, pooledName, pooledLength, batchSize, 1, pixels, channels, 1, 1);
    }

    /// <summary>The pooling sizes, passed as one value to the per-width kernels.</summary>
    private readonly record struct Geometry(
        int BatchSize, int Height, int Width, int Channels, int PoolHeight, int PoolWidth, int Stride, int PadTop, int PadLeft, int OutHeight, int OutWidth);

    // Channels [first, end) in steps of one TVector: per window the running maximum (and its index) stay in registers.
    private readonly ref struct MaxKernel(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, Geometry geometry) : IWidthKernel
    {
        private readonly Geometry _g = geometry;
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _y = y;
        private readonly Span<int> _argmax = argmax;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int first, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            ref float x = ref MemoryMarshal.GetReference(_x);
            ref float y = ref MemoryMarshal.GetReference(_y);
            ref int argmax = ref MemoryMarshal.GetReference(_argmax);
            bool record = !_argmax.IsEmpty;
            Geometry g = _g; // a local the JIT can keep in registers
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
                                TVector lanes = TWidth.Indices(c);
                                TVector best = TWidth.Load(ref lane0, (nuint)start);
                                TVector index = TWidth.AddToIndices(lanes, start);
                                for (int iy = yLo; iy < yHi; iy++)
                                {
                                    for (int ix = xLo; ix < xHi; ix++)
                                    {
                                        int at = (iy * width + ix) * channels;
                                        TVector value = TWidth.Load(ref lane0, (nuint)at);
                                        TVector take = Takes<TVector, TWidth>(best, value);
                                        index = TWidth.ConditionalSelect(take, TWidth.AddToIndices(lanes, at), index);
                                        best = TWidth.ConditionalSelect(take, value, best);
                                    }
                                }

                                TWidth.Store(best, ref y, (nuint)(outOffset + c));
                                TWidth.StoreIndices(index, ref argmax, (nuint)(outOffset + c));
                            }
                            else
                            {
                                TVector best = TWidth.Load(ref lane0, (nuint)start);
                                for (int iy = yLo; iy < yHi; iy++)
                                {
                                    for (int ix = xLo; ix < xHi; ix++)
                                    {
                                        TVector value = TWidth.Load(ref lane0, (nuint)((iy * width + ix) * channels));
                                        best = TWidth.ConditionalSelect(Takes<TVector, TWidth>(best, value), value, best);
                                    }
                                }

                                TWidth.Store(best, ref y, (nuint)(outOffset + c));
                            }
                        }
                    }
                }
            }
        }

        /// <summary>The lanes where <paramref name="value"/> replaces the running maximum: greater, or NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Takes<TVector, TWidth>(TVector best, TVector value)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector> =>
            TWidth.Or(TWidth.GreaterThan(value, best), TWidth.IsNaN(value));
    }

    private readonly ref struct AverageKernel(ReadOnlySpan<float> x, Span<float> y, Geometry geometry) : IWidthKernel
    {
        private readonly Geometry _g = geometry;
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _y = y;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int first, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            ref float x = ref MemoryMarshal.GetReference(_x);
            ref float y = ref MemoryMarshal.GetReference(_y);
            Geometry g = _g; // a local the JIT can keep in registers
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
    }

    private readonly ref struct AverageBackwardKernel(ReadOnlySpan<float> dy, Span<float> dx, Geometry geometry) : IWidthKernel
    {
        private readonly Geometry _g = geometry;
        private readonly ReadOnlySpan<float> _dy = dy;
        private readonly Span<float> _dx = dx;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int first, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            ref float dy = ref MemoryMarshal.GetReference(_dy);
            ref float dx = ref MemoryMarshal.GetReference(_dx);
            Geometry g = _g; // a local the JIT can keep in registers
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
