using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace GenNet.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>An IDX file: magic 00 00 type rank, big-endian dimensions, then the data.</summary>
    public static byte[] IdxBytes(byte[] data, byte type = 0x08, params int[] dimensions)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        }

        data.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        return memory.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        string path = _directory.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static readonly byte[] s_pixels = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 10)).ToArray();

    [Fact]
    public void Reads_a_raw_file()
    {
        IdxData data = Idx.Read(Write("images", IdxBytes(s_pixels, 0x08, 2, 3, 4)));
        Assert.Equal([2, 3, 4], data.Dimensions);
        Assert.Equal(s_pixels, data.Data);
    }

    [Fact]
    public void Reads_a_gzip_file_by_its_magic_bytes_whatever_its_name()
    {
        IdxData data = Idx.Read(Write("images-without-extension", Gzip(IdxBytes(s_pixels, 0x08, 2, 3, 4))));
        Assert.Equal([2, 3, 4], data.Dimensions);
        Assert.Equal(s_pixels, data.Data);
    }

    private void AssertRejected(string name, byte[] bytes, string expected)
    {
        string path = Write(name, bytes);
        var error = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Truncated_files_are_rejected_naming_the_file()
    {
        byte[] full = IdxBytes(s_pixels, 0x08, 2, 3, 4);
        AssertRejected("truncated", full[..^5], "the header promises 2 × 3 × 4 = 24 bytes of data, but the file holds 19 after the header");
        AssertRejected("truncated.gz", Gzip(full[..^5]), "but the gzip trailer records 35 bytes in all: the file is truncated or corrupt");
        AssertRejected("header-only", full[..10], "the file ends inside its header of 3 dimensions");
        AssertRejected("empty", [], "too short to be an IDX file");
    }

    [Fact]
    public void Wrong_magic_and_element_type_are_rejected()
    {
        byte[] bytes = IdxBytes(s_pixels, 0x08, 24);
        bytes[0] = 0x50;
        AssertRejected("magic", bytes, "not an IDX file (magic bytes 0x50 0x00, expected 0x00 0x00)");
        AssertRejected("floats", IdxBytes(new byte[24], 0x0D, 6), "element type 0x0D (32-bit float) is not supported");
        AssertRejected("rank0", IdxBytes([], 0x08), "the header declares no dimensions");
        AssertRejected("negative", IdxBytes(s_pixels, 0x08, -24), "dimension 1 of the header is -24");
    }

    [Fact]
    public void A_header_claiming_two_billion_images_is_rejected_before_allocating()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertRejected("huge", IdxBytes(s_pixels, 0x08, int.MaxValue, 28, 28), "the header promises 2147483647 × 28 × 28 = 1,683,627,179,248 bytes of data, but the file holds 24 after the header");
        AssertRejected("huge.gz", Gzip(IdxBytes(s_pixels, 0x08, 100_000_000, 28)), "the header promises 100000000 × 28 = 2,800,000,000 bytes of data, but the gzip trailer records 36 bytes in all");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "a large buffer was allocated");
    }

    [Fact]
    public void Extra_data_after_the_declared_length_is_rejected()
    {
        AssertRejected("long", IdxBytes(s_pixels, 0x08, 20), "the header promises 20 = 20 bytes of data, but the file holds 24 after the header");
    }

    [Fact]
    public void Corrupt_gzip_is_rejected_naming_the_file()
    {
        byte[] gz = Gzip(IdxBytes(s_pixels, 0x08, 2, 3, 4));
        for (int i = 12; i < gz.Length - 8; i++)
        {
            gz[i] ^= 0x5A;
        }

        string path = Write("corrupt.gz", gz);
        var error = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.StartsWith(path + ": ", error.Message);
    }
}

public sealed class MnistTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private void WriteSet(string prefix, int count, int labelCount, bool gzip)
    {
        byte[] images = IdxTests.IdxBytes(Enumerable.Range(0, count * 6).Select(i => (byte)i).ToArray(), 0x08, count, 2, 3);
        byte[] labels = IdxTests.IdxBytes(Enumerable.Range(0, labelCount).Select(i => (byte)(i % 10)).ToArray(), 0x08, labelCount);
        string suffix = gzip ? ".gz" : "";
        File.WriteAllBytes(_directory.File($"{prefix}-images-idx3-ubyte{suffix}"), gzip ? IdxTests.Gzip(images) : images);
        File.WriteAllBytes(_directory.File($"{prefix}-labels-idx1-ubyte{suffix}"), gzip ? IdxTests.Gzip(labels) : labels);
    }

    [Fact]
    public void Loads_train_and_test_scaled_to_unit_range()
    {
        WriteSet("train", 5, 5, gzip: true);
        WriteSet("t10k", 3, 3, gzip: false);
        (Dataset train, Dataset test) = Mnist.Load(_directory.Path);
        Assert.Equal(5, train.Count);
        Assert.Equal(3, test.Count);
        Assert.Equal([2, 3], train.SampleShape);
        Assert.Equal([0, 1, 2, 3, 4], train.Labels.ToArray());
        var pixels = new float[6];
        train.CopyFeatures(1, pixels);
        Assert.Equal(Enumerable.Range(6, 6).Select(i => i / 255f), pixels, (a, b) => Math.Abs(a - b) < 1e-7f);
    }

    [Fact]
    public void Image_and_label_counts_must_agree()
    {
        WriteSet("train", 5, 4, gzip: false);
        WriteSet("t10k", 3, 3, gzip: false);
        var error = Assert.Throws<InvalidDataException>(() => Mnist.Load(_directory.Path));
        Assert.Contains("holds 5 images but", error.Message);
        Assert.Contains("holds 4 labels", error.Message);
    }

    [Fact]
    public void A_missing_file_says_how_to_get_the_data()
    {
        WriteSet("train", 5, 5, gzip: false);
        var error = Assert.Throws<FileNotFoundException>(() => Mnist.Load(_directory.Path));
        Assert.Contains("t10k-images-idx3-ubyte", error.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", error.Message);
    }
}
