using System;
using System.Threading;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

/// <summary>
/// im2col with the columns in the image's own order, <c>k = (ky·kw + kx)·C + c</c>: a window row is then one contiguous run
/// of kw·C floats in the image and in the column row, so gathering is a copy per window row and col2im a vector add per
/// window row, where PyTorch's (c, ky, kx) order needs a [kw, C] transposition per window row. The convolution then
/// multiplies by its weight reordered to [filters, kh, kw, channels] (<see cref="ToChannelsLastKernel"/>), and its weight
/// gradient comes back to PyTorch's layout through <see cref="AddFromChannelsLastKernel"/>. For one channel both orders
/// are the same and <see cref="Im2Col"/> serves.
/// </summary>
public static partial class Conv
{
    /// <summary>
    /// As <see cref="Im2Col"/>, with column <c>k = (ky·kernelWidth + kx)·channels + c</c> holding
    /// <c>x[b, oy·stride + ky − padTop, ox·stride + kx − padLeft, c]</c>, or 0 outside the image.
    /// </summary>
    public static void Im2ColChannelsLast(
        ReadOnlySpan<float> x, Span<float> columns, int batchSize, int height, int width, int channels,
        int kernelHeight, int kernelWidth, int stride, int padTop, int padLeft, int outHeight, int outWidth)
    {
        CheckGeometry(nameof(Im2ColChannelsLast), batchSize, height, width, channels, kernelHeight, kernelWidth, stride, padTop, padLeft, outHeight, outWidth, pooling: false);
        CheckLengths(nameof(Im2ColChannelsLast), "x", x.Length, "columns", columns.Length, batchSize, height, width, channels, kernelHeight, kernelWidth, outHeight, outWidth);
        int rowLength = kernelHeight * kernelWidth * channels, imageSize = height * width * channels;
        int row = 0;
        for (int b = 0; b < batchSize; b++)
        {
            ReadOnlySpan<float> image = x.Slice(b * imageSize, imageSize);
            for (int oy = 0; oy < outHeight; oy++)
            {
                int iy0 = oy * stride - padTop;
                int kyLo = Math.Max(0, -iy0), kyHi = Math.Min(kernelHeight, height - iy0);
                for (int ox = 0; ox < outWidth; ox++, row += rowLength)
                {
                    Span<float> columnRow = columns.Slice(row, rowLength);
                    int ix0 = ox * stride - padLeft;
                    int kxLo = Math.Max(0, -ix0), kxHi = Math.Min(kernelWidth, width - ix0);
                    if (kyLo > 0 || kyHi < kernelHeight || kxLo > 0 || kxHi < kernelWidth)
                    {
                        columnRow.Clear(); // the border: padding reads as 0
                    }

                    int run = (kxHi - kxLo) * channels;
                    for (int ky = kyLo; ky < kyHi && run > 0; ky++)
                    {
                        image.Slice(((iy0 + ky) * width + ix0 + kxLo) * channels, run).CopyTo(columnRow.Slice((ky * kernelWidth + kxLo) * channels, run));
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Im2ColChannelsLast"/>: overwrites <paramref name="dx"/> with the sums of the entries gathered from each element.</summary>
    public static void Col2ImChannelsLast(
        ReadOnlySpan<float> columns, Span<float> dx, int batchSize, int height, int width, int channels,
        int kernelHeight, int kernelWidth, int stride, int padTop, int padLeft, int outHeight, int outWidth)
    {
        CheckGeometry(nameof(Col2ImChannelsLast), batchSize, height, width, channels, kernelHeight, kernelWidth, stride, padTop, padLeft, outHeight, outWidth, pooling: false);
        CheckLengths(nameof(Col2ImChannelsLast), "dx", dx.Length, "columns", columns.Length, batchSize, height, width, channels, kernelHeight, kernelWidth, outHeight, outWidth);
        dx.Clear();
        int rowLength = kernelHeight * kernelWidth * channels, imageSize = height * width * channels;
        int row = 0;
        for (int b = 0; b < batchSize; b++)
        {
            Span<float> image = dx.Slice(b * imageSize, imageSize);
            for (int oy = 0; oy < outHeight; oy++)
            {
                int iy0 = oy * stride - padTop;
                int kyLo = Math.Max(0, -iy0), kyHi = Math.Min(kernelHeight, height - iy0);
                for (int ox = 0; ox < outWidth; ox++, row += rowLength)
                {
                    ReadOnlySpan<float> columnRow = columns.Slice(row, rowLength);
                    int ix0 = ox * stride - padLeft;
                    int kxLo = Math.Max(0, -ix0), kxHi = Math.Min(kernelWidth, width - ix0);
                    int run = (kxHi - kxLo) * channels;
                    for (int ky = kyLo; ky < kyHi && run > 0; ky++)
                    {
                        Span<float> target = image.Slice(((iy0 + ky) * width + ix0 + kxLo) * channels, run);
                        TensorPrimitives.Add(target, columnRow.Slice((ky * kernelWidth + kxLo) * channels, run), target);
                    }
                }
            }
        }
    }

    /// <summary><paramref name="kernel"/> [filters, kh, kw, channels] = <paramref name="weight"/> [filters, channels, kh, kw] reordered.</summary>
    public static void ToChannelsLastKernel(ReadOnlySpan<float> weight, Span<float> kernel, int filters, int channels, int kernelHeight, int kernelWidth)
    {
        int window = kernelHeight * kernelWidth;
        CheckKernelLengths(nameof(ToChannelsLastKernel), weight.Length, kernel.Length, (long)filters * channels * window);
        int size = channels * window;
        ref float source = ref MemoryMarshal.GetReference(weight);
        ref float target = ref MemoryMarshal.GetReference(kernel);
        for (int o = 0; o < filters; o++)
        {
            // Written in order; each read walks one filter's [channels, window] block, which stays in L1.
            ref float from = ref Unsafe.Add(ref source, (nint)o * size);
            ref float to = ref Unsafe.Add(ref target, (nint)o * size);
            for (int t = 0; t < window; t++)
            {
                ref float row = ref Unsafe.Add(ref to, (nint)t * channels);
                for (int c = 0; c < channels; c++)
                {
                    Unsafe.Add(ref row, c) = Unsafe.Add(ref from, (nint)c * window + t);
                }
            }
        }
    }

    /// <summary>
    /// Reorders <paramref name="weight"/> into <paramref name="kernel"/> unless it is bit for bit the weight last reordered,
    /// which <paramref name="source"/> keeps: one comparison (a memory compare, a few µs) instead of a reordering when the
    /// parameters have not changed since the last call, as between inference calls.
    /// </summary>
    public static void RefreshChannelsLastKernel(ReadOnlySpan<float> weight, Span<float> source, Span<float> kernel, int filters, int channels, int kernelHeight, int kernelWidth)
    {
        if (!Unchanged(weight, source))
        {
            ToChannelsLastKernel(weight, kernel, filters, channels, kernelHeight, kernelWidth);
            Record(weight, source);
        }
    }

    // True when `weight` is bit for bit the weight a copy was last made from, which `source` records: one memory compare
    // (a few µs) instead of making the copy again when the parameters have not changed, as between inference calls.
    private static bool Unchanged(ReadOnlySpan<float> weight, ReadOnlySpan<float> source) =>
        MemoryMarshal.AsBytes(weight).SequenceEqual(MemoryMarshal.AsBytes(source));

    // Records the weight a copy was just made from. Only after the copy is complete (the barrier): an inference-only
    // network's other threads take a matching record to mean the copy is ready, and a thread that sees a stale record
    // writes the same values again.
    private static void Record(ReadOnlySpan<float> weight, Span<float> source)
    {
        Thread.MemoryBarrier();
        weight.CopyTo(source);
    }

    /// <summary><paramref name="weightGradient"/> [filters, channels, kh, kw] += <paramref name="kernelGradient"/> [filters, kh, kw, channels] reordered.</summary>
    public static void AddFromChannelsLastKernel(ReadOnlySpan<float> kernelGradient, Span<float> weightGradient, int filters, int channels, int kernelHeight, int kernelWidth)
    {
        int window = kernelHeight * kernelWidth, size = channels * window;
        CheckKernelLengths(nameof(AddFromChannelsLastKernel), weightGradient.Length, kernelGradient.Length, (long)filters * size);
        for (int o = 0; o < filters; o++)
        {
            ReadOnlySpan<float> source = kernelGradient.Slice(o * size, size);
            Span<float> target = weightGradient.Slice(o * size, size);
            for (int c = 0; c < channels; c++)
            {
                for (int t = 0; t < window; t++)
                {
                    target[c * window + t] += source[t * channels + c];
                }
            }
        }
    }

    private static void CheckKernelLengths(string kernel, int weightLength, int reorderedLength, long needed)
    {
        if (weightLength != needed || reorderedLength != needed)
        {
            Throw($"{kernel}: both kernels must hold filters × channels × kernelHeight × kernelWidth = {needed} floats (they have {weightLength} and {reorderedLength}).");
        }
    }
}
