using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

/// <summary>
/// Flattening a channels-last image in PyTorch's order, so a Dense layer after a convolution takes PyTorch's weights as
/// they are: per sample, the [pixels, channels] matrix is transposed to [channels, pixels]. A blocked transpose: a block
/// of pixels' rows stays in cache while each channel's run of the output is written contiguously.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Flatten
{
    private const int Block = 16;

    /// <summary>Per sample: <c>y[c·pixels + p] = x[p·channels + c]</c> (HWC → CHW). <paramref name="x"/>, <paramref name="y"/>: [batchSize, pixels·channels].</summary>
    /// <exception cref="ArgumentException">A span's length is not batchSize·pixels·channels, or a size is out of range.</exception>
    public static void ToChannelMajor(ReadOnlySpan<float> x, Span<float> y, int batchSize, int pixels, int channels)
    {
        CheckLengths(nameof(ToChannelMajor), x.Length, y.Length, batchSize, pixels, channels);
        int sampleSize = pixels * channels;
        ref float source = ref MemoryMarshal.GetReference(x);
        ref float destination = ref MemoryMarshal.GetReference(y);
        for (int b = 0; b < batchSize; b++)
        {
            Transpose(ref Unsafe.Add(ref source, (nint)b * sampleSize), ref Unsafe.Add(ref destination, (nint)b * sampleSize), pixels, channels);
        }
    }

    /// <summary>The inverse, for the gradient: per sample <c>dx[p·channels + c] = dy[c·pixels + p]</c> (CHW → HWC).</summary>
    /// <exception cref="ArgumentException">A span's length is not batchSize·pixels·channels, or a size is out of range.</exception>
    public static void FromChannelMajor(ReadOnlySpan<float> dy, Span<float> dx, int batchSize, int pixels, int channels)
    {
        CheckLengths(nameof(FromChannelMajor), dy.Length, dx.Length, batchSize, pixels, channels);
        int sampleSize = pixels * channels;
        ref float source = ref MemoryMarshal.GetReference(dy);
        ref float destination = ref MemoryMarshal.GetReference(dx);
        for (int b = 0; b < batchSize; b++)
        {
            Transpose(ref Unsafe.Add(ref source, (nint)b * sampleSize), ref Unsafe.Add(ref destination, (nint)b * sampleSize), channels, pixels);
        }
    }

    /// <summary><c>destination[j·rows + i] = source[i·columns + j]</c>: [rows, columns] → [columns, rows], in blocks of rows.</summary>
    private static void Transpose(ref float source, ref float destination, int rows, int columns)
    {
        for (int i0 = 0; i0 < rows; i0 += Block)
        {
            int i1 = Math.Min(rows, i0 + Block);
            for (int j = 0; j < columns; j++)
            {
                ref float target = ref Unsafe.Add(ref destination, (nint)j * rows);
                for (int i = i0; i < i1; i++)
                {
                    Unsafe.Add(ref target, i) = Unsafe.Add(ref source, (nint)i * columns + j);
                }
            }
        }
    }

    private static void CheckLengths(string kernel, int sourceLength, int destinationLength, int batchSize, int pixels, int channels)
    {
        long needed = (long)batchSize * pixels * channels;
        if (batchSize < 0 || pixels <= 0 || channels <= 0 || sourceLength != needed || destinationLength != needed)
        {
            Conv.Throw($"{kernel}: both spans must hold batch × pixels × channels = {batchSize} × {pixels} × {channels} = {needed} floats; they have {sourceLength} and {destinationLength}.");
        }
    }
}
