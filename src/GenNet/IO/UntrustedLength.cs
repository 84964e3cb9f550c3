using System;
using System.IO;

namespace GenNet;

/// <summary>
/// Reads a number of bytes that a file declares about itself (a gzip member's uncompressed size, a safetensors header
/// length read from a pipe) without trusting the declaration: the buffer starts small and doubles only as data actually
/// arrives, so a file can make GenNet allocate at most about four times the bytes it really delivers (plus 16 KiB),
/// whatever it claims.
/// </summary>
internal static class UntrustedLength
{
    private const int FirstChunk = 16 * 1024;

    /// <summary>
    /// Reads up to <paramref name="declared"/> bytes from <paramref name="stream"/>. Returns how many arrived; when that is
    /// <paramref name="declared"/>, <paramref name="data"/> is exactly that long, otherwise it holds the bytes that did arrive.
    /// </summary>
    public static int Read(Stream stream, int declared, out byte[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(declared);
        data = new byte[Math.Min(declared, FirstChunk)];
        int filled = 0;
        while (true)
        {
            filled += stream.ReadAtLeast(data.AsSpan(filled), data.Length - filled, throwOnEndOfStream: false);
            if (filled < data.Length || filled == declared)
            {
                return filled;
            }

            Array.Resize(ref data, (int)Math.Min(declared, 2L * data.Length)); // grows only after the current buffer filled up
        }
    }
}
