using System;
using System.IO;
using System.Linq;
using System.Text;
using GenNet.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>samples/EmbeddedInference's trained seed MLP, inference only, its weights compiled in as 32-bit floats.</summary>
[Network(Training = false, Weights = "fashion-mlp.safetensors")]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionFloat32;

/// <summary>The same network with its Dense weights compiled in and multiplied as bfloat16.</summary>
[Network(Training = false, Weights = "fashion-mlp.bf16.safetensors", WeightPrecision = WeightPrecision.BFloat16)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionBFloat16;

/// <summary>The same network with its Dense weights compiled in and multiplied as IEEE half.</summary>
[Network(Training = false, Weights = "fashion-mlp.f16.safetensors", WeightPrecision = WeightPrecision.Half)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionHalf;

/// <summary>The same network with its Dense weights compiled in as int8 codes with per-output scales.</summary>
[Network(Training = false, Weights = "fashion-mlp.i8.safetensors", WeightPrecision = WeightPrecision.Int8)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionInt8;

/// <summary>
/// Post-training quantization: the error bounds of each format, the file round trip, bad files, and the compiled-in
/// 16- and 8-bit networks against the float one — outputs within a stated tolerance and Fashion-MNIST accuracy within
/// 0.2 (16-bit) and 0.5 (8-bit) percentage points on the first 2,000 test images.
/// </summary>
public sealed class QuantizedWeightsTests(ITestOutputHelper output)
{
    private static readonly float[] s_magnitudes = [1e-30f, 1e-6f, 0.01f, 0.3f, 1f, 7f, 1000f, 3e30f];

    [Fact]
    public void BFloat16_rounds_to_nearest_even_within_2_to_the_minus_8_of_each_weight()
    {
        var random = new Random(1);
        foreach (float magnitude in s_magnitudes)
        {
            for (int i = 0; i < 2000; i++)
            {
                float w = (float)((random.NextDouble() * 2 - 1) * magnitude);
                float back = BitConverter.Int32BitsToSingle(SafeTensors.ToBFloat16(w) << 16);
                Assert.True(Math.Abs(back - w) <= Math.Abs(w) * Math.Pow(2, -8), $"{w} → {back}");
            }
        }

        foreach (float magnitude in new[] { 1e-4f, 0.01f, 0.3f, 1f, 7f, 1000f, 60000f })
        {
            for (int i = 0; i < 2000; i++)
            {
                float w = (float)((random.NextDouble() * 2 - 1) * magnitude);
                float back = (float)(Half)w; // what Save writes for WeightPrecision.Half: within 2⁻¹¹ of each normal half
                Assert.True(Math.Abs(back - w) <= Math.Max(Math.Abs(w) * Math.Pow(2, -11), Math.Pow(2, -25)), $"half: {w} → {back}"); // subnormals: half of 2⁻²⁴
            }
        }

        // Ties go to the even mantissa: 1 + 2⁻⁸ lies halfway between 1 and 1 + 2⁻⁷.
        Assert.Equal(0x3F80, SafeTensors.ToBFloat16(1f + MathF.Pow(2, -8)));
        Assert.Equal(0x3F82, SafeTensors.ToBFloat16(1f + 3 * MathF.Pow(2, -8)));
        Assert.Equal(0x7F80, SafeTensors.ToBFloat16(float.PositiveInfinity));
        Assert.True(float.IsNaN(BitConverter.Int32BitsToSingle(SafeTensors.ToBFloat16(float.NaN) << 16)));
    }

    [Fact]
    public void Int8_codes_lie_within_half_a_scale_and_the_largest_magnitude_maps_to_127()
    {
        var random = new Random(2);
        foreach (int length in new[] { 1, 3, 17, 129 })
        {
            float[] channel = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var codes = new sbyte[length];
            float scale = SafeTensors.QuantizeInt8(channel, codes);
            float largest = channel.Max(MathF.Abs);
            Assert.Equal(largest / 127, scale);
            for (int i = 0; i < length; i++)
            {
                Assert.InRange(codes[i], (sbyte)-127, (sbyte)127);
                Assert.True(Math.Abs(codes[i] * scale - channel[i]) <= scale / 2 * 1.000001, $"{channel[i]} → {codes[i]} × {scale}");
                if (MathF.Abs(channel[i]) == largest)
                {
                    Assert.Equal(127, Math.Abs((int)codes[i]));
                }
            }
        }

        var zeros = new sbyte[] { 5, 5 };
        Assert.Equal(0f, SafeTensors.QuantizeInt8(new float[2], zeros));
        Assert.Equal(new sbyte[] { 0, 0 }, zeros);
    }

    [Theory]
    [InlineData(WeightPrecision.BFloat16, "BF16", 203_264)]
    [InlineData(WeightPrecision.Half, "F16", 203_264)]
    [InlineData(WeightPrecision.Int8, "I8", 101_632)]
    public void A_quantized_file_loads_as_its_decoded_weights_and_keeps_biases_exact(WeightPrecision precision, string dtype, int weightBytes)
    {
        var network = new MnistMlp();
        network.InitializeParameters(seed: 5);
        network.Parameters[MnistMlp.ParameterCount - 1] = 0.123456789f; // a bias: stays F32
        var file = new MemoryStream();
        network.Save(file, precision);
        string header = Encoding.UTF8.GetString(file.ToArray(), 8, (int)BitConverter.ToUInt64(file.ToArray(), 0));
        Assert.Contains($"\"dense_0.weight\":{{\"dtype\":\"{dtype}\"", header);
        Assert.Contains("\"dense_0.bias\":{\"dtype\":\"F32\"", header);
        Assert.Equal(precision == WeightPrecision.Int8, header.Contains("\"dense_0.weight_scale\":{\"dtype\":\"F32\",\"shape\":[128]"));

        // 784 × 128 + 128 × 10 = 101,632 weights in 2 or 1 bytes each (4 as floats), 138 biases as floats, and for int8 138 scales.
        long dataBytes = file.Length - 8 - (long)BitConverter.ToUInt64(file.ToArray(), 0);
        Assert.Equal(weightBytes + 4 * 138 + (precision == WeightPrecision.Int8 ? 4 * 138 : 0), dataBytes);

        var loaded = new MnistMlp();
        file.Position = 0;
        loaded.Load(file);
        foreach (ParameterTensor tensor in network.ParameterTensors)
        {
            ReadOnlySpan<float> before = network.Parameters.Slice(tensor.Offset, tensor.Length), after = loaded.Parameters.Slice(tensor.Offset, tensor.Length);
            bool matrix = tensor.Shape.Count == 2;
            float scale = 0;
            for (int i = 0; i < before.Length; i++)
            {
                if (matrix && precision == WeightPrecision.Int8 && i % tensor.Shape[1] == 0)
                {
                    scale = 0;
                    for (int k = 0; k < tensor.Shape[1]; k++)
                    {
                        scale = MathF.Max(scale, MathF.Abs(before[i + k]));
                    }

                    scale /= 127;
                }

                float expected = !matrix ? before[i] : precision switch
                {
                    WeightPrecision.BFloat16 => BitConverter.Int32BitsToSingle(SafeTensors.ToBFloat16(before[i]) << 16),
                    WeightPrecision.Half => (float)(Half)before[i],
                    _ => MathF.Round(before[i] / scale, MidpointRounding.ToEven) * scale,
                };
                Assert.True(expected == after[i], $"{tensor.Name}[{i}]: loaded {after[i]}, expected {expected} (saved {before[i]})");
            }
        }
    }

    [Fact]
    public void Bad_files_and_weights_are_refused_with_the_tensor_named()
    {
        var network = new MnistMlp();
        network.InitializeParameters(seed: 6);
        var file = new MemoryStream();
        network.Save(file, WeightPrecision.Int8);
        byte[] bytes = file.ToArray();
        int headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        string header = Encoding.UTF8.GetString(bytes, 8, headerLength);

        // The scales renamed away: the I8 tensor has none, and the renamed tensor belongs to no layer.
        string noScale = header.Replace("\"dense_1.weight_scale\"", "\"dense_1.weight_scalX\"");
        var error = Assert.Throws<InvalidDataException>(() => new MnistMlp().Load(new MemoryStream(WithHeader(bytes, headerLength, noScale)), "noscale.safetensors"));
        Assert.Contains("noscale.safetensors", error.Message);
        Assert.Contains("dense_1.weight_scalX", error.Message);

        // Scales of the wrong dtype: an I8 tensor's scales must be F32 [outputs].
        int at = header.IndexOf("\"dense_1.weight_scale\":{\"dtype\":\"F32\",\"shape\":[10]", StringComparison.Ordinal);
        Assert.True(at >= 0, header);
        string wrongShape = header.Remove(at, "\"dense_1.weight_scale\":{\"dtype\":\"F32\",\"shape\":[10]".Length)
            .Insert(at, "\"dense_1.weight_scale\":{\"dtype\":\"I8\",\"shape\":[40]");
        error = Assert.Throws<InvalidDataException>(() => new MnistMlp().Load(new MemoryStream(WithHeader(bytes, headerLength, wrongShape)), "scales.safetensors"));
        Assert.Contains("the scales of 'dense_1.weight' must be F32 [10]", error.Message);

        // A dtype GenNet does not read.
        string u8 = header.Replace("\"dense_1.weight\":{\"dtype\":\"I8\"", "\"dense_1.weight\":{\"dtype\":\"U8\"");
        error = Assert.Throws<InvalidDataException>(() => new MnistMlp().Load(new MemoryStream(WithHeader(bytes, headerLength, u8)), "u8.safetensors"));
        Assert.Contains("dtype U8", error.Message);

        // Weights that a format cannot hold are refused before anything is written.
        network.Parameters[3] = 70_000f;
        error = Assert.Throws<InvalidDataException>(() => network.Save(new MemoryStream(), WeightPrecision.Half));
        Assert.Contains("'dense_0.weight' holds 70000", error.Message);
        network.Parameters[3] = float.NaN;
        error = Assert.Throws<InvalidDataException>(() => network.Save(Path.Combine(Path.GetTempPath(), $"gennet-never-{Guid.NewGuid():N}.safetensors"), WeightPrecision.Int8));
        Assert.Contains("NaN", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => network.Save(new MemoryStream(), (WeightPrecision)7));
    }

    // The same data behind a changed header, padded with spaces to its old length (the data offsets are unchanged).
    private static byte[] WithHeader(byte[] file, int headerLength, string header)
    {
        byte[] text = Encoding.UTF8.GetBytes(header.PadRight(headerLength));
        Assert.Equal(headerLength, text.Length);
        byte[] changed = (byte[])file.Clone();
        text.CopyTo(changed, 8);
        return changed;
    }

    /// <summary>The compiled-in networks of reduced precision, and how far each may stray from the float one per probability.</summary>
    public static TheoryData<string, double> ReducedNetworks => new() { { "BFloat16", 0.02 }, { "Half", 0.002 }, { "Int8", 0.05 }, { "Int8Activations", 0.05 } };

    private static NetworkBase Reduced(string precision) => precision switch
    {
        "BFloat16" => new FashionBFloat16(),
        "Half" => new FashionHalf(),
        "Int8Activations" => new FashionInt8Activations(),
        _ => new FashionInt8(),
    };

    [Theory]
    [MemberData(nameof(ReducedNetworks))]
    public void A_reduced_precision_network_agrees_with_the_float_one(string precision, double tolerance)
    {
        (Dataset test, int count) = (LoadTest(), 2000);
        var reference = new FashionFloat32();
        NetworkBase reduced = Reduced(precision);
        var images = new float[count * 784];
        for (int i = 0; i < count; i++)
        {
            test.CopyFeatures(i, images.AsSpan(i * 784, 784));
        }

        var expected = new float[count * 10];
        var batched = new float[count * 10];
        var one = new float[10];
        reference.Forward(images, expected, count);
        reduced.Forward(images, batched, count); // batches of 2,000: the packed panels
        int correctFloat = 0, correctReduced = 0;
        double largest = 0;
        for (int i = 0; i < count; i++)
        {
            reduced.Forward(images.AsSpan(i * 784, 784), one); // one sample: decoding in registers
            for (int k = 0; k < 10; k++)
            {
                largest = Math.Max(largest, Math.Abs(one[k] - expected[i * 10 + k]));
                Assert.True(Math.Abs(one[k] - batched[i * 10 + k]) <= 1e-5, $"image {i}, class {k}: one at a time {one[k]}, in the batch {batched[i * 10 + k]}");
            }

            correctFloat += ArgMax(expected.AsSpan(i * 10, 10)) == test.Labels[i] ? 1 : 0;
            correctReduced += ArgMax(one) == test.Labels[i] ? 1 : 0;
        }

        double points = 100.0 * (correctReduced - correctFloat) / count;
        output.WriteLine($"{precision}: largest probability difference {largest:E2}; accuracy on {count} test images {100.0 * correctReduced / count:F2} % against {100.0 * correctFloat / count:F2} % ({points:+0.00;-0.00} pp)");
        Assert.True(largest <= tolerance, $"largest probability difference {largest} over {tolerance}");
        Assert.True(Math.Abs(points) <= (precision.StartsWith("Int8", StringComparison.Ordinal) ? 0.5 : 0.2), $"accuracy differs by {points} pp");
        Assert.Null(typeof(FashionInt8).GetInterface(nameof(ITrainableNetwork)));
    }

    [Fact]
    public void Once_the_parameters_are_asked_for_the_network_computes_with_them_in_float()
    {
        var reduced = new FashionBFloat16();
        float[] image = SafeTensorsTests.ProbeImages().AsSpan(0, 784).ToArray();
        var before = new float[10];
        reduced.Forward(image, before);

        Span<float> parameters = reduced.Parameters; // the decoded bfloat16 weights, now a float arena of its own
        var decoded = new float[10];
        reduced.Forward(image, decoded);
        for (int k = 0; k < 10; k++)
        {
            Assert.True(Math.Abs(before[k] - decoded[k]) <= 1e-5, $"class {k}: {before[k]} from the stored weights, {decoded[k]} from the decoded arena");
        }

        parameters[FashionBFloat16.ParameterCount - 1] += 5; // the last bias: class 9 gains where the stored weights would not see it
        reduced.Forward(image, decoded);
        Assert.True(decoded[9] > before[9], $"class 9: {decoded[9]} after raising its bias, {before[9]} before");
    }

    internal static Dataset LoadTest()
    {
        string directory = Environment.GetEnvironmentVariable("GENNET_DATA") is { Length: > 0 } custom ? custom : Mnist.DebianFashionMnistDirectory;
        Assert.True(Directory.Exists(directory), $"Fashion-MNIST is not in {directory}: run `sudo apt-get install dataset-fashion-mnist` (as .ci/run does) or set GENNET_DATA.");
        return Mnist.LoadTest(directory);
    }

    internal static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
    }

    [Fact]
    public void Stored_weights_are_refused_when_a_half_is_not_finite_or_the_dtype_is_not_the_compiled_one()
    {
        var network = new MnistMlp();
        network.InitializeParameters(seed: 7);
        var file = new MemoryStream();
        network.Save(file, WeightPrecision.Half);
        byte[] bytes = file.ToArray();
        var resource = new ResourceAssembly("half.safetensors", bytes);
        EmbeddedWeights weights = EmbeddedWeights.Open(resource, "half.safetensors", network.ParameterTensors.ToArray(), MnistMlp.ParameterCount);

        // Not mapped (a stream that is not the assembly image): the stored tensors point into a pinned copy of the file.
        ReadOnlySpan<ushort> first = weights.Half(0);
        Assert.Equal(784 * 128, first.Length);
        Assert.Equal(BitConverter.HalfToUInt16Bits((Half)network.Parameters[5]), first[5]);
        Assert.Equal(128 * 10, weights.Half(2).Length);
        var error = Assert.Throws<InvalidDataException>(() => weights.BFloat16(0));
        Assert.Contains("stored as F16, not BF16", error.Message);
        Assert.Throws<InvalidDataException>(() => weights.Int8(1)); // the bias: F32

        // An infinity in the second weight matrix: refused when that tensor is first asked for, whatever was asked before.
        int headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        string header = Encoding.UTF8.GetString(bytes, 8, headerLength);
        int begin = header.IndexOf("\"dense_1.weight\":{\"dtype\":\"F16\",\"shape\":[10,128],\"data_offsets\":[", StringComparison.Ordinal);
        Assert.True(begin >= 0, header);
        string offsets = header.Substring(begin).Split('[')[2];
        int dataOffset = int.Parse(offsets.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        bytes[8 + headerLength + dataOffset + 2 * 17 + 1] = 0x7C; // weight 17 of dense_1: 0x7C00, +∞
        bytes[8 + headerLength + dataOffset + 2 * 17] = 0x00;
        weights = EmbeddedWeights.Open(new ResourceAssembly("inf.safetensors", bytes), "inf.safetensors", network.ParameterTensors.ToArray(), MnistMlp.ParameterCount);
        Assert.Equal(784 * 128, weights.Half(0).Length);
        error = Assert.Throws<InvalidDataException>(() => weights.Half(2));
        Assert.Contains("'dense_1.weight' holds an F16 infinity or NaN", error.Message);
    }

    /// <summary>An assembly with one manifest resource, served as a MemoryStream (the unmapped path of EmbeddedWeights).</summary>
    internal sealed class ResourceAssembly(string name, byte[] content) : System.Reflection.Assembly
    {
        public override Stream? GetManifestResourceStream(string resource) => resource == name ? new MemoryStream(content, writable: false) : null;

        public override System.Reflection.AssemblyName GetName() => new("Resources");
    }
}
