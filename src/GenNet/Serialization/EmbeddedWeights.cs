using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Reflection;

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

    private EmbeddedWeights(Assembly? assembly, float* mapped, float[]? decoded, int count, float[] buffers)
    {
        _assembly = assembly;
        _mapped = mapped;
        _decoded = decoded;
        _count = count;
        _buffers = buffers;
    }

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
                return new EmbeddedWeights(assembly, (float*)data, null, parameterCount, buffers);
            }

            return new EmbeddedWeights(null, null, Decoded(content, layout, tensors, parameterCount), parameterCount, buffers);
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        ReadOnlySpan<byte> bytes = copy.GetBuffer().AsSpan(0, (int)copy.Length);
        SafeTensors.Layout copied = SafeTensors.Validate(bytes, all, name, network);
        return new EmbeddedWeights(null, null, Decoded(bytes, copied, tensors, parameterCount), parameterCount, Decoded(bytes, copied, bufferTensors, bufferCount));
    }

    private static float[] Decoded(ReadOnlySpan<byte> content, SafeTensors.Layout layout, IReadOnlyList<ParameterTensor> tensors, int count)
    {
        var values = new float[count];
        SafeTensors.Decode(content, layout, tensors, values);
        return values;
    }
}
