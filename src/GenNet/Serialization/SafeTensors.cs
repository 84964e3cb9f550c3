using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace GenNet;

/// <summary>
/// Weight files in the safetensors format that PyTorch and Hugging Face users exchange: an 8-byte little-endian
/// header length, a JSON header giving each tensor's dtype, shape and byte range, then the raw little-endian data.
/// GenNet writes F32 with PyTorch's tensor names (<c>dense_0.weight</c> [out, in]), the parameters then the buffers (a
/// state_dict's running statistics), and reads F32, F16, BF16 and I64 (PyTorch's <c>num_batches_tracked</c> counter).
/// </summary>
public static class SafeTensors
{
    /// <summary>The largest header GenNet reads (the reference implementation's limit).</summary>
    public const int MaxHeaderLength = 100_000_000;

    /// <summary>
    /// Writes the network's parameters and buffers to <paramref name="path"/>. The file is written beside the target under a
    /// temporary name and then renamed over it, so a crash mid-save leaves any previous file intact.
    /// </summary>
    public static void Save(this INetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Save(network, file);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Writes the network's parameters and buffers to <paramref name="stream"/> in safetensors format.</summary>
    public static void Save(this INetwork network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            writer.WriteString("format", "pt");
            writer.WriteString("producer", "GenNet");
            writer.WriteString("network", network.GetType().FullName);
            writer.WriteEndObject();
            long offset = 0;
            foreach (ParameterTensor tensor in network.ParameterTensors.Concat(network.BufferTensors))
            {
                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (int dimension in tensor.Shape)
                {
                    writer.WriteNumberValue(dimension);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset += 4L * tensor.Length);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        while (json.Length % 8 != 0)
        {
            json.WriteByte((byte)' '); // the format pads the header with spaces to an 8-byte boundary
        }

        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        stream.Write(length);
        stream.Write(json.GetBuffer().AsSpan(0, (int)json.Length));
        WriteData(stream, network.ParameterTensors, network.Parameters);
        WriteData(stream, network.BufferTensors, network.Buffers);
    }

    private static void WriteData(Stream stream, IReadOnlyList<ParameterTensor> tensors, ReadOnlySpan<float> arena)
    {
        foreach (ParameterTensor tensor in tensors)
        {
            ReadOnlySpan<float> values = arena.Slice(tensor.Offset, tensor.Length);
            if (BitConverter.IsLittleEndian)
            {
                stream.Write(MemoryMarshal.AsBytes(values));
            }
            else
            {
                byte[] buffer = new byte[4];
                foreach (float value in values)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
                    stream.Write(buffer);
                }
            }
        }
    }

    /// <summary>
    /// Reads parameters and buffers saved by GenNet or PyTorch (a state_dict of the same architecture) into the network.
    /// Everything is checked before any value changes: a bad file leaves the network as it was.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors or does not fit the network; the message names the file and the tensor.</exception>
    public static void Load(this INetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        Load(network, File.ReadAllBytes(path), path);
    }

    /// <summary>Reads parameters and buffers from a safetensors stream; <paramref name="name"/> is used in error messages.</summary>
    public static void Load(this INetwork network, Stream stream, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = stream.CanSeek ? new MemoryStream(checked((int)(stream.Length - stream.Position))) : new MemoryStream();
        stream.CopyTo(copy);
        Load(network, copy.GetBuffer().AsSpan(0, (int)copy.Length), name);
    }

    private static void Load(INetwork network, ReadOnlySpan<byte> content, string name)
    {
        Layout layout = Validate(content, [.. network.ParameterTensors, .. network.BufferTensors], name, network.GetType().Name);
        float[] parameters = new float[network.ParameterCount];
        float[] buffers = new float[network.Buffers.Length];
        Decode(content, layout, network.ParameterTensors, parameters);
        Decode(content, layout, network.BufferTensors, buffers);
        parameters.CopyTo(network.Parameters);
        buffers.CopyTo(network.Buffers);
    }

    /// <summary>Where each expected tensor lies in a validated file.</summary>
    internal sealed class Layout(Dictionary<string, Entry> entries, int dataStart)
    {
        public Dictionary<string, Entry> Entries { get; } = entries;

        public int DataStart { get; } = dataStart;

        /// <summary>True when the data section is the parameter arena itself: all F32, in arena order, at arena offsets.</summary>
        public bool IsArena(IReadOnlyList<ParameterTensor> tensors) =>
            tensors.All(t => Entries[t.Name] is { DType: "F32" } e && e.Begin == 4L * t.Offset && e.End == 4L * (t.Offset + t.Length));
    }

    internal readonly record struct Entry(string DType, int[] Shape, long Begin, long End);

    /// <summary>Checks the whole file against the expected tensors; allocates only for the JSON header.</summary>
    internal static Layout Validate(ReadOnlySpan<byte> content, IReadOnlyList<ParameterTensor> tensors, string name, string network)
    {
        InvalidDataException Fail(string problem) => new($"{name}: {problem}");

        if (content.Length < 8)
        {
            throw Fail($"too short to be a safetensors file ({content.Length} bytes).");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(content);
        if (headerLength > MaxHeaderLength || headerLength > (ulong)(content.Length - 8))
        {
            throw Fail($"the header length {headerLength:N0} is past the end of the file ({content.Length - 8:N0} bytes follow it) or over the {MaxHeaderLength:N0}-byte limit.");
        }

        int dataStart = 8 + (int)headerLength;
        int dataLength = content.Length - dataStart;
        Dictionary<string, Entry> entries;
        try
        {
            entries = ParseHeader(content.Slice(8, (int)headerLength).ToArray(), dataLength, Fail);
        }
        catch (JsonException exception)
        {
            throw Fail($"the header is not valid JSON ({exception.Message.Split('\n')[0]}).");
        }
        catch (InvalidOperationException exception) when (exception.InnerException is DecoderFallbackException)
        {
            throw Fail("the header is not valid UTF-8.");
        }

        var expected = tensors.ToDictionary(t => t.Name);
        string[] unexpected = entries.Keys.Where(key => !expected.ContainsKey(key)).ToArray();
        if (unexpected.Length > 0)
        {
            throw Fail($"tensor{(unexpected.Length == 1 ? "" : "s")} {string.Join(", ", unexpected.Select(u => $"'{u}'"))} {(unexpected.Length == 1 ? "is" : "are")} not part of {network} (expected {string.Join(", ", expected.Keys)}).");
        }

        foreach (ParameterTensor tensor in tensors)
        {
            if (!entries.TryGetValue(tensor.Name, out Entry entry))
            {
                throw Fail($"tensor '{tensor.Name}' is missing.");
            }

            if (!entry.Shape.SequenceEqual(tensor.Shape))
            {
                throw Fail($"tensor '{tensor.Name}' has shape [{string.Join(", ", entry.Shape)}]; {network} needs [{string.Join(", ", tensor.Shape)}].");
            }
        }

        return new Layout(entries, dataStart);
    }

    /// <summary>Converts every tensor of a validated file into <paramref name="arena"/>, laid out as <paramref name="tensors"/> say.</summary>
    internal static void Decode(ReadOnlySpan<byte> content, Layout layout, IReadOnlyList<ParameterTensor> tensors, Span<float> arena)
    {
        foreach (ParameterTensor tensor in tensors)
        {
            Entry entry = layout.Entries[tensor.Name];
            ReadOnlySpan<byte> bytes = content.Slice(layout.DataStart + (int)entry.Begin, (int)(entry.End - entry.Begin));
            Span<float> destination = arena.Slice(tensor.Offset, tensor.Length);
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = entry.DType switch
                {
                    "F32" => BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(4 * i)),
                    "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.Slice(2 * i)),
                    "I64" => BinaryPrimitives.ReadInt64LittleEndian(bytes.Slice(8 * i)),
                    _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(2 * i)) << 16), // BF16
                };
            }
        }
    }

    private static Dictionary<string, Entry> ParseHeader(byte[] header, int dataLength, Func<string, InvalidDataException> fail)
    {
        using JsonDocument document = JsonDocument.Parse(header);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw fail("the header is not a JSON object.");
        }

        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                continue;
            }

            string tensor = property.Name;
            JsonElement value = property.Value;
            if (value.ValueKind != JsonValueKind.Object ||
                !value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String ||
                !value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array ||
                !value.TryGetProperty("data_offsets", out JsonElement offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
            {
                throw fail($"tensor '{tensor}' needs \"dtype\", \"shape\" and two \"data_offsets\".");
            }

            string dtype = dtypeElement.GetString()!;
            int size = dtype switch
            {
                "F32" => 4,
                "F16" or "BF16" => 2,
                "I64" => 8,
                _ => throw fail($"tensor '{tensor}' has dtype {dtype}; GenNet reads F32, F16, BF16 and I64."),
            };

            int[] shape = shapeElement.EnumerateArray().Select(d => d.TryGetInt32(out int n) && n >= 0 ? n : throw fail($"tensor '{tensor}' has a shape entry {d} that is not a size.")).ToArray();
            long[] offsets = offsetsElement.EnumerateArray().Select(o => o.TryGetInt64(out long n) && n >= 0 ? n : throw fail($"tensor '{tensor}' has a data offset {o} that is not a position.")).ToArray();
            long elements = shape.Aggregate(1L, (product, d) => product * d);
            if (offsets[1] < offsets[0] || offsets[1] > dataLength)
            {
                throw fail($"tensor '{tensor}' has data_offsets [{offsets[0]}, {offsets[1]}] outside the {dataLength:N0} data bytes.");
            }

            if (offsets[1] - offsets[0] != elements * size)
            {
                throw fail($"tensor '{tensor}' has {offsets[1] - offsets[0]:N0} bytes for {elements:N0} {dtype} values ({elements * size:N0} bytes).");
            }

            if (!entries.TryAdd(tensor, new Entry(dtype, shape, offsets[0], offsets[1])))
            {
                throw fail($"tensor '{tensor}' appears twice.");
            }
        }

        Entry[] sorted = entries.Values.OrderBy(e => e.Begin).ToArray();
        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Begin < sorted[i - 1].End)
            {
                string a = entries.First(e => e.Value == sorted[i - 1]).Key, b = entries.First(e => e.Value == sorted[i]).Key;
                throw fail($"tensors '{a}' and '{b}' overlap.");
            }
        }

        return entries;
    }
}
