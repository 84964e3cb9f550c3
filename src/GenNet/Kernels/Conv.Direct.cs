using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

/// <summary>
/// A direct convolution over images with few channels (mnist_convnet's first convolution has one): no im2col matrix,
/// each window read straight from the image. The weight is first laid out [kh, kw, channels, filters]
/// (<see cref="ToTapMajorKernel"/>: a few hundred floats when the channels are few), so that each image value, broadcast,
/// multiplies one vector of filters per load; eight (or four) neighbouring output pixels of a row share every weight load,
/// and two vectors of filters every broadcast. Each sum runs over the taps in PyTorch's (channel, ky, kx) order from
/// zero, the bias added last. A network whose convolution takes this form runs it in every pass (training step, Forward,
/// inference-only build); its backward pass builds im2col columns for the exact gradients.
/// </summary>
public static partial class Conv
{
    /// <summary>
    /// <paramref name="kernel"/> [kh, kw, channels, filters] = <paramref name="weight"/> [filters, channels, kh, kw] reordered,
    /// for <see cref="ForwardDirect"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not filters × channels × kh × kw.</exception>
    public static void ToTapMajorKernel(ReadOnlySpan<float> weight, Span<float> kernel, int filters, int channels, int kernelHeight, int kernelWidth)
    {
        int window = kernelHeight * kernelWidth;
        CheckKernelLengths(nameof(ToTapMajorKernel), weight.Length, kernel.Length, (long)filters * channels * window);
        for (int o = 0; o < filters; o++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int t = 0; t < window; t++)
                {
                    kernel[(t * channels + c) * filters + o] = weight[(o * channels + c) * window + t];
                }
            }
        }
    }

    /// <summary>
    /// Reorders <paramref name="weight"/> into <paramref name="kernel"/> unless it is bit for bit the weight last reordered,
    /// which <paramref name="source"/> keeps; as <see cref="RefreshChannelsLastKernel"/>. Returns whether it reordered, as
    /// <see cref="RefreshWinogradKernel"/>: a trainable network then reorders the same weight for its backward pass as well.
    /// </summary>
    public static bool RefreshTapMajorKernel(ReadOnlySpan<float> weight, Span<float> source, Span<float> kernel, int filters, int channels, int kernelHeight, int kernelWidth)
    {
        if (Unchanged(weight, source))
        {
            return false;
        }

        ToTapMajorKernel(weight, kernel, filters, channels, kernelHeight, kernelWidth);
        Record(weight, source);
        return true;
    }

    /// <summary>
    /// <c>y = conv(x, w) + bias</c> computed directly: x [batchSize, height, width, channels] and y [batchSize, outHeight,
    /// outWidth, filters] channels-last, windows as <see cref="Im2Col"/> places them (positions outside the image read as 0),
    /// <paramref name="kernel"/> from <see cref="ToTapMajorKernel"/>. With <paramref name="relu"/>, each output goes through
    /// ReLU as it is stored, as <see cref="Activations.Relu"/> would after the call.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void ForwardDirect(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int batchSize, int height, int width, int channels,
        int filters, int kernelHeight, int kernelWidth, int stride, int padTop, int padLeft, int outHeight, int outWidth, bool relu = false)
    {
        CheckGeometry(nameof(ForwardDirect), batchSize, height, width, channels, kernelHeight, kernelWidth, stride, padTop, padLeft, outHeight, outWidth, pooling: false);
        if (filters <= 0 || x.Length != (long)batchSize * height * width * channels || y.Length != (long)batchSize * outHeight * outWidth * filters ||
            kernel.Length != (long)kernelHeight * kernelWidth * channels * filters || bias.Length != filters)
        {
            Throw($"{nameof(ForwardDirect)}: for batch {batchSize}, image {height}×{width}×{channels} → {outHeight}×{outWidth}×{filters}, x must hold " +
                  $"{(long)batchSize * height * width * channels} floats (it has {x.Length}), y {(long)batchSize * outHeight * outWidth * filters} ({y.Length}), " +
                  $"the kernel {(long)kernelHeight * kernelWidth * channels * filters} ({kernel.Length}), bias {filters} ({bias.Length}).");
        }

        var run = new DirectKernel(x, kernel, bias, y, new Shape(height, width, channels, kernelHeight, kernelWidth, stride, padLeft, outWidth), batchSize, filters, padTop, outHeight, outWidth, relu);
        Simd.Widest(ref run, filters);
    }

    private readonly ref struct DirectKernel(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, Shape shape, int batchSize, int filters, int padTop, int outHeight, int outWidth, bool relu) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _x = x, _kernel = kernel, _bias = bias;
        private readonly Span<float> _y = y;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TVector, TWidth>(int start, int end)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector>
        {
            Shape s = shape;
            int lanes = TWidth.Count;
            ref float image0 = ref MemoryMarshal.GetReference(_x);
            ref float w = ref MemoryMarshal.GetReference(_kernel);
            ref float b = ref MemoryMarshal.GetReference(_bias);
            ref float y0 = ref MemoryMarshal.GetReference(_y);
            for (int n = 0; n < batchSize; n++)
            {
                ref float image = ref Unsafe.Add(ref image0, (nint)n * s.ImageSize);
                for (int oy = 0; oy < outHeight; oy++)
                {
                    int iy0 = oy * s.Stride - padTop;
                    int kyLo = Math.Max(0, -iy0), kyHi = Math.Min(s.KernelHeight, s.Height - iy0);
                    ref float row = ref Unsafe.Add(ref y0, ((nint)n * outHeight + oy) * outWidth * filters);
                    int ox = 0;
                    while (ox < outWidth)
                    {
                        // Four neighbouring pixels whose windows lie inside the image across go together; past the last
                        // whole four, the four ending at the row's end (recomputing some, to the same values), when inside.
                        int ix0 = ox * s.Stride - s.PadLeft;
                        if (ox + 8 <= outWidth && ix0 >= 0 && (ox + 7) * s.Stride - s.PadLeft + s.KernelWidth <= s.Width && 2 * lanes <= filters)
                        {
                            // Eight pixels × two vectors of filters: sixteen sums in registers, each weight load feeding eight multiply-adds.
                            ref float at = ref Unsafe.Add(ref row, (nint)ox * filters);
                            int o = 0;
                            for (; o + 2 * lanes <= filters; o += 2 * lanes)
                            {
                                Pixels4x2<TVector, TWidth>(ref image, ref w, ref b, ref at, s, filters, o, iy0, ix0, kyLo, kyHi, relu, eight: true);
                            }

                            for (; o + lanes <= filters; o += lanes)
                            {
                                Pixels4<TVector, TWidth>(ref image, ref w, ref b, ref at, s, filters, o, iy0, ix0, kyLo, kyHi, relu);
                                Pixels4<TVector, TWidth>(ref image, ref w, ref b, ref Unsafe.Add(ref at, 4 * filters), s, filters, o, iy0, ix0 + 4 * s.Stride, kyLo, kyHi, relu);
                            }

                            for (; o < filters; o++)
                            {
                                Pixels4<float, Width1>(ref image, ref w, ref b, ref at, s, filters, o, iy0, ix0, kyLo, kyHi, relu);
                                Pixels4<float, Width1>(ref image, ref w, ref b, ref Unsafe.Add(ref at, 4 * filters), s, filters, o, iy0, ix0 + 4 * s.Stride, kyLo, kyHi, relu);
                            }

                            ox += 8;
                            continue;
                        }

                        int group = ox + 4 <= outWidth ? ox : outWidth - 4;
                        ix0 = group * s.Stride - s.PadLeft;
                        bool four = group >= 0 && ix0 >= 0 && (group + 3) * s.Stride - s.PadLeft + s.KernelWidth <= s.Width;
                        if (four)
                        {
                            ref float at = ref Unsafe.Add(ref row, (nint)group * filters);
                            int o = 0;
                            for (; o + 2 * lanes <= filters; o += 2 * lanes)
                            {
                                Pixels4x2<TVector, TWidth>(ref image, ref w, ref b, ref at, s, filters, o, iy0, ix0, kyLo, kyHi, relu, eight: false);
                            }

                            for (; o + lanes <= filters; o += lanes)
                            {
                                Pixels4<TVector, TWidth>(ref image, ref w, ref b, ref at, s, filters, o, iy0, ix0, kyLo, kyHi, relu);
                            }

                            for (; o < filters; o++)
                            {
                                Pixels4<float, Width1>(ref image, ref w, ref b, ref at, s, filters, o, iy0, ix0, kyLo, kyHi, relu);
                            }

                            ox = group + 4;
                            continue;
                        }

                        ix0 = ox * s.Stride - s.PadLeft;
                        ref float pixel = ref Unsafe.Add(ref row, (nint)ox * filters);
                        int f = 0;
                        for (; f + lanes <= filters; f += lanes)
                        {
                            Pixel1<TVector, TWidth>(ref image, ref w, ref b, ref pixel, s, filters, f, iy0, ix0, kyLo, kyHi, relu);
                        }

                        for (; f < filters; f++)
                        {
                            Pixel1<float, Width1>(ref image, ref w, ref b, ref pixel, s, filters, f, iy0, ix0, kyLo, kyHi, relu);
                        }

                        ox++;
                    }
                }
            }
        }
    }

    /// <summary>One output pixel, one vector of filters from <paramref name="o"/>: its window clipped to the image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pixel1<TVector, TWidth>(ref float image, ref float w, ref float bias, ref float y, in Shape s, int filters, int o, int iy0, int ix0, int kyLo, int kyHi, bool relu)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int kxLo = Math.Max(0, -ix0), kxHi = Math.Min(s.KernelWidth, s.Width - ix0), channels = s.Channels;
        TVector a = TWidth.Zero;
        for (int c = 0; c < channels; c++)
        {
            for (int ky = kyLo; ky < kyHi; ky++)
            {
                ref float pixel = ref Unsafe.Add(ref image, ((iy0 + ky) * s.Width + ix0) * channels + c);
                for (int kx = kxLo; kx < kxHi; kx++)
                {
                    TVector weight = TWidth.Load(ref w, (nuint)(((ky * s.KernelWidth + kx) * channels + c) * filters + o));
                    a = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref pixel, kx * channels)), weight, a);
                }
            }
        }

        TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(a, TWidth.Load(ref bias, (nuint)o)), relu), ref y, (nuint)o);
    }

    /// <summary>Four neighbouring output pixels whose windows lie inside the image across, one vector of filters: each weight load feeds four multiply-adds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pixels4<TVector, TWidth>(ref float image, ref float w, ref float bias, ref float y, in Shape s, int filters, int o, int iy0, int ix0, int kyLo, int kyHi, bool relu)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int channels = s.Channels;
        nint step = (nint)s.Stride * channels;
        TVector a0 = TWidth.Zero, a1 = TWidth.Zero, a2 = TWidth.Zero, a3 = TWidth.Zero;
        for (int c = 0; c < channels; c++)
        {
            for (int ky = kyLo; ky < kyHi; ky++)
            {
                ref float pixel = ref Unsafe.Add(ref image, ((iy0 + ky) * s.Width + ix0) * channels + c);
                for (int kx = 0; kx < s.KernelWidth; kx++)
                {
                    TVector weight = TWidth.Load(ref w, (nuint)(((ky * s.KernelWidth + kx) * channels + c) * filters + o));
                    ref float p = ref Unsafe.Add(ref pixel, kx * channels);
                    a0 = TWidth.MultiplyAdd(TWidth.Broadcast(p), weight, a0);
                    a1 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref p, step)), weight, a1);
                    a2 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref p, 2 * step)), weight, a2);
                    a3 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref p, 3 * step)), weight, a3);
                }
            }
        }

        TVector b = TWidth.Load(ref bias, (nuint)o);
        nuint f = (nuint)filters, at = (nuint)o;
        TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(a0, b), relu), ref y, at);
        TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(a1, b), relu), ref y, at + f);
        TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(a2, b), relu), ref y, at + 2 * f);
        TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(a3, b), relu), ref y, at + 3 * f);
    }

    /// <summary>
    /// As <see cref="Pixels4"/> for two vectors of filters: each broadcast feeds two multiply-adds; with
    /// <paramref name="eight"/>, eight pixels at once (sixteen sums in registers), else four. Every sum runs over the taps
    /// in the same order as <see cref="Pixel1"/>'s, so a pixel has the same value whichever computes it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pixels4x2<TVector, TWidth>(ref float image, ref float w, ref float bias, ref float y, in Shape s, int filters, int o, int iy0, int ix0, int kyLo, int kyHi, bool relu, bool eight)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        int channels = s.Channels;
        nint step = (nint)s.Stride * channels;
        nuint lanes = (nuint)TWidth.Count;
        TVector a0 = TWidth.Zero, a1 = TWidth.Zero, a2 = TWidth.Zero, a3 = TWidth.Zero, a4 = TWidth.Zero, a5 = TWidth.Zero, a6 = TWidth.Zero, a7 = TWidth.Zero;
        TVector c0 = TWidth.Zero, c1 = TWidth.Zero, c2 = TWidth.Zero, c3 = TWidth.Zero, c4 = TWidth.Zero, c5 = TWidth.Zero, c6 = TWidth.Zero, c7 = TWidth.Zero;
        for (int c = 0; c < channels; c++)
        {
            for (int ky = kyLo; ky < kyHi; ky++)
            {
                ref float pixel = ref Unsafe.Add(ref image, ((iy0 + ky) * s.Width + ix0) * channels + c);
                for (int kx = 0; kx < s.KernelWidth; kx++)
                {
                    nuint tap = (nuint)(((ky * s.KernelWidth + kx) * channels + c) * filters + o);
                    TVector weight = TWidth.Load(ref w, tap), next = TWidth.Load(ref w, tap + lanes);
                    ref float p = ref Unsafe.Add(ref pixel, kx * channels);
                    TVector x = TWidth.Broadcast(p);
                    a0 = TWidth.MultiplyAdd(x, weight, a0); c0 = TWidth.MultiplyAdd(x, next, c0);
                    x = TWidth.Broadcast(Unsafe.Add(ref p, step));
                    a1 = TWidth.MultiplyAdd(x, weight, a1); c1 = TWidth.MultiplyAdd(x, next, c1);
                    x = TWidth.Broadcast(Unsafe.Add(ref p, 2 * step));
                    a2 = TWidth.MultiplyAdd(x, weight, a2); c2 = TWidth.MultiplyAdd(x, next, c2);
                    x = TWidth.Broadcast(Unsafe.Add(ref p, 3 * step));
                    a3 = TWidth.MultiplyAdd(x, weight, a3); c3 = TWidth.MultiplyAdd(x, next, c3);
                    if (eight)
                    {
                        x = TWidth.Broadcast(Unsafe.Add(ref p, 4 * step));
                        a4 = TWidth.MultiplyAdd(x, weight, a4); c4 = TWidth.MultiplyAdd(x, next, c4);
                        x = TWidth.Broadcast(Unsafe.Add(ref p, 5 * step));
                        a5 = TWidth.MultiplyAdd(x, weight, a5); c5 = TWidth.MultiplyAdd(x, next, c5);
                        x = TWidth.Broadcast(Unsafe.Add(ref p, 6 * step));
                        a6 = TWidth.MultiplyAdd(x, weight, a6); c6 = TWidth.MultiplyAdd(x, next, c6);
                        x = TWidth.Broadcast(Unsafe.Add(ref p, 7 * step));
                        a7 = TWidth.MultiplyAdd(x, weight, a7); c7 = TWidth.MultiplyAdd(x, next, c7);
                    }
                }
            }
        }

        TVector b = TWidth.Load(ref bias, (nuint)o), bNext = TWidth.Load(ref bias, (nuint)o + lanes);
        nuint f = (nuint)filters, at = (nuint)o;
        StorePair<TVector, TWidth>(a0, c0, b, bNext, ref y, at, lanes, relu);
        StorePair<TVector, TWidth>(a1, c1, b, bNext, ref y, at + f, lanes, relu);
        StorePair<TVector, TWidth>(a2, c2, b, bNext, ref y, at + 2 * f, lanes, relu);
        StorePair<TVector, TWidth>(a3, c3, b, bNext, ref y, at + 3 * f, lanes, relu);
        if (eight)
        {
            StorePair<TVector, TWidth>(a4, c4, b, bNext, ref y, at + 4 * f, lanes, relu);
            StorePair<TVector, TWidth>(a5, c5, b, bNext, ref y, at + 5 * f, lanes, relu);
            StorePair<TVector, TWidth>(a6, c6, b, bNext, ref y, at + 6 * f, lanes, relu);
            StorePair<TVector, TWidth>(a7, c7, b, bNext, ref y, at + 7 * f, lanes, relu);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePair<TVector, TWidth>(TVector a, TVector c, TVector b, TVector bNext, ref float y, nuint at, nuint lanes, bool relu)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector>
    {
        TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(a, b), relu), ref y, at);
        TWidth.Store(Activated<TVector, TWidth>(TWidth.Add(c, bNext), relu), ref y, at + lanes);
    }
}
