using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace GenNet;

/// <summary>
/// Weights compiled into an assembly as a safetensors resource (see <c>[Network(Weights = …)]</c>). Read once per
/// process. When the platform maps the resource in memory (it does for IL and NativeAOT assemblies) and the file's
/// data section is laid out as the parameter arena (as GenNet writes it), <see cref="Values"/> points straight into
/// the assembly image: no copy. Otherwise the tensors are decoded once into an array. Buffers (<see cref="INetwork.Buffers"/>)
/// are always decoded: every network changes its own copy in training steps.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed unsafe class EmbeddedWeights
{
    private readonly float* _mapped; // into the assembly image, which stays mapped while the assembly is loaded
    private readonly Assembly? _assembly; // holds a collectible assembly (and so the mapping) alive as long as this
    private readonly float[]? _decoded;
    private readonly float[] _buffers;
    private readonly int _count;
    private readonly StoredTensor[] _stored;
    private readonly byte[]? _pinnedCopy; // the copy that _stored points into, when the resource is not mapped
    private readonly bool[] _finiteChecked; // per stored F16 tensor: its values have been checked for infinities and NaNs
    private readonly Array?[] _channelsLast; // per stored convolution weight: its codes reordered to [filters, kh, kw, channels], once
    private readonly int[] _offsets; // per parameter tensor: where it starts in the arena
    private readonly int[] _lengths; // and how many values it holds
    private readonly Array?[] _panels; // per Dense weight: its values (float or stored 16-bit) packed into panels of 16 outputs, once
    private readonly Kernels.QuantizedDenseWeights?[] _quantizedDense; // per I8 Dense weight with calibrated inputs: packed once

    private EmbeddedWeights(
        Assembly? assembly, float* mapped, float[]? decoded, int count, float[] buffers, IReadOnlyList<ParameterTensor> tensors, StoredTensor[]? stored = null, byte[]? pinnedCopy = null)
    {
        _offsets = new int[tensors.Count];
        _lengths = new int[tensors.Count];
        for (int i = 0; i < _offsets.Length; i++)
        {
            _offsets[i] = tensors[i].Offset;
            _lengths[i] = tensors[i].Length;
        }

        _panels = new Array?[tensors.Count];
        _stored = stored ?? [];
        _finiteChecked = new bool[_stored.Length];
        _channelsLast = new Array?[_stored.Length];
        _quantizedDense = new Kernels.QuantizedDenseWeights?[_stored.Length];
        _pinnedCopy = pinnedCopy;
        _assembly = assembly;
        _mapped = mapped;
        _decoded = decoded;
        _count = count;
        _buffers = buffers;
    }

    // A parameter tensor's bytes as stored in the file (for the reduced-precision kernels), and an I8 tensor's scales.
    private readonly record struct StoredTensor(string Name, string DType, nint Data, int Length, float[]? Scales, float[]? InputQuantization);

    /// <summary>The parameters, in the arena's layout.</summary>
    public ReadOnlySpan<float> Values => _mapped is not null ? new ReadOnlySpan<float>(_mapped, _count) : _decoded;

    /// <summary>The buffers (state saved but not trained), in their arena's layout; always decoded, as each network copies them.</summary>
    public ReadOnlySpan<float> Buffers => _buffers;

    /// <summary>True when <see cref="Values"/> reads the assembly image directly.</summary>
    public bool IsMapped => _mapped is not null && _assembly is not null;

    /// <summary>Opens and validates resource <paramref name="resourceName"/> of <paramref name="assembly"/>.</summary>
    /// <exception cref="InvalidDataException">The resource is missing, or is not a safetensors file matching <paramref name="tensors"/> and <paramref name="bufferTensors"/>.</exception>
    public static EmbeddedWeights Open(
        Assembly assembly, string resourceName, IReadOnlyList<ParameterTensor> tensors, int parameterCount,
        IReadOnlyList<ParameterTensor>? bufferTensors = null, int bufferCount = 0)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(resourceName);
        ArgumentNullException.ThrowIfNull(tensors);
        bufferTensors ??= [];
        string name = $"{resourceName} (embedded in {assembly.GetName().Name})";
        using Stream stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidDataException($"{name}: no such resource. List the weights file in the project as <GenNetWeights Include=\"…\" />.");
        string network = tensors.Count + bufferTensors.Count > 0 ? "this network" : "an empty network";
        ParameterTensor[] all = [.. tensors, .. bufferTensors];
        if (stream is UnmanagedMemoryStream image && image.Length <= int.MaxValue)
        {
            byte* start = image.PositionPointer;
            var content = new ReadOnlySpan<byte>(start, (int)image.Length);
            SafeTensors.Layout layout = SafeTensors.Validate(content, all, name, network);
            float[] buffers = Decoded(content, layout, bufferTensors, bufferCount);
            byte* data = start + layout.DataStart;
            if (BitConverter.IsLittleEndian && (nuint)data % sizeof(float) == 0 && layout.IsArena(tensors))
            {
                return new EmbeddedWeights(assembly, (float*)data, null, parameterCount, buffers, tensors);
            }

            return new EmbeddedWeights(assembly, null, Decoded(content, layout, tensors, parameterCount), parameterCount, buffers, tensors, Stored(start, content, layout, tensors));
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        byte[] pinned = GC.AllocateUninitializedArray<byte>((int)copy.Length, pinned: true); // the stored tensors point into it
        copy.GetBuffer().AsSpan(0, pinned.Length).CopyTo(pinned);
        SafeTensors.Layout copied = SafeTensors.Validate(pinned, all, name, network);
        return new EmbeddedWeights(null, null, Decoded(pinned, copied, tensors, parameterCount), parameterCount, Decoded(pinned, copied, bufferTensors, bufferCount), tensors,
            Stored((byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned)), pinned, copied, tensors), pinned);
    }


    /// <summary>The stored bits of parameter tensor <paramref name="tensor"/> (an index into the network's tensors) in bfloat16.</summary>
    /// <exception cref="InvalidDataException">The tensor is not stored as BF16.</exception>
    public ReadOnlySpan<ushort> BFloat16(int tensor) => Stored<ushort>(tensor, "BF16");

    /// <summary>The stored bits of parameter tensor <paramref name="tensor"/> in IEEE half precision; every value is finite.</summary>
    /// <exception cref="InvalidDataException">The tensor is not stored as F16, or holds an infinity or NaN.</exception>
    public ReadOnlySpan<ushort> Half(int tensor)
    {
        ReadOnlySpan<ushort> bits = Stored<ushort>(tensor, "F16");
        if (!_finiteChecked[tensor])
        {
            foreach (ushort h in bits)
            {
                if ((h & 0x7C00) == 0x7C00)
                {
                    throw new InvalidDataException($"compiled-in tensor '{_stored[tensor].Name}' holds an F16 infinity or NaN; 16-bit weights must be finite.");
                }
            }

            _finiteChecked[tensor] = true; // the image does not change; one pass per tensor and process (a race only repeats it)
        }

        return bits;
    }

    /// <summary>The int8 codes of parameter tensor <paramref name="tensor"/>, [outputs, …].</summary>
    /// <exception cref="InvalidDataException">The tensor is not stored as I8.</exception>
    public ReadOnlySpan<sbyte> Int8(int tensor) => Stored<sbyte>(tensor, "I8");

    /// <summary>The per-output-channel scales of I8 parameter tensor <paramref name="tensor"/>.</summary>
    /// <exception cref="InvalidDataException">The tensor is not stored as I8.</exception>
    public ReadOnlySpan<float> Int8Scales(int tensor)
    {
        Stored<sbyte>(tensor, "I8");
        return _stored[tensor].Scales;
    }

    /// <summary>
    /// Dense weight <paramref name="tensor"/> [<paramref name="outputs"/>, <paramref name="inputs"/>] stored as I8 with its
    /// calibrated input quantization (<c>NAME_input_quant</c>), packed for
    /// <see cref="Kernels.Dense.ForwardQuantized(ReadOnlySpan{float}, Kernels.QuantizedDenseWeights, ReadOnlySpan{float}, Span{float}, int)"/>
    /// on first use, once per process.
    /// </summary>
    /// <exception cref="InvalidDataException">The tensor is not stored as I8, has no input quantization, or its scale is not positive and finite or its zero point not an integer in 0…255.</exception>
    /// <exception cref="ArgumentException">The tensor's length is not <paramref name="inputs"/> × <paramref name="outputs"/>.</exception>
    public Kernels.QuantizedDenseWeights QuantizedDense(int tensor, int inputs, int outputs)
    {
        if ((uint)tensor < (uint)_quantizedDense.Length && Volatile.Read(ref _quantizedDense[tensor]) is { } packed)
        {
            return packed;
        }

        ReadOnlySpan<sbyte> codes = Int8(tensor); // refuses a tensor that is not I8
        StoredTensor stored = _stored[tensor];
        if (stored.InputQuantization is not [float scale, float zeroPoint])
        {
            throw new InvalidDataException($"compiled-in tensor '{stored.Name}' has no calibrated input quantization '{SafeTensors.InputQuantizationName(stored.Name)}': the embedded weights differ from the file the network was compiled against.");
        }

        if (!(scale > 0) || !float.IsFinite(scale) || zeroPoint is < 0 or > 255 || zeroPoint != MathF.Round(zeroPoint))
        {
            throw new InvalidDataException($"compiled-in tensor '{SafeTensors.InputQuantizationName(stored.Name)}' holds scale {scale} and zero point {zeroPoint}; the scale must be positive and finite, the zero point an integer in 0…255.");
        }

        var built = new Kernels.QuantizedDenseWeights(codes, stored.Scales, scale, (int)zeroPoint, inputs, outputs);
        GC.KeepAlive(_pinnedCopy);
        // Published complete; a thread that raced here packed the same codes and takes the first copy.
        return Interlocked.CompareExchange(ref _quantizedDense[tensor], built, null) ?? built;
    }

    /// <summary>
    /// The bfloat16 bits of convolution weight <paramref name="tensor"/> [filters, channels, kh, kw] reordered to [filters,
    /// kh, kw, channels], the order of its channels-last columns; reordered on first use, once per process.
    /// </summary>
    /// <exception cref="InvalidDataException">The tensor is not stored as BF16.</exception>
    /// <exception cref="ArgumentException">The tensor's length is not a multiple of channels × kernelHeight × kernelWidth.</exception>
    public ReadOnlySpan<ushort> BFloat16ChannelsLast(int tensor, int channels, int kernelHeight, int kernelWidth) =>
        ChannelsLast(BFloat16(tensor), tensor, channels, kernelHeight, kernelWidth);

    /// <summary>The half bits of convolution weight <paramref name="tensor"/> reordered as <see cref="BFloat16ChannelsLast"/> does.</summary>
    /// <exception cref="InvalidDataException">The tensor is not stored as F16, or holds an infinity or NaN.</exception>
    /// <exception cref="ArgumentException">The tensor's length is not a multiple of channels × kernelHeight × kernelWidth.</exception>
    public ReadOnlySpan<ushort> HalfChannelsLast(int tensor, int channels, int kernelHeight, int kernelWidth) =>
        ChannelsLast(Half(tensor), tensor, channels, kernelHeight, kernelWidth);

    /// <summary>
    /// The int8 codes of convolution weight <paramref name="tensor"/> reordered as <see cref="BFloat16ChannelsLast"/> does;
    /// its scales (<see cref="Int8Scales"/>, one per filter) apply unchanged.
    /// </summary>
    /// <exception cref="InvalidDataException">The tensor is not stored as I8.</exception>
    /// <exception cref="ArgumentException">The tensor's length is not a multiple of channels × kernelHeight × kernelWidth.</exception>
    public ReadOnlySpan<sbyte> Int8ChannelsLast(int tensor, int channels, int kernelHeight, int kernelWidth) =>
        ChannelsLast(Int8(tensor), tensor, channels, kernelHeight, kernelWidth);

    /// <summary>
    /// Dense weight <paramref name="tensor"/> [<paramref name="outputs"/>, <paramref name="inputs"/>] as floats, packed into
    /// panels of 16 outputs (<see cref="Kernels.Dense.PackPanels"/>) on first use, once per process: what
    /// <see cref="Kernels.Dense.ForwardPanels"/> streams for one sample.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor does not hold <paramref name="outputs"/> × <paramref name="inputs"/> values.</exception>
    public ReadOnlySpan<float> DensePanels(int tensor, int inputs, int outputs) =>
        Panels(tensor, inputs, outputs, static (weights, tensor) => weights.Values.Slice(weights._offsets[tensor], weights._lengths[tensor]));

    /// <summary>
    /// The bfloat16 bits of Dense weight <paramref name="tensor"/> packed into panels of 32 outputs (<see cref="Kernels.Dense.PackBFloat16Panels"/>)
    /// on first use, once per process: what one sample streams on machines with 512-bit vectors.
    /// </summary>
    /// <exception cref="InvalidDataException">The tensor is not stored as BF16.</exception>
    /// <exception cref="ArgumentException">The tensor does not hold <paramref name="outputs"/> × <paramref name="inputs"/> values.</exception>
    public ReadOnlySpan<ushort> BFloat16Panels(int tensor, int inputs, int outputs) =>
        Panels(tensor, inputs, outputs, static (weights, tensor) => weights.BFloat16(tensor));

    private delegate ReadOnlySpan<T> WeightSource<T>(EmbeddedWeights weights, int tensor);

    private ReadOnlySpan<T> Panels<T>(int tensor, int inputs, int outputs, WeightSource<T> source)
        where T : unmanaged
    {
        if ((uint)tensor >= (uint)_panels.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(tensor), $"parameter tensor {tensor} does not exist; the network has {_panels.Length}.");
        }

        if (inputs <= 0 || outputs <= 0 || _lengths[tensor] != (long)inputs * outputs)
        {
            throw new ArgumentException($"compiled-in parameter tensor {tensor} holds {_lengths[tensor]} weights, not {outputs} × {inputs}.");
        }

        if (Volatile.Read(ref _panels[tensor]) is T[] packed)
        {
            return packed;
        }

        ReadOnlySpan<T> weight = source(this, tensor);

        T[] panels;
        if (typeof(T) == typeof(ushort))
        {
            var pairs = new ushort[Kernels.Dense.PairPanelLength(inputs, outputs)];
            Kernels.Dense.PackBFloat16Panels(MemoryMarshal.Cast<T, ushort>(weight), pairs, inputs, outputs);

            panels = (T[])(object)pairs;
        }
        else
        {
            panels = new T[Kernels.Dense.PanelLength(inputs, outputs)];
            Kernels.Dense.PackPanels(weight, panels, inputs, outputs);
        }

        GC.KeepAlive(_pinnedCopy);
        // Published complete; a thread that raced here packed the same weights and takes the first copy.
        return (T[])(Interlocked.CompareExchange(ref _panels[tensor], panels, null) ?? panels);
    }

    private ReadOnlySpan<T> ChannelsLast<T>(ReadOnlySpan<T> stored, int tensor, int channels, int kernelHeight, int kernelWidth)
        where T : unmanaged
    {
        if (Volatile.Read(ref _channelsLast[tensor]) is T[] reordered)
        {
            return reordered;
        }

        long patch = (long)channels * kernelHeight * kernelWidth;
        if (channels <= 0 || kernelHeight <= 0 || kernelWidth <= 0 || stored.Length % patch != 0)
        {
            throw new ArgumentException($"compiled-in tensor '{_stored[tensor].Name}' holds {stored.Length} weights, not a whole number of {channels} × {kernelHeight} × {kernelWidth} kernels.");
        }

        var kernel = new T[stored.Length];
        Kernels.Conv.ToChannelsLastCodes(stored, kernel, (int)(stored.Length / patch), channels, kernelHeight, kernelWidth);
        // Published complete; a thread that raced here reordered the same codes and takes the first copy.
        return (T[])(Interlocked.CompareExchange(ref _channelsLast[tensor], kernel, null) ?? kernel);
    }

    private ReadOnlySpan<T> Stored<T>(int tensor, string dtype)
        where T : unmanaged
    {
        if ((uint)tensor >= (uint)_stored.Length || _stored[tensor].DType != dtype)
        {
            string actual = (uint)tensor < (uint)_stored.Length ? _stored[tensor].DType : "F32";
            throw new InvalidDataException($"compiled-in parameter tensor {tensor} is stored as {actual}, not {dtype}: the embedded weights differ from the file the network was compiled against.");
        }

        var span = new ReadOnlySpan<T>((void*)_stored[tensor].Data, _stored[tensor].Length);
        GC.KeepAlive(_pinnedCopy); // this object, and so the pinned copy, outlives the span's use in the caller
        return span;
    }

    private static StoredTensor[] Stored(byte* start, ReadOnlySpan<byte> content, SafeTensors.Layout layout, IReadOnlyList<ParameterTensor> tensors)
    {
        var stored = new StoredTensor[tensors.Count];
        for (int i = 0; i < stored.Length; i++)
        {
            SafeTensors.Entry entry = layout.Entries[tensors[i].Name];
            float[]? scales = null, inputQuantization = null;
            if (entry.DType == "I8")
            {
                SafeTensors.Entry scale = layout.Entries[SafeTensors.ScaleName(tensors[i].Name)];
                scales = Floats(content, layout, scale);
                if (layout.Entries.TryGetValue(SafeTensors.InputQuantizationName(tensors[i].Name), out SafeTensors.Entry quantization))
                {
                    inputQuantization = Floats(content, layout, quantization);
                }
            }

            stored[i] = new StoredTensor(tensors[i].Name, entry.DType, (nint)(start + layout.DataStart + entry.Begin), tensors[i].Length, scales, inputQuantization);
        }

        return stored;
    }

    // An F32 tensor of the file as a float array of its own.
    private static float[] Floats(ReadOnlySpan<byte> content, SafeTensors.Layout layout, SafeTensors.Entry entry) =>
        MemoryMarshal.Cast<byte, float>(content.Slice(layout.DataStart + (int)entry.Begin, (int)(entry.End - entry.Begin))).ToArray();

    private static float[] Decoded(ReadOnlySpan<byte> content, SafeTensors.Layout layout, IReadOnlyList<ParameterTensor> tensors, int count)
    {
        var values = new float[count];
        SafeTensors.Decode(content, layout, tensors, values);
        return values;
    }
}
