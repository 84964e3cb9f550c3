using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

/// <summary>
/// Concatenation along the last axis as copies of column blocks: a [rows, width] part placed at column
/// <c>offset</c> of a [rows, rowWidth] whole, and taken back out. For vectors a row is a sample; for channels-last images
/// a row is a pixel, so the same copies join images channel-wise. Also how a multi-input network's packed sample rows are
/// split into one contiguous block per input. (Add and Multiply are TensorPrimitives' element-wise operations.)
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Merge
{
    /// <summary><c>whole[r, offset + j] = part[r, j]</c> for every row <c>r</c> and <c>j</c> &lt; <paramref name="width"/>.</summary>
    public static void Place(ReadOnlySpan<float> part, Span<float> whole, int rows, int width, int offset, int rowWidth)
    {
        CheckBlock(part.Length, whole.Length, rows, width, offset, rowWidth);
        ref float source = ref MemoryMarshal.GetReference(part);
        ref float destination = ref Unsafe.Add(ref MemoryMarshal.GetReference(whole), offset);
        for (int r = 0; r < rows; r++)
        {
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref source, (nint)r * width), width)
                .CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref destination, (nint)r * rowWidth), width));
        }
    }

    /// <summary><c>part[r, j] = whole[r, offset + j]</c> for every row <c>r</c> and <c>j</c> &lt; <paramref name="width"/>.</summary>
    public static void Take(ReadOnlySpan<float> whole, Span<float> part, int rows, int width, int offset, int rowWidth)
    {
        CheckBlock(part.Length, whole.Length, rows, width, offset, rowWidth);
        ref float source = ref Unsafe.Add(ref MemoryMarshal.GetReference(whole), offset);
        ref float destination = ref MemoryMarshal.GetReference(part);
        for (int r = 0; r < rows; r++)
        {
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref source, (nint)r * rowWidth), width)
                .CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref destination, (nint)r * width), width));
        }
    }

    private static void CheckBlock(int partLength, int wholeLength, int rows, int width, int offset, int rowWidth)
    {
        if (rows < 0 || width < 0 || offset < 0 || offset + (long)width > rowWidth ||
            partLength < (long)rows * width || wholeLength < (long)rows * rowWidth)
        {
            throw new ArgumentException(
                $"A block of {rows} × {width} at column {offset} does not fit rows of {rowWidth} (part {partLength} floats, whole {wholeLength}).");
        }
    }
}
