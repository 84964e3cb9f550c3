using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace GenNet;

// Post-training quantization of the activations: the float network runs on calibration samples while the Dense product
// records the range of each Dense layer's input; the file then carries, beside each I8 Dense weight and its scales, the
// input's 8-bit quantization, and a network compiled with it multiplies bytes by int8 codes in int32.
public static partial class SafeTensors
{
    /// <summary>The suffix of the F32 [2] tensor (input scale, input zero point) that accompanies an I8 Dense weight with calibrated 8-bit inputs.</summary>
    internal const string InputQuantizationSuffix = "_input_quant";

    internal static string InputQuantizationName(string tensor) => tensor + InputQuantizationSuffix;

    /// <summary>
    /// Writes the network to <paramref name="path"/> with int8 weights, as <see cref="Save(INetwork, string, WeightPrecision)"/>
    /// does, and with each Dense layer's input quantized to 8 bits as calibrated on <paramref name="calibrationInputs"/>:
    /// the float network runs on those samples (training samples, a few hundred to a few thousand, [samples, InputSize]
    /// row-major) and each Dense layer's input range over them sets its quantization. A network compiled from the file with
    /// <c>[Network(Training = false, Weights = …, WeightPrecision = WeightPrecision.Int8)]</c> then runs those layers as
    /// integer products (8-bit inputs × int8 weights summed in int32; AVX-VNNI where the machine has it).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each input range [min, max] is widened to include 0; an input that is never negative (pixels, a ReLU's output) gets
    /// zero point 0 and scale <c>max / 255</c>, any other scale <c>(max − min) / 255</c> and the zero point that stands for
    /// 0. They are written as the F32 tensor <c>NAME_input_quant</c> of shape [2] (scale, zero point) beside the Dense weight
    /// <c>NAME</c>'s codes and scales. Inputs beyond the calibrated range are clamped to it when the network runs.
    /// </para>
    /// <para>
    /// Convolution weights are stored in int8 with float activations (weight-only, as without calibration), and so is a
    /// Dense layer that the calibration run did not reach through its own weights (one with a normalisation folded in).
    /// Loading the file into a float network with <see cref="Load(INetwork, string)"/> ignores the activation quantization.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="precision"/> is not <see cref="WeightPrecision.Int8"/>; or
    /// <paramref name="calibrationInputs"/> is empty, not a whole number of samples, or holds a NaN or infinity.</exception>
    /// <exception cref="InvalidDataException">A weight is NaN or infinite, or a layer's input became NaN or infinite on a calibration sample.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Save(this INetwork network, string path, WeightPrecision precision, ReadOnlySpan<float> calibrationInputs)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        Stored[] stored = CalibratedTensors(network, precision, calibrationInputs); // before touching the file system
        AtomicFile.Write(path, stream => Write(network, stream, precision, stored), null);
    }

    /// <summary><see cref="Save(INetwork, string, WeightPrecision, ReadOnlySpan{float})"/> to a stream.</summary>
    /// <exception cref="ArgumentException"><paramref name="precision"/> is not <see cref="WeightPrecision.Int8"/>, or the calibration inputs are unusable.</exception>
    /// <exception cref="InvalidDataException">A weight or a layer's input on a calibration sample is NaN or infinite.</exception>
    public static void Save(this INetwork network, Stream stream, WeightPrecision precision, ReadOnlySpan<float> calibrationInputs)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        Write(network, stream, precision, CalibratedTensors(network, precision, calibrationInputs));
    }

    /// <summary>
    /// The input quantization (scale, zero point) of a range: widened to include 0, zero point 0 when nothing is negative,
    /// scale 1 for a range of only 0.
    /// </summary>
    internal static (float Scale, int ZeroPoint) InputQuantization(float min, float max)
    {
        min = MathF.Min(min, 0);
        max = MathF.Max(max, 0);
        if (max - min == 0)
        {
            return (1f, 0);
        }

        float scale = (max - min) / 255;
        return min == 0 ? (scale, 0) : (scale, (int)Math.Clamp(MathF.Round(-min / scale, MidpointRounding.ToEven), 0, 255));
    }

    private static Stored[] CalibratedTensors(INetwork network, WeightPrecision precision, ReadOnlySpan<float> calibrationInputs)
    {
        CheckPrecision(precision);
        if (precision != WeightPrecision.Int8)
        {
            throw new ArgumentException($"Calibrated 8-bit activations need WeightPrecision.Int8, not {precision}; save {precision} weights without calibration inputs.", nameof(precision));
        }

        int size = network.InputSize;
        if (calibrationInputs.IsEmpty || size == 0 || calibrationInputs.Length % size != 0)
        {
            throw new ArgumentException($"The calibration inputs hold {calibrationInputs.Length} floats; {network.GetType().Name} needs a positive whole number of samples of {size}.", nameof(calibrationInputs));
        }

        for (int i = 0; i < calibrationInputs.Length; i++)
        {
            if (!float.IsFinite(calibrationInputs[i]))
            {
                throw new ArgumentException($"Calibration sample {i / size} holds {calibrationInputs[i]} at position {i % size}; calibration needs finite inputs.", nameof(calibrationInputs));
            }
        }

        Stored[] weights = StoredTensors(network, precision); // refuses unrepresentable weights first
        Dictionary<string, (float Min, float Max)> ranges = Calibrate(network, calibrationInputs);
        var stored = new List<Stored>(weights.Length + ranges.Count);
        foreach (Stored tensor in weights)
        {
            stored.Add(tensor);
            if (tensor.Name.EndsWith(ScaleSuffix, StringComparison.Ordinal) &&
                tensor.Name[..^ScaleSuffix.Length] is string name && ranges.TryGetValue(name, out (float Min, float Max) range))
            {
                (float scale, int zeroPoint) = InputQuantization(range.Min, range.Max);
                stored.Add(new Stored(InputQuantizationName(name), "F32", [2], Float32Bytes([scale, zeroPoint])));
            }
        }

        return [.. stored];
    }

    private static readonly Lock s_calibrating = new();

    /// <summary>Runs the float network on the samples and returns each Dense weight's input range (by tensor name).</summary>
    private static unsafe Dictionary<string, (float Min, float Max)> Calibrate(INetwork network, ReadOnlySpan<float> inputs)
    {
        int size = network.InputSize, samples = inputs.Length / size;
        const int Batch = 256;
        var outputs = new float[Math.Min(samples, Batch) * network.OutputSize];
        Span<float> parameters = NetworkBase.ParameterArenaOf(network); // an inference-only network's float arena from here on
        Dictionary<string, (float Min, float Max)> ranges;
        lock (s_calibrating)
        {
            fixed (float* arena = parameters)
            {
                var recorder = new Calibration(arena, parameters.Length, network.ParameterTensors.Where(t => IsWeightMatrix(t) && t.Shape.Count == 2));
                Calibration.Active = recorder;
                try
                {
                    for (int first = 0; first < samples; first += Batch)
                    {
                        int count = Math.Min(Batch, samples - first);
                        network.Forward(inputs.Slice(first * size, count * size), outputs.AsSpan(0, count * network.OutputSize), count);
                    }
                }
                finally
                {
                    Calibration.Active = null;
                }

                ranges = recorder.Ranges(network.GetType().Name);
            }
        }

        return ranges;
    }
}

