using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

/// <summary>
/// The depthwise convolution (PyTorch's <c>nn.Conv2d(C, C·M, k, groups=C)</c>) over channels-last images, called by
/// generated code with constant sizes: output channel <c>o = c·M + m</c> convolves input channel <c>c = o / M</c> alone
/// with its own kh×kw filter. Sample b, pixel (y, x), channel c lives at <c>b·H·W·C + (y·W + x)·C + c</c>; output pixel
/// (oy, ox) sees input rows <c>oy·stride + ky − padTop</c> and columns <c>ox·stride + kx − padLeft</c>, and positions
/// outside the image read as 0 (each window is clipped to the image once, so the loops carry no bounds checks).
/// <para>
/// The filters come as the kernel <c>[kh, kw, C·M]</c>: PyTorch's <c>[C·M, 1, kh, kw]</c> weight reordered by
/// <see cref="Conv.ToChannelsLastKernel"/> with one filter of C·M channels, so that a tap's weights for adjacent output
/// channels are adjacent, as a pixel's channels are. Every kernel then runs across the output channels:
/// <see cref="Simd.Split{TKernel}"/> covers them with the widest accelerated vector, then narrower ones, then scalars, and
/// each run of channels is computed over the window in registers. With a multiplier M above 1 the M output channels of one
/// input channel share its value, which no vector operation spreads, so each lane's input is read on its own (and its
/// input gradient added on its own); with M = 1 every load and store is a whole vector.
/// </para>
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Depthwise
{
    /// <summary>
    /// <c>y[b, oy, ox, o] = bias[o] + Σ_ky Σ_kx kernel[ky, kx, o] · x[b, oy·stride + ky − padTop, ox·stride + kx − padLeft, o / multiplier]</c>
    /// with <paramref name="x"/> [batchSize, height, width, channels], <paramref name="kernel"/> [kernelHeight, kernelWidth,
    /// channels·multiplier], <paramref name="bias"/> [channels·multiplier] or empty (no bias), <paramref name="y"/>
    /// [batchSize, outHeight, outWidth, channels·multiplier]; the taps are added in (ky, kx) order.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void Forward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int multiplier, int batchSize,
        int height, int width, int channels, int kernelHeight, int kernelWidth, int stride, int padTop, int padLeft, int outHeight, int outWidth)
    {
        var g = new Geometry(batchSize, height, width, channels, multiplier, kernelHeight, kernelWidth, stride, padTop, padLeft, outHeight, outWidth);
        Check(nameof(Forward), g, "x", x.Length, "y", y.Length, kernel.Length, bias.Length);
        var run = new ForwardKernel(x, kernel, bias, y, g);
        Simd.Split(ref run, g.OutChannels);
    }

    /// <summary>
    /// Overwrites <paramref name="dx"/> [batchSize, height, width, channels] with the input gradient of <see cref="Forward"/>:
    /// every <paramref name="dy"/> element times each of its window's taps, added to the input element the tap read
    /// (<c>dx[b, iy, ix, c] = Σ dy[b, oy, ox, c·M + m] · kernel[ky, kx, c·M + m]</c> over the m and the windows holding it).
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void BackwardInput(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> kernel, Span<float> dx, int multiplier, int batchSize,
        int height, int width, int channels, int kernelHeight, int kernelWidth, int stride, int padTop, int padLeft, int outHeight, int outWidth)
    {
        var g = new Geometry(batchSize, height, width, channels, multiplier, kernelHeight, kernelWidth, stride, padTop, padLeft, outHeight, outWidth);
        Check(nameof(BackwardInput), g, "dx", dx.Length, "dy", dy.Length, kernel.Length, 0);
        dx.Clear();
        var run = new BackwardInputKernel(dy, kernel, dx, g);
        Simd.Split(ref run, g.OutChannels);
    }

    /// <summary>
    /// The parameter gradients of <see cref="Forward"/>: overwrites <paramref name="kernelGradient"/> [kernelHeight,
    /// kernelWidth, channels·multiplier] with <c>Σ_b Σ_oy Σ_ox dy[b, oy, ox, o] · x[b, oy·stride + ky − padTop, ox·stride + kx − padLeft, o / multiplier]</c>
    /// per tap (ky, kx) — in the kernel's order; <see cref="Conv.AddFromChannelsLastKernel"/> adds it to PyTorch's layout —
    /// and, unless <paramref name="biasGradient"/> is empty, adds <c>Σ dy[b, oy, ox, o]</c> to it.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void BackwardKernel(
        ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> kernelGradient, Span<float> biasGradient, int multiplier, int batchSize,
        int height, int width, int channels, int kernelHeight, int kernelWidth, int stride, int padTop, int padLeft, int outHeight, int outWidth)
    {
        var g = new Geometry(batchSize, height, width, channels, multiplier, kernelHeight, kernelWidth, stride, padTop, padLeft, outHeight, outWidth);
        Check(nameof(BackwardKernel), g, "x", x.Length, "dy", dy.Length, kernelGradient.Length, biasGradient.Length);
        var run = new BackwardKernelKernel(x, dy, kernelGradient, biasGradient, g);
        Simd.Split(ref run, g.OutChannels);
    }

    /// <summary>The sizes of one call, passed as one value to the per-width kernels.</summary>
    private readonly record struct Geometry(
        int BatchSize, int Height, int Width, int Channels, int Multiplier, int KernelHeight, int KernelWidth,
        int Stride, int PadTop, int PadLeft, int OutHeight, int OutWidth)
    {
        public int OutChannels => Channels * Multiplier;

        /// <summary>The taps of a window starting at input row (or column) <paramref name="start"/> that lie inside [0, <paramref name="size"/>).</summary>
        public static (int Low, int High) Clip(int start, int window, int size) => (Math.Max(0, -start), Math.Min(window, size - start));

        /// <summary>The output rows (or columns) whose tap <paramref name="k"/> lies inside the image: o·stride + k − pad in [0, size).</summary>
        public (int Low, int High) Covering(int k, int pad, int size, int outSize)
        {
            int first = pad - k; // the tap reads row o·stride − first
            int low = first <= 0 ? 0 : (first + Stride - 1) / Stride;
            int last = size - 1 + first; // o·stride ≤ last
            int high = last < 0 ? 0 : Math.Min(outSize, last / Stride + 1);
            return (low, Math.Max(low, high));
        }
    }

    /// <summary>
    /// The input values under output channels [o, o + Count): the vector at channel o when each input channel has one
    /// output channel, else lane l gets channel (o + l) / multiplier, read one by one through <paramref name="lanes"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Spread<TVector, TWidth>(ref float pixel, int o, int multiplier, Span<float> lanes)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        if (multiplier == 1)
        {
            return TWidth.Load(ref pixel, (nuint)o);
        }

        for (int l = 0; l < TWidth.Count; l++)
        {
            lanes[l] = Unsafe.Add(ref pixel, (o + l) / multiplier);
        }

        return TWidth.Load(ref MemoryMarshal.GetReference(lanes), 0);
    }

    // Output channels [first, end) in steps of one TVector: per output pixel the sum over the window stays in a register.
    private readonly ref struct ForwardKernel(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, Geometry geometry) : IWidthKernel
    {
        private readonly Geometry _g = geometry;
        private readonly ReadOnlySpan<float> _x = x;
        private readonly ReadOnlySpan<float> _kernel = kernel;
        private readonly ReadOnlySpan<float> _bias = bias;
        private readonly Span<float> _y = y;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int first, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            Geometry g = _g; // a local the JIT can keep in registers
            ref float x = ref MemoryMarshal.GetReference(_x);
            ref float kernel = ref MemoryMarshal.GetReference(_kernel);
            ref float bias = ref MemoryMarshal.GetReference(_bias);
            ref float y = ref MemoryMarshal.GetReference(_y);
            bool hasBias = !_bias.IsEmpty;
            Span<float> lanes = stackalloc float[TWidth.Count];
            int channels = g.Channels, outChannels = g.OutChannels, multiplier = g.Multiplier, imageSize = g.Height * g.Width * channels;
            nint o = 0; // the output pixel, counted over the batch
            for (int b = 0; b < g.BatchSize; b++)
            {
                ref float image = ref Unsafe.Add(ref x, (nint)b * imageSize);
                for (int oy = 0; oy < g.OutHeight; oy++)
                {
                    int iy0 = oy * g.Stride - g.PadTop;
                    (int kyLo, int kyHi) = Geometry.Clip(iy0, g.KernelHeight, g.Height);
                    for (int ox = 0; ox < g.OutWidth; ox++, o++)
                    {
                        int ix0 = ox * g.Stride - g.PadLeft;
                        (int kxLo, int kxHi) = Geometry.Clip(ix0, g.KernelWidth, g.Width);
                        ref float target = ref Unsafe.Add(ref y, o * outChannels);
                        for (int c = first; c < end; c += TWidth.Count)
                        {
                            TVector sum = hasBias ? TWidth.Load(ref bias, (nuint)c) : TWidth.Zero;
                            for (int ky = kyLo; ky < kyHi; ky++)
                            {
                                int row = ((iy0 + ky) * g.Width + ix0) * channels; // may lie left of the image: only row + kx·channels is taken
                                for (int kx = kxLo; kx < kxHi; kx++)
                                {
                                    TVector value = Spread<TVector, TWidth>(ref Unsafe.Add(ref image, row + kx * channels), c, multiplier, lanes);
                                    TVector weight = TWidth.Load(ref kernel, (nuint)((ky * g.KernelWidth + kx) * outChannels + c));
                                    sum = TWidth.MultiplyAdd(value, weight, sum);
                                }
                            }

                            TWidth.Store(sum, ref target, (nuint)c);
                        }
                    }
                }
            }
        }
    }

    // Output channels [first, end) in steps of one TVector: each dy vector times each tap is added to the input it came from.
    private readonly ref struct BackwardInputKernel(ReadOnlySpan<float> dy, ReadOnlySpan<float> kernel, Span<float> dx, Geometry geometry) : IWidthKernel
    {
        private readonly Geometry _g = geometry;
        private readonly ReadOnlySpan<float> _dy = dy;
        private readonly ReadOnlySpan<float> _kernel = kernel;
        private readonly Span<float> _dx = dx;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int first, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            Geometry g = _g;
            ref float dy = ref MemoryMarshal.GetReference(_dy);
            ref float kernel = ref MemoryMarshal.GetReference(_kernel);
            ref float dx = ref MemoryMarshal.GetReference(_dx);
            Span<float> lanes = stackalloc float[TWidth.Count];
            int channels = g.Channels, outChannels = g.OutChannels, multiplier = g.Multiplier, imageSize = g.Height * g.Width * channels;
            nint o = 0;
            for (int b = 0; b < g.BatchSize; b++)
            {
                ref float image = ref Unsafe.Add(ref dx, (nint)b * imageSize);
                for (int oy = 0; oy < g.OutHeight; oy++)
                {
                    int iy0 = oy * g.Stride - g.PadTop;
                    (int kyLo, int kyHi) = Geometry.Clip(iy0, g.KernelHeight, g.Height);
                    for (int ox = 0; ox < g.OutWidth; ox++, o++)
                    {
                        int ix0 = ox * g.Stride - g.PadLeft;
                        (int kxLo, int kxHi) = Geometry.Clip(ix0, g.KernelWidth, g.Width);
                        for (int c = first; c < end; c += TWidth.Count)
                        {
                            TVector gradient = TWidth.Load(ref dy, (nuint)(o * outChannels + c));
                            for (int ky = kyLo; ky < kyHi; ky++)
                            {
                                int row = ((iy0 + ky) * g.Width + ix0) * channels;
                                for (int kx = kxLo; kx < kxHi; kx++)
                                {
                                    ref float pixel = ref Unsafe.Add(ref image, row + kx * channels);
                                    TVector share = TWidth.Multiply(gradient, TWidth.Load(ref kernel, (nuint)((ky * g.KernelWidth + kx) * outChannels + c)));
                                    if (multiplier == 1)
                                    {
                                        TWidth.Store(TWidth.Add(TWidth.Load(ref pixel, (nuint)c), share), ref pixel, (nuint)c);
                                        continue;
                                    }

                                    TWidth.Store(share, ref MemoryMarshal.GetReference(lanes), 0);
                                    for (int l = 0; l < TWidth.Count; l++)
                                    {
                                        Unsafe.Add(ref pixel, (c + l) / multiplier) += lanes[l];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // Output channels [first, end) in steps of one TVector: per tap, the sum over every output pixel that tap saw in the image.
    private readonly ref struct BackwardKernelKernel(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> kernelGradient, Span<float> biasGradient, Geometry geometry) : IWidthKernel
    {
        private readonly Geometry _g = geometry;
        private readonly ReadOnlySpan<float> _x = x;
        private readonly ReadOnlySpan<float> _dy = dy;
        private readonly Span<float> _kernelGradient = kernelGradient;
        private readonly Span<float> _biasGradient = biasGradient;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int first, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            Geometry g = _g;
            ref float x = ref MemoryMarshal.GetReference(_x);
            ref float dy = ref MemoryMarshal.GetReference(_dy);
            ref float kernelGradient = ref MemoryMarshal.GetReference(_kernelGradient);
            ref float biasGradient = ref MemoryMarshal.GetReference(_biasGradient);
            bool hasBias = !_biasGradient.IsEmpty;
            Span<float> lanes = stackalloc float[TWidth.Count];
            int channels = g.Channels, outChannels = g.OutChannels, multiplier = g.Multiplier, imageSize = g.Height * g.Width * channels;
            int outPixels = g.OutHeight * g.OutWidth;
            for (int c = first; c < end; c += TWidth.Count)
            {
                for (int ky = 0; ky < g.KernelHeight; ky++)
                {
                    (int oyLo, int oyHi) = g.Covering(ky, g.PadTop, g.Height, g.OutHeight);
                    for (int kx = 0; kx < g.KernelWidth; kx++)
                    {
                        (int oxLo, int oxHi) = g.Covering(kx, g.PadLeft, g.Width, g.OutWidth);
                        TVector sum = TWidth.Zero;
                        for (int b = 0; b < g.BatchSize; b++)
                        {
                            ref float image = ref Unsafe.Add(ref x, (nint)b * imageSize);
                            for (int oy = oyLo; oy < oyHi; oy++)
                            {
                                nint o = (nint)b * outPixels + oy * g.OutWidth;
                                int row = ((oy * g.Stride + ky - g.PadTop) * g.Width + kx - g.PadLeft) * channels; // plus ox·stride·channels
                                for (int ox = oxLo; ox < oxHi; ox++)
                                {
                                    TVector value = Spread<TVector, TWidth>(ref Unsafe.Add(ref image, row + ox * g.Stride * channels), c, multiplier, lanes);
                                    sum = TWidth.MultiplyAdd(TWidth.Load(ref dy, (nuint)((o + ox) * outChannels + c)), value, sum);
                                }
                            }
                        }

                        TWidth.Store(sum, ref kernelGradient, (nuint)((ky * g.KernelWidth + kx) * outChannels + c));
                    }
                }

                if (hasBias)
                {
                    TVector sum = TWidth.Load(ref biasGradient, (nuint)c);
                    for (nint o = 0; o < (nint)g.BatchSize * outPixels; o++)
                    {
                        sum = TWidth.Add(sum, TWidth.Load(ref dy, (nuint)(o * outChannels + c)));
                    }

                    TWidth.Store(sum, ref biasGradient, (nuint)c);
                }
            }
        }
    }

    private static void Check(
        string kernel, Geometry g, string imageName, int imageLength, string outputName, int outputLength, int kernelLength, int biasLength)
    {
        Conv.CheckGeometry(kernel, g.BatchSize, g.Height, g.Width, g.Channels, g.KernelHeight, g.KernelWidth, g.Stride, g.PadTop, g.PadLeft, g.OutHeight, g.OutWidth, pooling: false);
        long outChannels = (long)g.Channels * g.Multiplier;
        if (g.Multiplier <= 0 || outChannels > int.MaxValue)
        {
            Conv.Throw($"{kernel}: the multiplier ({g.Multiplier}) must be positive and channels × multiplier ({outChannels}) fit an int.");
        }

        long imageNeeded = (long)g.BatchSize * g.Height * g.Width * g.Channels;
        long outputNeeded = (long)g.BatchSize * g.OutHeight * g.OutWidth * outChannels;
        long kernelNeeded = (long)g.KernelHeight * g.KernelWidth * outChannels;
        if (imageLength != imageNeeded || outputLength != outputNeeded || kernelLength != kernelNeeded ||
            (biasLength != outChannels && biasLength != 0))
        {
            Conv.Throw($"{kernel}: {imageName} must hold batch × height × width × channels = {g.BatchSize} × {g.Height} × {g.Width} × {g.Channels} = {imageNeeded} floats (it has {imageLength}), " +
                       $"{outputName} batch × outHeight × outWidth × channels·multiplier = {g.BatchSize} × {g.OutHeight} × {g.OutWidth} × {outChannels} = {outputNeeded} (it has {outputLength}), " +
                       $"the kernel kernelHeight × kernelWidth × channels·multiplier = {kernelNeeded} (it has {kernelLength}) and the bias {outChannels} or none (it has {biasLength}).");
        }
    }
}
