using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

/// <summary>
/// The convolution layer's data movement, called by generated code with constant sizes: <see cref="Im2Col"/> lays every
/// output pixel's receptive field out as one row, so the convolution becomes <see cref="Dense.Forward"/> with PyTorch's
/// [out, in, kh, kw] weight as a [out, in·kh·kw] matrix, and <see cref="Col2Im"/> (its adjoint) folds the input gradient
/// rows of <see cref="Dense.BackwardInput"/> back onto the image.
/// <para>
/// Images are channels-last: sample b, pixel (y, x), channel c lives at <c>b·H·W·C + (y·W + x)·C + c</c>. Output pixel
/// (oy, ox) sees input rows <c>oy·stride + ky − padTop</c> and columns <c>ox·stride + kx − padLeft</c>; positions outside
/// the image read as 0. Column <c>k = (c·kh + ky)·kw + kx</c> of a row holds kernel tap (c, ky, kx), PyTorch's order.
/// </para>
/// <para>
/// Each window is clipped to the image once (a range of ky and of kx), so the copy loops carry no bounds checks: border
/// rows are cleared first and then filled like interior ones. With one channel a window row is a contiguous run of kw
/// floats in the image and in the column row; with a 1×1 kernel the run is the pixel's C channels; otherwise a window row
/// is a [kw, C] block of the image transposed into C runs of kw floats, kh·kw apart. Those runs are short when the
/// channels are few, so then the output pixels whose windows lie wholly inside the image go tap by tap instead: one long
/// strided loop down the rows per column k.
/// </para>
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Conv
{
    /// <summary>
    /// Gathers the receptive fields: <paramref name="columns"/> [batchSize·outHeight·outWidth, channels·kernelHeight·kernelWidth]
    /// gets, in row <c>r = (b·outHeight + oy)·outWidth + ox</c> and column <c>k = (c·kernelHeight + ky)·kernelWidth + kx</c>,
    /// the input element <c>x[b, oy·stride + ky − padTop, ox·stride + kx − padLeft, c]</c>, or 0 where that lies outside the image.
    /// <paramref name="x"/> is [batchSize, height, width, channels]. Every element of <paramref name="columns"/> is written.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void Im2Col(
        ReadOnlySpan<float> x, Span<float> columns, int batchSize, int height, int width, int channels,
        int kernelHeight, int kernelWidth, int stride, int padTop, int padLeft, int outHeight, int outWidth)
    {
        CheckGeometry(nameof(Im2Col), batchSize, height, width, channels, kernelHeight, kernelWidth, stride, padTop, padLeft, outHeight, outWidth, pooling: false);
        CheckLengths(nameof(Im2Col), "x", x.Length, "columns", columns.Length, batchSize, height, width, channels, kernelHeight, kernelWidth, outHeight, outWidth);
        var shape = new Shape(height, width, channels, kernelHeight, kernelWidth, stride, padLeft, outWidth);
        ref float image0 = ref MemoryMarshal.GetReference(x);
        ref float row = ref MemoryMarshal.GetReference(columns);
        for (int b = 0; b < batchSize; b++)
        {
            ref float image = ref Unsafe.Add(ref image0, (nint)b * shape.ImageSize);
            for (int oy = 0; oy < outHeight; oy++, row = ref Unsafe.Add(ref row, (nint)outWidth * shape.RowLength))
            {
                int iy0 = oy * stride - padTop;
                int kyLo = Math.Max(0, -iy0), kyHi = Math.Min(kernelHeight, height - iy0);
                (int from, int to) = shape.ColumnPass(kyLo, kyHi);
                GatherRows(ref image, ref row, shape, iy0, kyLo, kyHi, 0, from);
                if (from < to)
                {
                    GatherColumns(ref Unsafe.Add(ref image, (iy0 * width + from * stride - padLeft) * channels), ref Unsafe.Add(ref row, (nint)from * shape.RowLength), shape, to - from);
                }

                GatherRows(ref image, ref row, shape, iy0, kyLo, kyHi, to, outWidth);
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Im2Col"/>: overwrites <paramref name="dx"/> [batchSize, height, width, channels] with, for
    /// every input element, the sum of the <paramref name="columns"/> entries gathered from it (entries that Im2Col fills
    /// with padding zeros are dropped). Used for the convolution's input gradient.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not what the sizes say, or a size is out of range.</exception>
    public static void Col2Im(
        ReadOnlySpan<float> columns, Span<float> dx, int batchSize, int height, int width, int channels,
        int kernelHeight, int kernelWidth, int stride, int padTop, int padLeft, int outHeight, int outWidth)
    {
        CheckGeometry(nameof(Col2Im), batchSize, height, width, channels, kernelHeight, kernelWidth, stride, padTop, padLeft, outHeight, outWidth, pooling: false);
        CheckLengths(nameof(Col2Im), "dx", dx.Length, "columns", columns.Length, batchSize, height, width, channels, kernelHeight, kernelWidth, outHeight, outWidth);
        dx.Clear();
        var shape = new Shape(height, width, channels, kernelHeight, kernelWidth, stride, padLeft, outWidth);
        ref float image0 = ref MemoryMarshal.GetReference(dx);
        ref float row = ref MemoryMarshal.GetReference(columns);
        for (int b = 0; b < batchSize; b++)
        {
            ref float image = ref Unsafe.Add(ref image0, (nint)b * shape.ImageSize);
            for (int oy = 0; oy < outHeight; oy++, row = ref Unsafe.Add(ref row, (nint)outWidth * shape.RowLength))
            {
                int iy0 = oy * stride - padTop;
                int kyLo = Math.Max(0, -iy0), kyHi = Math.Min(kernelHeight, height - iy0);
                (int from, int to) = shape.ColumnPass(kyLo, kyHi);
                ScatterRows(ref row, ref image, shape, iy0, kyLo, kyHi, 0, from);
                if (from < to)
                {
                    ScatterColumns(ref Unsafe.Add(ref row, (nint)from * shape.RowLength), ref Unsafe.Add(ref image, (iy0 * width + from * stride - padLeft) * channels), shape, to - from);
                }

                ScatterRows(ref row, ref image, shape, iy0, kyLo, kyHi, to, outWidth);
            }
        }
    }

    /// <summary>Below this many channels, whole interior segments of an output row go tap by tap (see <see cref="GatherColumns"/>).</summary>
    private const int ColumnPassBelowChannels = 8;

    /// <summary>The sizes of one call, and what follows from them.</summary>
    private readonly struct Shape(int height, int width, int channels, int kernelHeight, int kernelWidth, int stride, int padLeft, int outWidth)
    {
        public readonly int Height = height, Width = width, Channels = channels, KernelHeight = kernelHeight, KernelWidth = kernelWidth;
        public readonly int Stride = stride, PadLeft = padLeft;
        public readonly int Window = kernelHeight * kernelWidth, RowLength = channels * kernelHeight * kernelWidth, ImageSize = height * width * channels;

        /// <summary>The output columns whose windows lie wholly inside the image horizontally: ox·stride − padLeft ≥ 0 and ≤ width − kernelWidth.</summary>
        private readonly int _interiorFrom = Math.Min(outWidth, (padLeft + stride - 1) / stride),
            _interiorTo = width + padLeft < kernelWidth ? 0 : Math.Min(outWidth, (width + padLeft - kernelWidth) / stride + 1);

        /// <summary>The output columns [from, to) of a row to do tap by tap: its interior, when the row is inside vertically and the channels few.</summary>
        public (int From, int To) ColumnPass(int kyLo, int kyHi) =>
            Channels < ColumnPassBelowChannels && kyLo == 0 && kyHi == KernelHeight && _interiorFrom < _interiorTo ? (_interiorFrom, _interiorTo) : (0, 0);
    }

    /// <summary>
    /// Output pixels [<paramref name="from"/>, <paramref name="to"/>) of one output row (input rows from <paramref name="iy0"/>),
    /// one column row at a time: each window is clipped to the image, border rows cleared first. <paramref name="rows"/> is the
    /// output row's first column row.
    /// </summary>
    private static void GatherRows(ref float image, ref float rows, in Shape s, int iy0, int kyLo, int kyHi, int from, int to)
    {
        int width = s.Width, channels = s.Channels, kernelWidth = s.KernelWidth, rowLength = s.RowLength;
        for (int ox = from; ox < to; ox++)
        {
            ref float row = ref Unsafe.Add(ref rows, (nint)ox * rowLength);
            int ix0 = ox * s.Stride - s.PadLeft;
            int kxLo = Math.Max(0, -ix0), kxHi = Math.Min(kernelWidth, width - ix0);
            if (kyLo > 0 || kyHi < s.KernelHeight || kxLo > 0 || kxHi < kernelWidth)
            {
                MemoryMarshal.CreateSpan(ref row, rowLength).Clear(); // the border: padding reads as 0
                if (kyLo >= kyHi || kxLo >= kxHi)
                {
                    continue; // the window lies wholly in the padding
                }
            }

            int runLength = kxHi - kxLo;
            if (channels == 1)
            {
                // Window row ky: kw contiguous pixels → columns [ky·kw + kx], contiguous.
                for (int ky = kyLo; ky < kyHi; ky++)
                {
                    Copy(ref Unsafe.Add(ref image, (iy0 + ky) * width + ix0 + kxLo), ref Unsafe.Add(ref row, ky * kernelWidth + kxLo), runLength);
                }
            }
            else if (s.Window == 1)
            {
                // 1×1 kernel: the row is the pixel's channels.
                Copy(ref Unsafe.Add(ref image, (iy0 * width + ix0) * channels), ref row, channels);
            }
            else
            {
                for (int ky = kyLo; ky < kyHi; ky++)
                {
                    // The image's [kx, c] block of this window row → columns [c·kh·kw + ky·kw + kx].
                    GatherBlock(
                        ref Unsafe.Add(ref image, ((iy0 + ky) * width + ix0 + kxLo) * channels),
                        ref Unsafe.Add(ref row, ky * kernelWidth + kxLo),
                        runLength, channels, s.Window);
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="GatherRows"/>: adds the column rows onto the image.</summary>
    private static void ScatterRows(ref float rows, ref float image, in Shape s, int iy0, int kyLo, int kyHi, int from, int to)
    {
        int width = s.Width, channels = s.Channels, kernelWidth = s.KernelWidth, rowLength = s.RowLength;
        for (int ox = from; ox < to; ox++)
        {
            ref float row = ref Unsafe.Add(ref rows, (nint)ox * rowLength);
            int ix0 = ox * s.Stride - s.PadLeft;
            int kxLo = Math.Max(0, -ix0), kxHi = Math.Min(kernelWidth, width - ix0);
            int runLength = kxHi - kxLo;
            if (runLength <= 0 || kyLo >= kyHi)
            {
                continue; // wholly in the padding
            }

            if (channels == 1)
            {
                for (int ky = kyLo; ky < kyHi; ky++)
                {
                    AddRun(ref Unsafe.Add(ref row, ky * kernelWidth + kxLo), ref Unsafe.Add(ref image, (iy0 + ky) * width + ix0 + kxLo), runLength);
                }
            }
            else if (s.Window == 1)
            {
                AddRun(ref row, ref Unsafe.Add(ref image, (iy0 * width + ix0) * channels), channels);
            }
            else
            {
                for (int ky = kyLo; ky < kyHi; ky++)
                {
                    ScatterAddBlock(
                        ref Unsafe.Add(ref row, ky * kernelWidth + kxLo),
                        ref Unsafe.Add(ref image, ((iy0 + ky) * width + ix0 + kxLo) * channels),
                        runLength, channels, s.Window);
                }
            }
        }
    }

    /// <summary>
    /// <paramref name="count"/> consecutive output pixels whose windows lie wholly inside the image, tap by tap: for each
    /// column k = (c, ky, kx), a strided pass down the rows. With few channels a row holds only a handful of floats per
    /// pixel run, and this order replaces those short runs by one long loop per tap. <paramref name="window"/> is the
    /// first pixel's window's top-left element at channel 0.
    /// </summary>
    private static void GatherColumns(ref float window, ref float rows, in Shape s, int count)
    {
        nint rowLength = s.RowLength, step = (nint)s.Stride * s.Channels;
        for (int c = 0, k = 0; c < s.Channels; c++)
        {
            for (int ky = 0; ky < s.KernelHeight; ky++)
            {
                for (int kx = 0; kx < s.KernelWidth; kx++, k++)
                {
                    ref float source = ref Unsafe.Add(ref window, (ky * s.Width + kx) * s.Channels + c);
                    ref float destination = ref Unsafe.Add(ref rows, k);
                    for (nint j = 0; j < count; j++)
                    {
                        Unsafe.Add(ref destination, j * rowLength) = Unsafe.Add(ref source, j * step);
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="GatherColumns"/>. Within one tap the targets are distinct pixels, so the passes never alias.</summary>
    private static void ScatterColumns(ref float rows, ref float window, in Shape s, int count)
    {
        nint rowLength = s.RowLength, step = (nint)s.Stride * s.Channels;
        for (int c = 0, k = 0; c < s.Channels; c++)
        {
            for (int ky = 0; ky < s.KernelHeight; ky++)
            {
                for (int kx = 0; kx < s.KernelWidth; kx++, k++)
                {
                    ref float destination = ref Unsafe.Add(ref window, (ky * s.Width + kx) * s.Channels + c);
                    ref float source = ref Unsafe.Add(ref rows, k);
                    for (nint j = 0; j < count; j++)
                    {
                        Unsafe.Add(ref destination, j * step) += Unsafe.Add(ref source, j * rowLength);
                    }
                }
            }
        }
    }

    /// <summary>
    /// <c>destination[c·stride + j] = source[j·channels + c]</c> for j &lt; <paramref name="count"/>, c &lt; <paramref name="channels"/>:
    /// <paramref name="count"/> pixels of channels-last image → one run of <paramref name="count"/> floats per channel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GatherBlock(ref float source, ref float destination, int count, int channels, int stride)
    {
        for (int j = 0; j < count; j++)
        {
            ref float pixel = ref Unsafe.Add(ref source, j * channels);
            ref float target = ref Unsafe.Add(ref destination, j);
            nint offset = 0;
            int c = 0;
            for (; c + 4 <= channels; c += 4, offset += 4 * (nint)stride)
            {
                float v0 = Unsafe.Add(ref pixel, c), v1 = Unsafe.Add(ref pixel, c + 1), v2 = Unsafe.Add(ref pixel, c + 2), v3 = Unsafe.Add(ref pixel, c + 3);
                Unsafe.Add(ref target, offset) = v0;
                Unsafe.Add(ref target, offset + stride) = v1;
                Unsafe.Add(ref target, offset + 2 * (nint)stride) = v2;
                Unsafe.Add(ref target, offset + 3 * (nint)stride) = v3;
            }

            for (; c < channels; c++, offset += stride)
            {
                Unsafe.Add(ref target, offset) = Unsafe.Add(ref pixel, c);
            }
        }
    }

    /// <summary>The adjoint of <see cref="GatherBlock"/>: <c>destination[j·channels + c] += source[c·stride + j]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScatterAddBlock(ref float source, ref float destination, int count, int channels, int stride)
    {
        for (int j = 0; j < count; j++)
        {
            ref float pixel = ref Unsafe.Add(ref destination, j * channels);
            ref float from = ref Unsafe.Add(ref source, j);
            nint offset = 0;
            int c = 0;
            for (; c + 4 <= channels; c += 4, offset += 4 * (nint)stride)
            {
                float v0 = Unsafe.Add(ref from, offset), v1 = Unsafe.Add(ref from, offset + stride);
                float v2 = Unsafe.Add(ref from, offset + 2 * (nint)stride), v3 = Unsafe.Add(ref from, offset + 3 * (nint)stride);
                Unsafe.Add(ref pixel, c) += v0;
                Unsafe.Add(ref pixel, c + 1) += v1;
                Unsafe.Add(ref pixel, c + 2) += v2;
                Unsafe.Add(ref pixel, c + 3) += v3;
            }

            for (; c < channels; c++, offset += stride)
            {
                Unsafe.Add(ref pixel, c) += Unsafe.Add(ref from, offset);
            }
        }
    }

    /// <summary><c>destination[i] = source[i]</c> for i &lt; <paramref name="count"/>: a loop for the short runs of small kernels, memmove for long ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(ref float source, ref float destination, int count)
    {
        if (count >= 16)
        {
            Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref destination), ref Unsafe.As<float, byte>(ref source), (uint)count * sizeof(float));
            return;
        }

        for (int i = 0; i < count; i++)
        {
            Unsafe.Add(ref destination, i) = Unsafe.Add(ref source, i);
        }
    }

    /// <summary><c>destination[i] += source[i]</c> for i &lt; <paramref name="count"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AddRun(ref float source, ref float destination, int count) =>
        Simd.Map(new AddOperator(), MemoryMarshal.CreateReadOnlySpan(ref source, count), MemoryMarshal.CreateSpan(ref destination, count));

    /// <summary><c>(source, destination) → destination + source</c>.</summary>
    private readonly struct AddOperator : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Invoke<TVector, TWidth>(TVector source, TVector destination)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector> =>
            TWidth.Add(destination, source);
    }

    /// <summary>
    /// The sizes every image kernel shares. Besides positivity: the window arithmetic (<c>o·stride + k</c>,
    /// <c>size + pad</c>) must fit in an int; for pooling every window must also hold at least one image element, since
    /// windows are clipped rather than padded.
    /// </summary>
    internal static void CheckGeometry(
        string kernel, int batchSize, int height, int width, int channels, int kernelHeight, int kernelWidth,
        int stride, int padTop, int padLeft, int outHeight, int outWidth, bool pooling)
    {
        if (batchSize < 0 || height <= 0 || width <= 0 || channels <= 0 || kernelHeight <= 0 || kernelWidth <= 0 ||
            stride <= 0 || padTop < 0 || padLeft < 0 || outHeight <= 0 || outWidth <= 0)
        {
            Throw($"{kernel}: sizes out of range: batch {batchSize}, image {height}×{width}×{channels}, window {kernelHeight}×{kernelWidth}, " +
                  $"stride {stride}, padding top {padTop} left {padLeft}, output {outHeight}×{outWidth} (batch and padding must be ≥ 0, the rest > 0).");
        }

        if ((long)(outHeight - 1) * stride + kernelHeight > int.MaxValue || (long)(outWidth - 1) * stride + kernelWidth > int.MaxValue ||
            (long)height + padTop > int.MaxValue || (long)width + padLeft > int.MaxValue)
        {
            Throw($"{kernel}: window positions overflow: output {outHeight}×{outWidth}, stride {stride}, window {kernelHeight}×{kernelWidth}, padding top {padTop} left {padLeft}.");
        }

        if (pooling && (padTop >= kernelHeight || padLeft >= kernelWidth ||
                        (long)(outHeight - 1) * stride - padTop >= height || (long)(outWidth - 1) * stride - padLeft >= width))
        {
            Throw($"{kernel}: a {kernelHeight}×{kernelWidth} window with stride {stride} and padding top {padTop} left {padLeft} over a {height}×{width} image " +
                  $"gives a window wholly in the padding for a {outHeight}×{outWidth} output (each padding must be smaller than the window, and the last window must start inside the image).");
        }
    }

    private static void CheckLengths(
        string kernel, string imageName, int imageLength, string columnsName, int columnsLength, int batchSize, int height, int width, int channels,
        int kernelHeight, int kernelWidth, int outHeight, int outWidth)
    {
        long imageNeeded = (long)batchSize * height * width * channels;
        long rows = (long)batchSize * outHeight * outWidth;
        long rowLength = (long)channels * kernelHeight * kernelWidth;
        if (imageLength != imageNeeded || columnsLength != rows * rowLength)
        {
            Throw($"{kernel}: {imageName} must hold batch × height × width × channels = {batchSize} × {height} × {width} × {channels} = {imageNeeded} floats (it has {imageLength}), " +
                  $"{columnsName} batch × outHeight × outWidth rows of channels × kernelHeight × kernelWidth = {rows} × {rowLength} = {rows * rowLength} (it has {columnsLength}).");
        }
    }

    [DoesNotReturn]
    internal static void Throw(string message) => throw new ArgumentException(message);
}