/// <summary>
/// The calibration run's recorder: while one is active, <see cref="Kernels.Dense.Forward"/> reports each product's input
/// here, and a product whose weight span starts at a Dense weight tensor of the calibrated network (its arena pinned
/// for the run) widens that tensor's input range.
/// </summary>
internal sealed unsafe class Calibration
{
    private readonly float* _arena;
    private readonly int _length;
    private readonly Dictionary<int, ParameterTensor> _byOffset;
    private readonly Dictionary<string, (float Min, float Max)> _ranges = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private string? _notFinite;

    public Calibration(float* arena, int length, IEnumerable<ParameterTensor> denseWeights)
    {
        _arena = arena;
        _length = length;
        _byOffset = denseWeights.ToDictionary(t => t.Offset);
    }

    /// <summary>The recorder of the calibration under way, or null (almost always).</summary>
    public static Calibration? Active { get; set; }

    /// <summary>Widens the input range of the Dense weight that <paramref name="weight"/> is, if it is one.</summary>
    public void Observe(ReadOnlySpan<float> x, ReadOnlySpan<float> weight)
    {
        nint offset = ((nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(weight)) - (nint)_arena) / sizeof(float);
        if (offset < 0 || offset >= _length || !_byOffset.TryGetValue((int)offset, out ParameterTensor? tensor) || weight.Length != tensor.Length)
        {
            return;
        }

        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        bool finite = true;
        foreach (float v in x)
        {
            finite &= float.IsFinite(v);
            min = MathF.Min(min, v);
            max = MathF.Max(max, v);
        }

        lock (_lock)
        {
            if (!finite)
            {
                _notFinite ??= tensor.Name;
            }

            _ranges[tensor.Name] = _ranges.TryGetValue(tensor.Name, out (float Min, float Max) seen)
                ? (MathF.Min(seen.Min, min), MathF.Max(seen.Max, max))
                : (min, max);
        }
    }

    /// <summary>The ranges recorded.</summary>
    /// <exception cref="InvalidDataException">A layer's input was NaN or infinite.</exception>
    public Dictionary<string, (float Min, float Max)> Ranges(string network) =>
        _notFinite is { } name
            ? throw new InvalidDataException($"{network}: the input of the layer with weight '{name}' was NaN or infinite on a calibration sample; the float network overflows on these inputs.")
            : _ranges;
}
