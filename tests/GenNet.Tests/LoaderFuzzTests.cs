using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using GenNet.Tests.Data;
using GenNet.Tests.Networks;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace GenNet.Tests;

/// <summary>
/// Mutation fuzzing of every file loader: valid files with bits flipped, bytes replaced by boundary values, ranges cut,
/// duplicated or inserted, sizes forged. Each load must succeed or throw <see cref="InvalidDataException"/> (the one
/// documented type), must allocate no more than a small multiple of what the input really holds, and a failed
/// safetensors load must leave the network's parameters and buffers unchanged. The normal run tries a seeded 300
/// inputs per loader; <c>GENNET_LONG_FUZZ=1</c> tries 10,000 per loader (<c>GENNET_FUZZ_COUNT</c> overrides).
/// </summary>
public sealed class LoaderFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20261203;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static int Count =>
        int.TryParse(Environment.GetEnvironmentVariable("GENNET_FUZZ_COUNT"), out int count) ? count
        : Environment.GetEnvironmentVariable("GENNET_LONG_FUZZ") == "1" ? 10_000
        : 300;

    /// <summary>
    /// Loads <see cref="Count"/> inputs from <paramref name="next"/>, each written to a file first; <paramref name="allowance"/>
    /// is the most the load may allocate for an input.
    /// </summary>
    private void Run(string loader, Func<Random, byte[]> next, Func<byte[], long> allowance, Action<string, byte[]> load)
    {
        var random = new Random(Seed);
        string path = _directory.File(loader);
        int loaded = 0, rejected = 0;
        double worstRatio = 0;
        long worstAllocation = 0;
        var clock = Stopwatch.StartNew();
        for (int trial = 0; trial < Count; trial++)
        {
            byte[] input = next(random);
            File.WriteAllBytes(path, input);
            long limit = allowance(input);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                load(path, input);
                loaded++;
            }
            catch (InvalidDataException)
            {
                rejected++;
            }
            catch (Exception exception)
            {
                throw new XunitException($"{loader}, trial {trial} (seed {Seed}): {exception.GetType().Name} is not a documented failure: {exception}");
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated <= limit, $"{loader}, trial {trial} (seed {Seed}): {allocated:N0} bytes allocated for a {input.Length:N0}-byte input (allowed {limit:N0}).");
            worstAllocation = Math.Max(worstAllocation, allocated);
            worstRatio = Math.Max(worstRatio, (double)allocated / limit);
        }

        output.WriteLine($"{loader}: {Count:N0} inputs in {clock.Elapsed.TotalSeconds:F1} s: {loaded:N0} loaded, {rejected:N0} rejected; largest allocation {worstAllocation:N0} bytes, at most {worstRatio:P0} of the allowance.");
        Assert.True(rejected > 0, $"{loader}: no input was rejected — the mutations do not reach the checks.");
    }

    [Fact]
    public void Raw_idx()
    {
        byte[] seed = IdxTests.IdxBytes(Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)i).ToArray(), 0x08, 2, 3, 4);
        Run("idx", random => Mutator.Mutate(seed, random), input => 2L * input.Length + 16 * 1024, (path, _) => Idx.Read(path));
    }

    [Fact]
    public void Gzip_idx()
    {
        byte[] seed = IdxTests.IdxBytes(Enumerable.Range(0, 10 * 28).Select(i => (byte)(i % 5)).ToArray(), 0x08, 10, 28);
        Run(
            "idx.gz",
            random => random.Next(3) switch
            {
                0 => IdxTests.Gzip(Mutator.Mutate(seed, random)), // a well-formed gzip of a corrupt IDX file
                1 => Mutator.ForgeTrailer(IdxTests.Gzip(Mutator.Mutate(seed, random)), random), // … with a trailer that lies
                _ => Mutator.Mutate(IdxTests.Gzip(seed), random), // a corrupt gzip stream
            },
            input => 4 * Decompressed(input) + 64 * 1024,
            (path, _) => Idx.Read(path));
    }

    [Fact]
    public void Csv_file()
    {
        byte[] seed = Encoding.UTF8.GetBytes("a,\"b \"\"two\"\"\",label\n1,2,0\n3.5,-4e-1,2\n\"7\",1e3,1\n\n0,0,\"2\"\n");
        Run(
            "csv",
            random => Mutator.Mutate(seed, random, Encoding.UTF8.GetBytes(",\"\n\r;-.e9 2147483648")),
            input => 64L * input.Length + 64 * 1024,
            (path, input) => _ = (input.Length % 3) switch
            {
                0 => Csv.Load(path, "label"),
                1 => Csv.Load(path, -1),
                _ => Csv.Load(path, "label", regression: true),
            });
    }

    [Fact]
    public void Safetensors_file() => FuzzSafetensors("safetensors", (network, path, _) => network.Load(path));

    [Fact]
    public void Safetensors_stream() =>
        FuzzSafetensors("safetensors-pipe", (network, _, input) => network.Load(new UnseekableStream(new MemoryStream(input)), "pipe"));

    private void FuzzSafetensors(string loader, Action<INetwork, string, byte[]> load)
    {
        var trained = new BatchNormMlp(); // parameters and buffers (running statistics)
        trained.InitializeParameters(4);
        trained.Buffers.Fill(0.5f);
        var saved = new MemoryStream();
        trained.Save(saved);
        byte[] seed = saved.ToArray();
        int headerEnd = 8 + (int)BitConverter.ToUInt64(seed);
        var network = new BatchNormMlp();
        network.InitializeParameters(9);
        Run(
            loader,
            random => Mutator.MutateSafetensors(seed, headerEnd, random),
            input => 4L * input.Length + 64 * 1024,
            (path, input) =>
            {
                float[] parameters = network.Parameters.ToArray(), buffers = network.Buffers.ToArray();
                try
                {
                    load(network, path, input);
                }
                catch (InvalidDataException)
                {
                    Assert.Equal(parameters, network.Parameters.ToArray());
                    Assert.Equal(buffers, network.Buffers.ToArray());
                    throw;
                }
            });
    }

    /// <summary>How many bytes a gzip input decompresses to before it ends or breaks.</summary>
    private static long Decompressed(byte[] input)
    {
        long total = 0;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(input), CompressionMode.Decompress);
            var buffer = new byte[8192];
            for (int read; (read = gzip.Read(buffer)) > 0;)
            {
                total += read;
            }
        }
        catch (InvalidDataException)
        {
            // counted up to the break
        }

        return total;
    }
}

