using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace GenNet;

// Reduced-precision weight files: post-training quantization of the weight matrices on save, and their decoding on load.
public static partial class SafeTensors
{
    /// <summary>The suffix of the per-output-channel scale tensor that accompanies an <c>I8</c> weight tensor.</summary>
    internal const string ScaleSuffix = "_scale";

    /// <summary>
    /// Writes the network's parameters and buffers to <paramref name="path"/> with its weight matrices (tensors named
    /// <c>*.weight</c> of rank 2 or more: Dense, Conv and their kin) stored at <paramref name="precision"/>; biases,
    /// normalisation parameters and buffers stay F32. This is post-training quantization, weight-only: compile the file
    /// into an inference-only network with <c>[Network(Training = false, Weights = …, WeightPrecision = …)]</c>, or load it
    /// into any network of the same architecture (the weights are then expanded to floats). Written atomically, as
    /// <see cref="Save(INetwork, string)"/>.
    /// </summary>
    /// <remarks>
    /// <see cref="WeightPrecision.Int8"/> is symmetric per output channel (the first dimension): each channel's scale is
    /// its largest magnitude over 127, written as the F32 tensor <c>NAME_scale</c> of shape [channels]; a channel of
    /// zeros gets scale 0. No calibration data is needed, since activations stay 32-bit floats.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="precision"/> is not a defined value.</exception>
    /// <exception cref="InvalidDataException">A weight is NaN or infinite, or (for <see cref="WeightPrecision.Half"/>) beyond ±65,504; the message names the tensor.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Save(this INetwork network, string path, WeightPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckPrecision(precision);
        Stored[] stored = StoredTensors(network, precision); // refuses unrepresentable weights before touching the file system
        AtomicFile.Write(path, stream => Write(network, stream, precision, stored), null);
    }

    /// <summary><see cref="Save(INetwork, string, WeightPrecision)"/> to a stream.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="precision"/> is not a defined value.</exception>
    /// <exception cref="InvalidDataException">A weight cannot be stored at <paramref name="precision"/>.</exception>
    public static void Save(this INetwork network, Stream stream, WeightPrecision precision)
    {
        CheckPrecision(precision);
        Write(network, stream, precision);
    }

    /// <summary>True for the tensors that a reduced precision applies to: weight matrices and kernels, not biases or vectors.</summary>
    internal static bool IsWeightMatrix(ParameterTensor tensor) =>
        tensor.Shape.Count >= 2 && tensor.Name.EndsWith(".weight", StringComparison.Ordinal);

    /// <summary>The safetensors dtype of a weight matrix stored at <paramref name="precision"/>.</summary>
    internal static string DType(WeightPrecision precision) => precision switch
    {
        WeightPrecision.BFloat16 => "BF16",
        WeightPrecision.Half => "F16",
        WeightPrecision.Int8 => "I8",
        _ => "F32",
    };

    internal static string ScaleName(string tensor) => tensor + ScaleSuffix;

    /// <summary>bfloat16 bits of <paramref name="value"/>, rounded to nearest even (NaN stays NaN).</summary>
    internal static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    /// <summary>
    /// Quantizes one output channel symmetrically: <c>q = round(w / scale)</c> with <c>scale = max|w| / 127</c>, so
    /// <c>|w − q·scale| ≤ scale / 2</c>. Returns the scale (0 for a channel of zeros, whose codes are then all 0).
    /// </summary>
    internal static float QuantizeInt8(ReadOnlySpan<float> channel, Span<sbyte> codes)
    {
        float largest = 0;
        foreach (float w in channel)
        {
            largest = MathF.Max(largest, MathF.Abs(w));
        }

        float scale = largest / 127;
        for (int i = 0; i < channel.Length; i++)
        {
            codes[i] = scale == 0 ? (sbyte)0 : (sbyte)Math.Clamp(MathF.Round(channel[i] / scale, MidpointRounding.ToEven), -127, 127);
        }

        return scale;
    }

    private static void CheckPrecision(WeightPrecision precision)
    {
        if (!Enum.IsDefined(precision))
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Not a WeightPrecision value.");
        }
    }

    /// <summary>One tensor as it goes into a file: its name, dtype, shape and little-endian bytes.</summary>
    private sealed record Stored(string Name, string DType, IReadOnlyList<int> Shape, byte[] Data);

    private static Stored[] StoredTensors(INetwork network, WeightPrecision precision)
    {
        var stored = new List<Stored>();
        ReadOnlySpan<float> parameters = network.ParameterValues;
        foreach (ParameterTensor tensor in network.ParameterTensors)
        {
            ReadOnlySpan<float> values = parameters.Slice(tensor.Offset, tensor.Length);
            if (precision == WeightPrecision.Float32 || !IsWeightMatrix(tensor))
            {
                stored.Add(new Stored(tensor.Name, "F32", tensor.Shape, Float32Bytes(values)));
                continue;
            }

            foreach (float w in values)
            {
                if (!float.IsFinite(w) || (precision == WeightPrecision.Half && MathF.Abs(w) > (float)System.Half.MaxValue))
                {
                    throw new InvalidDataException($"{network.GetType().Name}: tensor '{tensor.Name}' holds {w}, which {precision} weights cannot store{(float.IsFinite(w) ? $" (at most ±{(float)System.Half.MaxValue})" : "")}.");
                }
            }

            stored.AddRange(Encode(tensor, values, precision));
        }

        foreach (ParameterTensor tensor in network.BufferTensors)
        {
            stored.Add(new Stored(tensor.Name, "F32", tensor.Shape, Float32Bytes(network.Buffers.Slice(tensor.Offset, tensor.Length))));
        }

        return [.. stored];
    }

    private static IEnumerable<Stored> Encode(ParameterTensor tensor, ReadOnlySpan<float> values, WeightPrecision precision)
    {
        if (precision == WeightPrecision.Int8)
        {
            int channels = tensor.Shape[0];
            int perChannel = channels == 0 ? 0 : tensor.Length / channels;
            byte[] codes = new byte[tensor.Length];
            float[] scales = new float[channels];
            for (int c = 0; c < channels; c++)
            {
                scales[c] = QuantizeInt8(values.Slice(c * perChannel, perChannel), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(codes.AsSpan(c * perChannel, perChannel)));
            }

            return [new Stored(tensor.Name, "I8", tensor.Shape, codes), new Stored(ScaleName(tensor.Name), "F32", [channels], Float32Bytes(scales))];
        }

        byte[] data = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            ushort bits = precision == WeightPrecision.BFloat16 ? ToBFloat16(values[i]) : BitConverter.HalfToUInt16Bits((Half)values[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2 * i), bits);
        }

        return [new Stored(tensor.Name, DType(precision), tensor.Shape, data)];
    }

    private static byte[] Float32Bytes(ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray();
        }

        byte[] data = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), values[i]);
        }

        return data;
    }

    /// <summary>
    /// True when <paramref name="name"/> is an I8 tensor's companion in the same file: its name followed by
    /// <paramref name="suffix"/> (<see cref="ScaleSuffix"/>, or <see cref="InputQuantizationSuffix"/> for its calibrated
    /// input quantization).
    /// </summary>
    private static bool AccompaniesInt8(string name, string suffix, Dictionary<string, Entry> entries) =>
        name.EndsWith(suffix, StringComparison.Ordinal) &&
        entries.TryGetValue(name.Substring(0, name.Length - suffix.Length), out Entry quantized) && quantized.DType == "I8";

    /// <summary>
    /// An I8 tensor needs an F32 scale per output channel, and is only read for weight matrices; its calibrated input
    /// quantization, when present, is F32 [2] and belongs to a Dense weight [outputs, inputs].
    /// </summary>
    private static void CheckInt8(ParameterTensor tensor, Dictionary<string, Entry> entries, Func<string, InvalidDataException> fail)
    {
        if (tensor.Shape.Count == 0)
        {
            throw fail($"tensor '{tensor.Name}' is I8 but a scalar; GenNet reads I8 only for weight tensors with output channels.");
        }

        string scaleName = ScaleName(tensor.Name);
        if (!entries.TryGetValue(scaleName, out Entry scale))
        {
            throw fail($"tensor '{tensor.Name}' is I8 but its scales, tensor '{scaleName}' (F32, shape [{tensor.Shape[0]}]), are missing.");
        }

        if (scale.DType != "F32" || scale.Shape is not [int channels] || channels != tensor.Shape[0])
        {
            throw fail($"tensor '{scaleName}' is {scale.DType} [{string.Join(", ", scale.Shape)}]; the scales of '{tensor.Name}' must be F32 [{tensor.Shape[0]}].");
        }

        string quantizationName = InputQuantizationName(tensor.Name);
        if (entries.TryGetValue(quantizationName, out Entry quantization) &&
            (quantization.DType != "F32" || quantization.Shape is not [2] || tensor.Shape.Count != 2))
        {
            throw fail($"tensor '{quantizationName}' is {quantization.DType} [{string.Join(", ", quantization.Shape)}]; the input quantization of Dense weight '{tensor.Name}' (of rank {tensor.Shape.Count}) must be F32 [2] and belongs only to a weight of rank 2.");
        }
    }

    /// <summary><c>destination[c, i] = codes[c, i] · scales[c]</c>.</summary>
    private static void DecodeInt8(ReadOnlySpan<byte> codes, ReadOnlySpan<byte> scales, Span<float> destination)
    {
        int channels = scales.Length / 4;
        int perChannel = channels == 0 ? 0 : destination.Length / channels;
        for (int c = 0; c < channels; c++)
        {
            float scale = BinaryPrimitives.ReadSingleLittleEndian(scales.Slice(4 * c));
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++)
            {
                destination[i] = (sbyte)codes[i] * scale;
            }
        }
    }
}
