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
public static partial class SafeTensors
{
    /// <summary>The largest header GenNet reads (the reference implementation's limit).</summary>
    public const int MaxHeaderLength = 100_000_000;

    /// <summary>
    /// Writes the network's parameters and buffers to <paramref name="path"/>. The file is written beside the target under a
    /// temporary name (<c>.{name}.{process id}.{guid}.tmp</c>) and then renamed over it, so a crash or a full disk mid-save
    /// leaves any previous file intact. Temporary files of earlier saves to the same path whose process is gone (or that
    /// have not been written for ten minutes) are deleted.
    /// </summary>
    /// <exception cref="IOException">The file could not be written; the message names it and says whether an older one is still there.</exception>
    public static void Save(this INetwork network, string path) => Save(network, path, open: null);

    /// <summary><see cref="Save(INetwork, string)"/> with the temporary file opened by <paramref name="open"/> (tests simulate a full disk).</summary>
    internal static void Save(INetwork network, string path, Func<string, Stream>? open)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, stream => Save(network, stream), open);
    }

    /// <summary>Writes the network's parameters and buffers to <paramref name="stream"/> in safetensors format.</summary>
    public static void Save(this INetwork network, Stream stream) => Write(network, stream, WeightPrecision.Float32);

    /// <summary>Writes the tensors <paramref name="stored"/> (encoded already by the caller) or, when null, encodes them here.</summary>
    private static void Write(INetwork network, Stream stream, WeightPrecision precision, Stored[]? stored = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        stored ??= StoredTensors(network, precision);
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            writer.WriteString("format", "pt");
            writer.WriteString("producer", "GenNet");
            writer.WriteString("network", network.GetType().FullName);
            if (precision != WeightPrecision.Float32)
            {
                writer.WriteString("weight_precision", precision.ToString());
            }

            writer.WriteEndObject();
            long offset = 0;
            foreach (Stored tensor in stored)
            {
                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", tensor.DType);
                writer.WriteStartArray("shape");
                foreach (int dimension in tensor.Shape)
                {
                    writer.WriteNumberValue(dimension);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset += tensor.Data.Length);
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
        foreach (Stored tensor in stored)
        {
            stream.Write(tensor.Data);
        }
    }

    /// <summary>
    /// Reads parameters and buffers saved by GenNet or PyTorch (a state_dict of the same architecture) into the network.
    /// Everything is checked before any value changes: a bad file leaves the network as it was. The header is checked
    /// before the data is read, and the data must be exactly the tensors the header indexes (the format allows no
    /// unindexed bytes), so a file makes GenNet allocate no more than its header and the network's own tensors.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors or does not fit the network; the message names the file and the tensor.</exception>
    public static void Load(this INetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream file = File.OpenRead(path);
        Load(network, file, file.Length, path);
    }

    /// <summary>
    /// Reads parameters and buffers from a safetensors stream, from its position to its end; <paramref name="name"/> is used
    /// in error messages. A seekable stream's length is checked against the header before the data is read; another stream
    /// is read up to the data the header indexes, and must end there.
    /// </summary>
    /// <exception cref="InvalidDataException">The content is not valid safetensors or does not fit the network.</exception>
    public static void Load(this INetwork network, Stream stream, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        Load(network, stream, stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null, name);
    }

    private static void Load(INetwork network, Stream stream, long? length, string name)
    {
        ParameterTensor[] tensors = [.. network.ParameterTensors, .. network.BufferTensors];
        (Layout layout, byte[] data) = Read(stream, length, tensors, name, network.GetType().Name);
        float[] parameters = new float[network.ParameterCount];
        float[] buffers = new float[network.Buffers.Length];
        Decode(data, layout, network.ParameterTensors, parameters);
        Decode(data, layout, network.BufferTensors, buffers);
        NetworkBase.WriteParameters(network, parameters);
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

    /// <summary>Checks a whole file held in memory against the expected tensors; allocates only for the JSON header.</summary>
    internal static Layout Validate(ReadOnlySpan<byte> content, IReadOnlyList<ParameterTensor> tensors, string name, string network)
    {
        Func<string, InvalidDataException> fail = Failure(name);
        if (content.Length < 8)
        {
            throw fail($"too short to be a safetensors file ({content.Length} bytes).");
        }

        int headerLength = CheckHeaderLength(BinaryPrimitives.ReadUInt64LittleEndian(content), content.Length - 8, fail);
        int dataStart = 8 + headerLength;
        Dictionary<string, Entry> entries = Index(content.Slice(8, headerLength).ToArray(), content.Length - dataStart, tensors, network, fail);
        return new Layout(entries, dataStart);
    }

    /// <summary>
    /// Reads and checks a file from <paramref name="stream"/> (<paramref name="length"/> bytes long, when known): the header
    /// first, then exactly the data bytes it indexes, which the checks have bounded by the expected tensors' sizes.
    /// </summary>
    private static (Layout Layout, byte[] Data) Read(Stream stream, long? length, IReadOnlyList<ParameterTensor> tensors, string name, string network)
    {
        Func<string, InvalidDataException> fail = Failure(name);
        Span<byte> prefix = stackalloc byte[8];
        int got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got < prefix.Length)
        {
            throw fail($"too short to be a safetensors file ({got} bytes).");
        }

        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        int headerLength = CheckHeaderLength(declared, length - 8, fail);
        if (UntrustedLength.Read(stream, headerLength, out byte[] header) is int read && read < headerLength)
        {
            throw fail($"the header length {declared:N0} is past the end of the file ({read:N0} bytes follow it).");
        }

        long? dataLength = length - 8 - headerLength;
        Dictionary<string, Entry> entries = Index(header, dataLength, tensors, network, fail);
        long end = entries.Values.Select(e => e.End).DefaultIfEmpty(0).Max(); // no more than the network's tensors
        if (end > Array.MaxLength)
        {
            throw fail($"the tensors' data comes to {end:N0} bytes; GenNet reads weight files of up to {Array.MaxLength:N0} bytes of data.");
        }

        // A known length has just been checked to hold exactly the indexed data; an unknown one is trusted only as data arrives.
        int indexed = (int)end;
        byte[] data;
        int arrived;
        if (dataLength is null)
        {
            arrived = UntrustedLength.Read(stream, indexed, out data);
        }
        else
        {
            data = new byte[indexed];
            arrived = stream.ReadAtLeast(data, indexed, throwOnEndOfStream: false);
        }

        if (arrived < indexed)
        {
            throw fail($"the file ends after {arrived:N0} of the {indexed:N0} data bytes its header indexes.");
        }

        if (dataLength is null && stream.ReadByte() != -1)
        {
            throw fail($"more bytes follow the {indexed:N0} data bytes the header indexes; the format allows none.");
        }

        return (new Layout(entries, dataStart: 0), data);
    }

    private static Func<string, InvalidDataException> Failure(string name) => problem => new InvalidDataException($"{name}: {problem}");

    /// <summary>The header length as an int, when it is within the limit and (for a known length) inside the file.</summary>
    private static int CheckHeaderLength(ulong headerLength, long? available, Func<string, InvalidDataException> fail)
    {
        if (available is { } bytes && (headerLength > MaxHeaderLength || headerLength > (ulong)bytes))
        {
            throw fail($"the header length {headerLength:N0} is past the end of the file ({bytes:N0} bytes follow it) or over the {MaxHeaderLength:N0}-byte limit.");
        }

        if (headerLength > MaxHeaderLength)
        {
            throw fail($"the header length {headerLength:N0} is over the {MaxHeaderLength:N0}-byte limit.");
        }

        return (int)headerLength;
    }

    /// <summary>
    /// Parses the header and checks it against the network: every tensor expected and of its shape, and the data section
    /// (<paramref name="dataLength"/> bytes, when known) covered exactly, without gaps or bytes left over.
    /// </summary>
    private static Dictionary<string, Entry> Index(byte[] header, long? dataLength, IReadOnlyList<ParameterTensor> tensors, string network, Func<string, InvalidDataException> fail)
    {
        Dictionary<string, Entry> entries;
        try
        {
            entries = ParseHeader(header, dataLength, fail);
        }
        catch (JsonException exception)
        {
            throw fail($"the header is not valid JSON ({exception.Message.Split('\n')[0]}).");
        }
        catch (InvalidOperationException exception) when (exception.InnerException is DecoderFallbackException)
        {
            throw fail("the header is not valid UTF-8.");
        }

        var expected = tensors.ToDictionary(t => t.Name);
        string[] unexpected = entries.Keys.Where(key => !expected.ContainsKey(key) && !AccompaniesInt8(key, ScaleSuffix, entries) && !AccompaniesInt8(key, InputQuantizationSuffix, entries)).ToArray();
        if (unexpected.Length > 0)
        {
            const int Listed = 10;
            string names = string.Join(", ", unexpected.Take(Listed).Select(u => $"'{Excerpt.Of(u)}'")) + (unexpected.Length > Listed ? $" and {unexpected.Length - Listed:N0} more" : "");
            throw fail($"tensor{(unexpected.Length == 1 ? "" : "s")} {names} {(unexpected.Length == 1 ? "is" : "are")} not part of {network} (expected {string.Join(", ", expected.Keys)}).");
        }

        foreach (ParameterTensor tensor in tensors)
        {
            if (!entries.TryGetValue(tensor.Name, out Entry entry))
            {
                throw fail($"tensor '{tensor.Name}' is missing.");
            }

            if (!entry.Shape.SequenceEqual(tensor.Shape))
            {
                throw fail($"tensor '{tensor.Name}' has shape [{string.Join(", ", entry.Shape)}]; {network} needs [{string.Join(", ", tensor.Shape)}].");
            }

            if (entry.DType == "I8")
            {
                CheckInt8(tensor, entries, fail);
            }
        }

        // The format: "the byte buffer needs to be entirely indexed, and cannot contain holes".
        long end = 0;
        string previous = "the start of the data";
        foreach ((string tensor, Entry entry) in entries.OrderBy(pair => pair.Value.Begin).ThenBy(pair => pair.Value.End))
        {
            if (entry.Begin > end)
            {
                throw fail($"data bytes {end:N0} to {entry.Begin:N0}, between {previous} and tensor '{tensor}', belong to no tensor; the format allows no gaps.");
            }

            end = entry.End;
            previous = $"tensor '{tensor}'";
        }

        if (dataLength is { } length && length > end)
        {
            throw fail($"{length - end:N0} bytes after the last tensor's data (which ends at data byte {end:N0}) belong to no tensor; the format allows none.");
        }

        return entries;
    }

    /// <summary>Converts every tensor of a validated file into <paramref name="arena"/>, laid out as <paramref name="tensors"/> say.</summary>
    internal static void Decode(ReadOnlySpan<byte> content, Layout layout, IReadOnlyList<ParameterTensor> tensors, Span<float> arena)
    {
        foreach (ParameterTensor tensor in tensors)
        {
            Entry entry = layout.Entries[tensor.Name];
            ReadOnlySpan<byte> bytes = content.Slice(layout.DataStart + (int)entry.Begin, (int)(entry.End - entry.Begin));
            Span<float> destination = arena.Slice(tensor.Offset, tensor.Length);
            if (entry.DType == "I8")
            {
                Entry scale = layout.Entries[ScaleName(tensor.Name)];
                DecodeInt8(bytes, content.Slice(layout.DataStart + (int)scale.Begin, (int)(scale.End - scale.Begin)), destination);
                continue;
            }

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

    private static Dictionary<string, Entry> ParseHeader(byte[] header, long? dataLength, Func<string, InvalidDataException> fail)
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

            string tensor = Excerpt.Of(property.Name);
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
                "I8" => 1,
                _ => throw fail($"tensor '{tensor}' has dtype {Excerpt.Of(dtype)}; GenNet reads F32, F16, BF16, I8 (with scales) and I64."),
            };

            int[] shape = shapeElement.EnumerateArray().Select(d => d.TryGetInt32(out int n) && n >= 0 ? n : throw fail($"tensor '{tensor}' has a shape entry {Excerpt.Of(d.GetRawText())} that is not a size.")).ToArray();
            long[] offsets = offsetsElement.EnumerateArray().Select(o => o.TryGetInt64(out long n) && n >= 0 ? n : throw fail($"tensor '{tensor}' has a data offset {Excerpt.Of(o.GetRawText())} that is not a position.")).ToArray();
            if (offsets[1] < offsets[0] && dataLength is null)
            {
                throw fail($"tensor '{tensor}' has data_offsets [{offsets[0]}, {offsets[1]}] that end before they begin.");
            }

            if (offsets[1] < offsets[0] || offsets[1] > dataLength)
            {
                throw fail($"tensor '{tensor}' has data_offsets [{offsets[0]}, {offsets[1]}] outside the {dataLength:N0} data bytes.");
            }

            long bytes;
            try
            {
                bytes = checked(shape.Aggregate(1L, (product, d) => product * d) * size);
            }
            catch (OverflowException)
            {
                throw fail($"tensor '{tensor}' has shape [{Excerpt.Of(string.Join(", ", shape))}], more {dtype} values than any file holds.");
            }

            if (offsets[1] - offsets[0] != bytes)
            {
                throw fail($"tensor '{tensor}' has {offsets[1] - offsets[0]:N0} bytes for {bytes / size:N0} {dtype} values ({bytes:N0} bytes).");
            }

            if (!entries.TryAdd(property.Name, new Entry(dtype, shape, offsets[0], offsets[1])))
            {
                throw fail($"tensor '{tensor}' appears twice.");
            }
        }

        KeyValuePair<string, Entry>[] sorted = entries.OrderBy(pair => pair.Value.Begin).ThenBy(pair => pair.Value.End).ToArray();
        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Value.Begin < sorted[i - 1].Value.End)
            {
                throw fail($"tensors '{Excerpt.Of(sorted[i - 1].Key)}' and '{Excerpt.Of(sorted[i].Key)}' overlap.");
            }
        }

        return entries;
    }
}