/// <summary>The mutations: each input is a valid file changed in one to four places.</summary>
internal static class Mutator
{
    private static readonly int[] s_boundaries = [0, 1, -1, 0x7F, 0x80, 0xFF, 0x7FFF_FFFF, int.MinValue, 1 << 24, 0x7FFF_FFC7, 65_536];

    private static readonly string[] s_numbers = ["0", "-1", "1", "2147483647", "2147483648", "9223372036854775807", "18446744073709551616", "1e400", "1.5", "16777216", "-0"];

    public static byte[] Mutate(byte[] seed, Random random, byte[]? dictionary = null) => Mutate(seed, 0, seed.Length, random, dictionary);

    /// <summary>Mutates bytes in [<paramref name="from"/>, <paramref name="to"/>) of a copy of <paramref name="seed"/>.</summary>
    private static byte[] Mutate(byte[] seed, int from, int to, Random random, byte[]? dictionary)
    {
        var bytes = seed.ToList();
        int mutations = 1 + random.Next(4);
        for (int m = 0; m < mutations && to > from && bytes.Count > 0; m++)
        {
            to = Math.Min(to, bytes.Count);
            int at = from + random.Next(Math.Max(1, to - from));
            at = Math.Min(at, bytes.Count - 1);
            switch (random.Next(8))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)s_boundaries[random.Next(s_boundaries.Length)];
                    break;
                case 2: // a 32-bit boundary value, big- or little-endian
                    byte[] word = BitConverter.GetBytes(s_boundaries[random.Next(s_boundaries.Length)]);
                    if (random.Next(2) == 0)
                    {
                        Array.Reverse(word);
                    }

                    for (int i = 0; i < 4 && at + i < bytes.Count; i++)
                    {
                        bytes[at + i] = word[i];
                    }

                    break;
                case 3:
                    bytes.RemoveRange(at, Math.Min(1 + random.Next(16), bytes.Count - at));
                    break;
                case 4:
                    bytes.InsertRange(at, Enumerable.Range(0, 1 + random.Next(8)).Select(_ => dictionary is null ? (byte)random.Next(256) : dictionary[random.Next(dictionary.Length)]));
                    break;
                case 5: // duplicate a chunk
                    int length = Math.Min(1 + random.Next(32), bytes.Count - at);
                    bytes.InsertRange(Math.Min(bytes.Count, at + length), bytes.GetRange(at, length));
                    break;
                case 6:
                    bytes.RemoveRange(at, bytes.Count - at); // truncated
                    break;
                default:
                    bytes[at] = dictionary is null ? (byte)random.Next(256) : dictionary[random.Next(dictionary.Length)];
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>Replaces a gzip file's trailer (CRC and ISIZE) with something else, mostly sizes that promise a lot.</summary>
    public static byte[] ForgeTrailer(byte[] gzip, Random random)
    {
        byte[] forged = (byte[])gzip.Clone();
        if (forged.Length < 4)
        {
            return forged; // .NET writes nothing at all for an empty input
        }

        uint size = random.Next(3) switch
        {
            0 => uint.MaxValue,
            1 => 0x7FFF_FFFFu,
            _ => (uint)random.Next(),
        };
        BitConverter.TryWriteBytes(forged.AsSpan(forged.Length - 4), size);
        return forged;
    }

    /// <summary>
    /// Mostly mutates the JSON header, sometimes as text (a number swapped for a boundary value, with the length prefix
    /// kept right so the parse goes deeper), sometimes the length prefix or the data.
    /// </summary>
    public static byte[] MutateSafetensors(byte[] seed, int headerEnd, Random random)
    {
        switch (random.Next(10))
        {
            case < 4:
                return Mutate(seed, 8, headerEnd, random, null);
            case < 7:
                string header = Encoding.UTF8.GetString(seed, 8, headerEnd - 8);
                var digits = System.Text.RegularExpressions.Regex.Matches(header, "[0-9]+");
                var match = digits[random.Next(digits.Count)];
                header = header[..match.Index] + s_numbers[random.Next(s_numbers.Length)] + header[(match.Index + match.Length)..];
                byte[] json = Encoding.UTF8.GetBytes(header);
                byte[] file = new byte[8 + json.Length + seed.Length - headerEnd];
                BitConverter.TryWriteBytes(file, (ulong)json.Length);
                json.CopyTo(file, 8);
                seed.AsSpan(headerEnd).CopyTo(file.AsSpan(8 + json.Length));
                return file;
            case 7:
                return Mutate(seed, 0, 8, random, null);
            default:
                return Mutate(seed, 0, seed.Length, random, null);
        }
    }
}
