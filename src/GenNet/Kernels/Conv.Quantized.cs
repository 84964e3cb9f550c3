using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenNet.Kernels;

// Convolutions over compiled-in 16- or 8-bit weights (inference-only networks with a WeightPrecision): the product is the
// Dense one over the im2col columns (Dense.ForwardBFloat16, ForwardHalf, ForwardInt8, which decode the stored weights at
// every vector width). A convolution whose columns are in the image's (ky, kx, channel) order reads its stored weights
// reordered once, as the float kernel is, in their stored format: per-output-channel int8 scales are unchanged, as the
// filters stay the leading axis.
public static partial class Conv
{
    /// <summary>
    /// <paramref name="weight"/> [filters, channels, kh, kw] reordered to <paramref name="kernel"/> [filters, kh, kw,
    /// channels], for weights stored as bfloat16 or half bits or int8 codes (the float form is <see cref="ToChannelsLastKernel"/>).
    /// </summary>
    internal static void ToChannelsLastCodes<T>(ReadOnlySpan<T> weight, Span<T> kernel, int filters, int channels, int kernelHeight, int kernelWidth)
        where T : unmanaged
    {
        int window = kernelHeight * kernelWidth;
        CheckKernelLengths(nameof(ToChannelsLastCodes), weight.Length, kernel.Length, (long)filters * channels * window);
        int size = channels * window;
        ref T source = ref MemoryMarshal.GetReference(weight);
        ref T target = ref MemoryMarshal.GetReference(kernel);
        for (int o = 0; o < filters; o++)
        {
            ref T from = ref Unsafe.Add(ref source, (nint)o * size);
            ref T to = ref Unsafe.Add(ref target, (nint)o * size);
            for (int t = 0; t < window; t++)
            {
                ref T row = ref Unsafe.Add(ref to, (nint)t * channels);
                for (int c = 0; c < channels; c++)
                {
                    Unsafe.Add(ref row, c) = Unsafe.Add(ref from, (nint)c * window + t);
                }
            }
        }
    }
}
