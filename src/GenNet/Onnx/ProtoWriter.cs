using System.Collections.Generic;
using System.IO;
using System.Text;

namespace GenNet;

/// <summary>
/// A protobuf message built field by field in wire format: varints, 32-bit floats and length-delimited fields (strings,
/// bytes, nested messages). A nested message is kept by reference, not copied, and everything is written out once by
/// <see cref="WriteTo"/>, so a model's weights are copied into the writer once and then streamed. Field numbers come from
/// the caller (<see cref="OnnxSchema"/> for ONNX). Written against netstandard2.0's API only, so that build-time code (an
/// ONNX import step) can link this file as it is.
/// </summary>
internal sealed class ProtoWriter
{
    private const int VarintType = 0, Fixed32Type = 5, LengthDelimitedType = 2;

    private readonly List<object> _parts = new List<object>(); // byte[] runs and nested ProtoWriters, in order
    private MemoryStream _pending = new MemoryStream();
    private long _written; // bytes in _parts

    /// <summary>The message's encoded length so far.</summary>
    public long Length => _written + _pending.Length;

    /// <summary>A varint field (int32, int64, enum; negative values take ten bytes, as protobuf's int64 does).</summary>
    public ProtoWriter Varint(int field, long value)
    {
        Tag(field, VarintType);
        WriteVarint((ulong)value);
        return this;
    }

    /// <summary>A 32-bit float field, little-endian.</summary>
    public ProtoWriter Float(int field, float value)
    {
        Tag(field, Fixed32Type);
        byte[] bytes = System.BitConverter.GetBytes(value);
        if (!System.BitConverter.IsLittleEndian)
        {
            System.Array.Reverse(bytes);
        }

        _pending.Write(bytes, 0, 4);
        return this;
    }

    /// <summary>A string field, UTF-8.</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field; <paramref name="value"/> is kept, not copied, so the caller must not change it afterwards.</summary>
    public ProtoWriter Bytes(int field, byte[] value)
    {
        Tag(field, LengthDelimitedType);
        WriteVarint((ulong)value.Length);
        Seal();
        _parts.Add(value);
        _written += value.Length;
        return this;
    }

    /// <summary>A nested message, which must be complete: its length is written now.</summary>
    public ProtoWriter Message(int field, ProtoWriter message)
    {
        Tag(field, LengthDelimitedType);
        long length = message.Length;
        WriteVarint((ulong)length);
        Seal();
        _parts.Add(message);
        _written += length;
        return this;
    }

    /// <summary>Writes the encoded message to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        foreach (object part in _parts)
        {
            if (part is byte[] bytes)
            {
                stream.Write(bytes, 0, bytes.Length);
            }
            else
            {
                ((ProtoWriter)part).WriteTo(stream);
            }
        }

        _pending.WriteTo(stream);
    }

    /// <summary>The encoded message as one array (tests, small messages).</summary>
    public byte[] ToArray()
    {
        var stream = new MemoryStream();
        WriteTo(stream);
        return stream.ToArray();
    }

    private void Tag(int field, int wireType) => WriteVarint((ulong)(((long)field << 3) | (uint)wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _pending.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _pending.WriteByte((byte)value);
    }

    /// <summary>Moves the bytes written since the last part into a part of their own, so a part can follow them.</summary>
    private void Seal()
    {
        if (_pending.Length == 0)
        {
            return;
        }

        _parts.Add(_pending.ToArray());
        _written += _pending.Length;
        _pending = new MemoryStream();
    }
}
