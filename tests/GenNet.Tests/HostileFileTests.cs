using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using GenNet.Tests.Data;
using GenNet.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>
/// Files written by someone else, and saves that go wrong: every problem is a clear exception naming the user's file,
/// no file can make GenNet allocate much more than it really holds, and a failed save leaves the old file as it was.
/// </summary>
public sealed class HostileFileTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>The bytes <paramref name="action"/> allocates on this thread, also written to the test output.</summary>
    private long Allocated(string what, Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{what}: {allocated:N0} bytes allocated");
        return allocated;
    }

    private static byte[] Saved(INetwork network)
    {
        var stream = new MemoryStream();
        network.Save(stream);
        return stream.ToArray();
    }

    /// <summary>A file of <paramref name="content"/> and then zeros up to <paramref name="length"/> bytes (sparse: cheap to make).</summary>
    private string Padded(string name, byte[] content, long length)
    {
        string path = _directory.File(name);
        using var file = new FileStream(path, FileMode.CreateNew);
        file.Write(content);
        file.SetLength(length);
        return path;
    }

    [Fact]
    public void A_gzip_trailer_promising_two_gigabytes_allocates_only_what_arrives()
    {
        // The header declares 2,000,000,000 labels and the trailer (ISIZE) agrees, but the compressed data holds 24.
        byte[] idx = IdxTests.IdxBytes(new byte[24], 0x08, 2_000_000_000);
        byte[] gz = IdxTests.Gzip(idx);
        BinaryPrimitives.WriteUInt32LittleEndian(gz.AsSpan(gz.Length - 4), 8 + 2_000_000_000u);
        string path = _directory.File("forged.gz");
        File.WriteAllBytes(path, gz);

        InvalidDataException? error = null;
        long allocated = Allocated("gzip trailer promising 2 GB", () => error = Assert.Throws<InvalidDataException>(() => Idx.Read(path)));
        Assert.StartsWith(path + ": ", error!.Message);
        Assert.True(allocated < 1_000_000, $"{allocated:N0} bytes allocated for a {gz.Length}-byte file");
    }

    [Fact]
    public void A_gzip_file_that_really_holds_its_data_still_reads_whole()
    {
        byte[] data = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray(); // past the first 64 KiB chunk
        string path = _directory.File("big.gz");
        File.WriteAllBytes(path, IdxTests.Gzip(IdxTests.IdxBytes(data, 0x08, 300, 1000)));
        IdxData read = null!;
        long allocated = Allocated("300,000 bytes of real gzip data", () => read = Idx.Read(path));
        Assert.Equal(data, read.Data);
        Assert.True(allocated < 4 * data.Length + 256 * 1024, $"{allocated:N0} bytes allocated to read {data.Length:N0}");
    }

    [Fact]
    public void A_label_past_the_class_limit_is_rejected_naming_the_sample()
    {
        var error = Assert.Throws<ArgumentException>(() => Dataset.Create(new float[3], [0, 1, int.MaxValue], 1));
        Assert.Equal("labels", error.ParamName);
        Assert.Contains("Label 2,147,483,647 of sample 2", error.Message);
        Assert.Contains("16,777,215", error.Message);

        Dataset largest = Dataset.Create(new float[1], [Dataset.MaxClassCount - 1], 1);
        Assert.Equal(Dataset.MaxClassCount, largest.ClassCount);
    }

    [Fact]
    public void A_csv_label_past_the_class_limit_is_rejected_naming_the_line()
    {
        string path = _directory.File("labels.csv");
        File.WriteAllText(path, $"x,label\n1,0\n2,{int.MaxValue}\n");
        var error = Assert.Throws<InvalidDataException>(() => Csv.Load(path, "label"));
        Assert.StartsWith($"{path}:3: label 2,147,483,647 (column 'label') is not a class index", error.Message);
    }

    [Fact]
    public void A_ten_megabyte_cell_is_quoted_by_an_excerpt()
    {
        string path = _directory.File("wide.csv");
        File.WriteAllText(path, "x,label\n" + new string('z', 10_000_000) + ",1\n");
        var error = Assert.Throws<InvalidDataException>(() => Csv.Load(path, "label"));
        Assert.True(error.Message.Length < 300, $"the message has {error.Message.Length:N0} characters");
        Assert.Contains("'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz… (10,000,000 characters)' is not a finite number", error.Message);

        error = Assert.Throws<InvalidDataException>(() => Csv.Load(path, new string('q', 1_000_000)));
        Assert.True(error.Message.Length < 400, $"the message has {error.Message.Length:N0} characters");
    }

    [Fact]
    public void Bytes_after_the_last_tensor_are_rejected_without_being_read()
    {
        byte[] valid = Saved(new XorNetwork());
        string path = Padded("padded.safetensors", valid, valid.Length + 300_000_000L);

        var network = new XorNetwork();
        network.InitializeParameters(3);
        float[] before = network.Parameters.ToArray();
        InvalidDataException? error = null;
        long allocated = Allocated("safetensors followed by 300 MB", () => error = Assert.Throws<InvalidDataException>(() => network.Load(path)));
        Assert.Equal($"{path}: 300,000,000 bytes after the last tensor's data (which ends at data byte 132) belong to no tensor; the format allows none.", error!.Message);
        Assert.True(allocated < 100_000, $"{allocated:N0} bytes allocated");
        Assert.Equal(before, network.Parameters.ToArray());

        // The same from a pipe, which can only be read: it is read up to the indexed data and one byte further.
        var pipe = new UnseekableStream(new PaddedStream(valid, 300_000_000L));
        error = Assert.Throws<InvalidDataException>(() => network.Load(pipe, "pipe"));
        Assert.Equal("pipe: more bytes follow the 132 data bytes the header indexes; the format allows none.", error.Message);
        Assert.True(pipe.Position < valid.Length + 64 * 1024);
    }

    [Fact]
    public void Files_over_two_gigabytes_are_invalid_data_naming_the_file()
    {
        byte[] valid = Saved(new XorNetwork());
        string path = Padded("huge.safetensors", valid, 3L << 30);

        var error = Assert.Throws<InvalidDataException>(() => new XorNetwork().Load(path));
        Assert.StartsWith(path + ": ", error.Message);

        error = Assert.Throws<InvalidDataException>(() => new XorNetwork().Load(new PaddedStream(valid, 3L << 30), "seekable"));
        Assert.StartsWith($"seekable: {(3L << 30) - valid.Length:N0} bytes after the last tensor's data", error.Message);
    }

    [Fact]
    public void A_gap_between_tensors_is_rejected()
    {
        string header = """{"dense_0.weight":{"dtype":"F32","shape":[8,2],"data_offsets":[0,64]},"dense_0.bias":{"dtype":"F32","shape":[8],"data_offsets":[68,100]},"dense_1.weight":{"dtype":"F32","shape":[1,8],"data_offsets":[100,132]},"dense_1.bias":{"dtype":"F32","shape":[1],"data_offsets":[132,136]}}""";
        byte[] json = System.Text.Encoding.UTF8.GetBytes(header);
        byte[] file = new byte[8 + json.Length + 136];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        var error = Assert.Throws<InvalidDataException>(() => new XorNetwork().Load(new MemoryStream(file), "gap"));
        Assert.Equal("gap: data bytes 64 to 68, between tensor 'dense_0.weight' and tensor 'dense_0.bias', belong to no tensor; the format allows no gaps.", error.Message);
    }

    [Fact]
    public void A_header_longer_than_a_pipe_allocates_only_what_arrives()
    {
        byte[] file = new byte[8 + 100];
        BinaryPrimitives.WriteUInt64LittleEndian(file, SafeTensors.MaxHeaderLength);
        InvalidDataException? error = null;
        long allocated = Allocated("pipe whose header claims 100 MB", () => error = Assert.Throws<InvalidDataException>(() => new XorNetwork().Load(new UnseekableStream(new MemoryStream(file)), "pipe")));
        Assert.Equal("pipe: the header length 100,000,000 is past the end of the file (100 bytes follow it).", error!.Message);
        Assert.True(allocated < 200_000, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void Saving_into_a_missing_directory_names_the_target()
    {
        string path = Path.Combine(_directory.Path, "no-such-directory", "model.safetensors");
        var error = Assert.Throws<DirectoryNotFoundException>(() => new XorNetwork().Save(path));
        Assert.Contains(path, error.Message);
        Assert.DoesNotContain(".tmp", error.Message);
    }

    [Fact]
    public void A_full_disk_mid_save_leaves_the_old_file_and_says_so()
    {
        string path = _directory.File("model.safetensors");
        var original = new XorNetwork();
        original.InitializeParameters(1);
        original.Save(path);
        byte[] old = File.ReadAllBytes(path);

        var changed = new XorNetwork();
        changed.InitializeParameters(2);
        var error = Assert.Throws<IOException>(() => SafeTensors.Save(changed, path, InterruptedStream.FullDisk(room: 100)));
        Assert.StartsWith($"Could not save {path}: No space left on device", error.Message);
        Assert.EndsWith("(the existing model.safetensors is unchanged).", error.Message);
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(_directory.Path).Select(Path.GetFileName));

        string fresh = _directory.File("fresh.safetensors");
        error = Assert.Throws<IOException>(() => SafeTensors.Save(changed, fresh, InterruptedStream.FullDisk(room: 100)));
        Assert.EndsWith("(no fresh.safetensors was written).", error.Message);
        Assert.False(File.Exists(fresh));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_save_killed_midway_leaves_the_old_file_and_the_next_save_clears_its_temporary_file()
    {
        string path = _directory.File("model.safetensors");
        var original = new MnistMlp();
        original.InitializeParameters(1);
        original.Save(path);
        byte[] old = File.ReadAllBytes(path);

        (int exitCode, string childOutput) = await ChildProcess.RunAsync(null, "save-and-exit", path);
        Assert.True(exitCode == Program.ExitedMidSave, childOutput);
        Assert.Equal(old, File.ReadAllBytes(path));
        string left = Assert.Single(Directory.GetFiles(_directory.Path, ".model.safetensors.*.tmp"));
        Assert.True(new FileInfo(left).Length > 0);

        original.Save(path); // the child's process is gone: its temporary file goes
        Assert.Equal(["model.safetensors"], Directory.GetFiles(_directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_removes_only_its_own_abandoned_temporary_files()
    {
        string Name(string name) => _directory.File(name);
        string guid = Guid.NewGuid().ToString("N");
        string deadProcess = Name($".model.safetensors.2147483646.{guid}.tmp"); // no such process id
        string oldOwn = Name($".model.safetensors.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        string liveOwn = Name($".model.safetensors.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"); // another thread's save
        string[] others =
        [
            Name($".other.safetensors.2147483646.{guid}.tmp"), // another target
            Name(".model.safetensors.backup.tmp"), // the user's
            Name($".model.safetensors.2147483646.{guid}.tmp.keep"),
            Name($"model.safetensors.2147483646.{guid}.tmp"),
            Name($".model.safetensors.2147483646.{guid[..31]}.tmp"),
        ];
        foreach (string file in others.Append(deadProcess).Append(oldOwn).Append(liveOwn))
        {
            File.WriteAllText(file, "partial");
        }

        File.SetLastWriteTimeUtc(oldOwn, DateTime.UtcNow - AtomicFile.StaleAfter - TimeSpan.FromMinutes(1));
        new XorNetwork().Save(Name("model.safetensors"));

        Assert.False(File.Exists(deadProcess));
        Assert.False(File.Exists(oldOwn));
        Assert.True(File.Exists(liveOwn));
        Assert.All(others, file => Assert.True(File.Exists(file), file));
    }
}

/// <summary>
/// A file that takes <c>room</c> bytes and then, at the write that would pass them, runs <c>full</c>: throw as Linux
/// reports ENOSPC (a full disk), or end the process (a save killed midway).
/// </summary>
internal sealed class InterruptedStream(string path, int room, Action full) : Stream
{
    private readonly FileStream _file = new(path, FileMode.CreateNew, FileAccess.Write);

    public static Func<string, Stream> FullDisk(int room) =>
        path => new InterruptedStream(path, room, () => throw new IOException($"No space left on device : '{path}'"));

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _file.Length;

    public override long Position { get => _file.Position; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_file.Position + buffer.Length > room)
        {
            _file.Flush();
            full();
        }

        _file.Write(buffer);
    }

    public override void Flush() => _file.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A stream that cannot seek or tell its length, as a pipe or a network stream.</summary>
internal sealed class UnseekableStream(Stream inner) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = inner.Read(buffer);
        _position += read;
        return read;
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A seekable stream of <c>content</c> followed by zeros up to <c>length</c> bytes, none of them stored.</summary>
internal sealed class PaddedStream(byte[] content, long length) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position { get; set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int count = (int)Math.Min(buffer.Length, Math.Max(0, length - Position));
        for (int i = 0; i < count; i++)
        {
            buffer[i] = Position + i < content.Length ? content[Position + i] : (byte)0;
        }

        Position += count;
        return count;
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => Position + offset,
        _ => length + offset,
    };

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
