using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using GenNet.Tests.Data;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static MnistMlp Trained()
    {
        var network = new MnistMlp();
        network.InitializeParameters(5);
        var random = new Random(2);
        float[] images = Enumerable.Range(0, 16 * 784).Select(_ => (float)random.NextDouble()).ToArray();
        int[] labels = Enumerable.Range(0, 16).Select(i => i % 10).ToArray();
        var adam = new Adam();
        for (int i = 0; i < 3; i++)
        {
            network.ComputeGradients(images, labels, 16);
            adam.Step(network.Parameters, network.Gradients);
        }

        return network;
    }

    /// <summary>A safetensors file from parts: JSON header text and raw data.</summary>
    private static byte[] File(string header, byte[] data, ulong? claimedLength = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    [Fact]
    public void Save_then_load_gives_identical_parameters_and_predictions()
    {
        MnistMlp trained = Trained();
        string path = _directory.File("mnist.safetensors");
        trained.Save(path);

        var loaded = new MnistMlp();
        loaded.Load(path);
        Assert.Equal(trained.Parameters.ToArray(), loaded.Parameters.ToArray());
        float[] image = Enumerable.Range(0, 784).Select(i => i % 7 / 7f).ToArray();
        Assert.Equal(trained.Predict(image), loaded.Predict(image));
        Assert.Empty(Directory.GetFiles(_directory.Path, "*.tmp")); // the temporary file was renamed away
    }

    /// <summary>Five fixed images, the same in every process.</summary>
    public static float[] ProbeImages() => Enumerable.Range(0, 5 * 784).Select(i => (i * 7919 % 1000) / 1000f).ToArray();

    [Fact]
    public async System.Threading.Tasks.Task Train_save_then_load_in_a_fresh_process_predicts_identically()
    {
        MnistMlp trained = Trained();
        string path = _directory.File("fresh.safetensors");
        trained.Save(path);
        float[] images = ProbeImages();
        var expected = new float[5 * 10];
        trained.Forward(images, expected, 5);

        (int exitCode, string output) = await ChildProcess.RunAsync(null, "predict", path);
        Assert.Equal(0, exitCode);
        string bits = string.Join(" ", expected.Select(v => BitConverter.SingleToInt32Bits(v).ToString("X8", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(bits, output.Trim());
    }

    [Fact]
    public void Random_byte_flips_give_clean_errors_and_bounded_allocation()
    {
        var stream = new MemoryStream();
        new XorNetwork().Save(stream);
        byte[] original = stream.ToArray();
        var random = new Random(12345);
        int rejected = 0, loaded = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            byte[] corrupt = (byte[])original.Clone();
            int flips = 1 + random.Next(4);
            for (int f = 0; f < flips; f++)
            {
                // mostly the header, where a flip changes meaning; sometimes the length or the data
                int index = random.Next(10) < 8 ? 8 + random.Next(corrupt.Length - 8 - 132) : random.Next(corrupt.Length);
                corrupt[index] ^= (byte)(1 << random.Next(8));
            }

            if (trial % 10 == 0)
            {
                corrupt = corrupt[..random.Next(corrupt.Length)]; // truncated
            }

            var network = new XorNetwork();
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                network.Load(new MemoryStream(corrupt), "fuzzed");
                loaded++;
            }
            catch (InvalidDataException error)
            {
                Assert.StartsWith("fuzzed: ", error.Message);
                rejected++;
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 16 * original.Length + 64 * 1024, $"trial {trial} allocated {allocated} bytes for a {corrupt.Length}-byte file");
        }

        Assert.True(rejected > 1000, $"only {rejected} of 2000 corrupt files were rejected");
        Assert.True(loaded > 0, "no flip was harmless (data bytes) — the fuzzer does not reach the data");
    }

    [Fact]
    public void Saved_file_follows_the_format_with_pytorch_names()
    {
        MnistMlp trained = Trained();
        var stream = new MemoryStream();
        trained.Save(stream);
        byte[] bytes = stream.ToArray();
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.Contains("\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[128,784],\"data_offsets\":[0,401408]}", header);
        Assert.Contains("\"dense_1.bias\":{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[407040,407080]}", header);
        Assert.Equal(8 + (long)headerLength + 4L * MnistMlp.ParameterCount, bytes.Length);
        // dense_1.weight[3, 5], read straight from the data section, little-endian
        int index = 100480 + 3 * 128 + 5;
        float stored = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)headerLength + 4 * index));
        Assert.Equal(trained.Parameters[index], stored);
    }

    [Fact]
    public void Half_and_bfloat16_tensors_are_converted()
    {
        var network = new XorNetwork(); // dense_0.weight [8, 2], dense_0.bias [8], dense_1.weight [1, 8], dense_1.bias [1]
        var data = new MemoryStream();
        void Halves(int count, Func<int, float> value) { for (int i = 0; i < count; i++) { var b = new byte[2]; BinaryPrimitives.WriteHalfLittleEndian(b, (Half)value(i)); data.Write(b); } }
        void BFloats(int count, Func<int, float> value) { for (int i = 0; i < count; i++) { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)(BitConverter.SingleToInt32Bits(value(i)) >> 16)); data.Write(b); } }
        Halves(16, i => i * 0.5f);
        BFloats(8, i => -i);
        Halves(8, i => 0.25f);
        BFloats(1, _ => 3f);
        string header = "{\"dense_0.weight\":{\"dtype\":\"F16\",\"shape\":[8,2],\"data_offsets\":[0,32]}," +
                        "\"dense_0.bias\":{\"dtype\":\"BF16\",\"shape\":[8],\"data_offsets\":[32,48]}," +
                        "\"dense_1.weight\":{\"dtype\":\"F16\",\"shape\":[1,8],\"data_offsets\":[48,64]}," +
                        "\"dense_1.bias\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[64,66]}}";
        network.Load(new MemoryStream(File(header, data.ToArray())));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i * 0.5f).Concat(Enumerable.Range(0, 8).Select(i => (float)-i)).Concat(Enumerable.Repeat(0.25f, 8)).Append(3f), network.Parameters.ToArray());
    }

    [Theory]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[8,2],\"data_offsets\":[0,64]}", "the header is not valid JSON")]
    [InlineData("[1,2]", "the header is not a JSON object")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"I32\",\"shape\":[8,2],\"data_offsets\":[0,64]}}", "tensor 'dense_0.weight' has dtype I32; GenNet reads F32, F16, BF16, I8 (with scales) and I64.")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[8,2]}}", "tensor 'dense_0.weight' needs \"dtype\", \"shape\" and two \"data_offsets\".")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[8,2],\"data_offsets\":[0,6400]}}", "tensor 'dense_0.weight' has data_offsets [0, 6400] outside the 132 data bytes.")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[8,2],\"data_offsets\":[0,60]}}", "tensor 'dense_0.weight' has 60 bytes for 16 F32 values (64 bytes).")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[8,2],\"data_offsets\":[0,64]},\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[32,64]}}", "tensors 'dense_0.weight' and 'dense_0.bias' overlap.")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[2,8],\"data_offsets\":[0,64]}}", "tensor 'dense_0.weight' has shape [2, 8]; XorNetwork needs [8, 2].")]
    [InlineData("{\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[8,2],\"data_offsets\":[0,64]}}", "tensor 'dense_0.bias' is missing.")]
    [InlineData("{\"conv.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "tensor 'conv.weight' is not part of XorNetwork")]
    public void Bad_files_are_rejected_naming_the_tensor_and_leaving_parameters_alone(string header, string expected)
    {
        var network = new XorNetwork();
        network.InitializeParameters(1);
        float[] before = network.Parameters.ToArray();
        string path = _directory.File("bad.safetensors");
        System.IO.File.WriteAllBytes(path, File(header, new byte[132]));
        var error = Assert.Throws<InvalidDataException>(() => network.Load(path));
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Equal(before, network.Parameters.ToArray());
    }

    [Fact]
    public void A_truncated_file_names_the_tensor_that_runs_past_the_end()
    {
        var stream = new MemoryStream();
        new XorNetwork().Save(stream);
        byte[] truncated = stream.ToArray()[..^10];
        var error = Assert.Throws<InvalidDataException>(() => new XorNetwork().Load(new MemoryStream(truncated), "xor.safetensors"));
        Assert.Equal("xor.safetensors: tensor 'dense_1.weight' has data_offsets [96, 128] outside the 122 data bytes.", error.Message);
    }

    [Fact]
    public void A_header_length_past_the_end_is_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => new XorNetwork().Load(new MemoryStream(File("{}", [], claimedLength: 1UL << 40)), "weights"));
        Assert.Equal("weights: the header length 1,099,511,627,776 is past the end of the file (2 bytes follow it) or over the 100,000,000-byte limit.", error.Message);
        Assert.Contains("too short", Assert.Throws<InvalidDataException>(() => new XorNetwork().Load(new MemoryStream(new byte[3]))).Message);
    }

    [Fact]
    public void Saving_over_a_file_replaces_it_whole()
    {
        string path = _directory.File("weights.safetensors");
        System.IO.File.WriteAllText(path, "old contents");
        MnistMlp trained = Trained();
        trained.Save(path);
        var loaded = new MnistMlp();
        loaded.Load(path);
        Assert.Equal(trained.Parameters.ToArray(), loaded.Parameters.ToArray());
    }
}
