using System;
using System.Numerics.Tensors;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using GenNet.Kernels;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// samples/EmbeddedInference's seed MLP with int8 weights and 8-bit activations calibrated on the first 1,000 Fashion-MNIST
/// training images (fashion-mlp.i8a.safetensors, written by <c>Save(path, WeightPrecision.Int8, calibrationInputs)</c> from
/// fashion-mlp.safetensors): both Dense layers run integer products.
/// </summary>
[Network(Training = false, Weights = "fashion-mlp.i8a.safetensors", WeightPrecision = WeightPrecision.Int8)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionInt8Activations;

/// <summary>
/// The convnet of tests/fixtures/fashion-convnet.safetensors calibrated the same way (fashion-convnet.i8a.safetensors):
/// its Dense layer runs integer products, its convolutions stay int8 weight-only with float activations.
/// </summary>
[Network(Training = false, Weights = "fashion-convnet.i8a.safetensors", WeightPrecision = WeightPrecision.Int8)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class FashionConvInt8Activations;

/// <summary>
/// Calibration (<see cref="SafeTensors.Save(INetwork, string, WeightPrecision, ReadOnlySpan{float})"/>): what it writes,
/// the round trip, bad inputs and files, and the compiled-in integer networks (their accuracy is checked with the other
/// reduced precisions in <see cref="QuantizedWeightsTests"/> and <see cref="QuantizedConvTests"/>).
/// </summary>
public sealed class CalibrationTests
{
    private static float[] Samples(int count, int seed, float low = 0, float high = 1)
    {
        var random = new Random(seed);
        var samples = new float[count * 784];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = low + (float)random.NextDouble() * (high - low);
        }

        return samples;
    }

    private static (JsonElement Header, byte[] Data) Read(byte[] file)
    {
        int length = (int)BitConverter.ToUInt64(file, 0);
        return (JsonDocument.Parse(file.AsMemory(8, length)).RootElement, file.AsSpan(8 + length).ToArray());
    }

    private static float[] Floats(JsonElement header, byte[] data, string tensor)
    {
        JsonElement offsets = header.GetProperty(tensor).GetProperty("data_offsets");
        int begin = offsets[0].GetInt32(), end = offsets[1].GetInt32();
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data.AsSpan(begin, end - begin)).ToArray();
    }

    [Fact]
    public void Each_dense_input_gets_the_quantization_of_its_calibrated_range_and_the_file_loads_as_the_int8_one()
    {
        var network = new MnistMlp();
        network.InitializeParameters(seed: 5);
        float[] samples = Samples(300, seed: 1, low: -0.25f, high: 1); // some negative inputs: a nonzero zero point
        (samples[5], samples[77]) = (-0.25f, 1f); // the range's ends, exactly
        var file = new MemoryStream();
        network.Save(file, WeightPrecision.Int8, samples);
        (JsonElement header, byte[] data) = Read(file.ToArray());

        // dense_0 reads the samples; dense_1 reads relu(dense_0), computed here with the float kernel in the batches the
        // calibration runs (256, then 44): a product's kernel, so its rounding, depends on its number of rows.
        var hidden = new float[300 * 128];
        foreach ((int first, int count) in new[] { (0, 256), (256, 44) })
        {
            Dense.Forward(samples.AsSpan(first * 784, count * 784), network.Parameters.Slice(0, 128 * 784), network.Parameters.Slice(128 * 784, 128),
                hidden.AsSpan(first * 128, count * 128), count, 784, 128);
        }

        float max1 = hidden.Max(v => Math.Max(v, 0f));
        (float scale0, int zero0) = SafeTensors.InputQuantization(samples.Min(), samples.Max());
        Assert.Equal([scale0, zero0], Floats(header, data, "dense_0.weight_input_quant"));
        Assert.Equal([max1 / 255, 0f], Floats(header, data, "dense_1.weight_input_quant"));
        Assert.Equal(1.25f / 255, scale0);
        Assert.Equal(51, zero0); // round(0.25 / (1.25 / 255)) = 51
        Assert.Equal("F32", header.GetProperty("dense_0.weight_input_quant").GetProperty("dtype").GetString());

        // Apart from the input quantizations, the file is the uncalibrated int8 file; loaded, both give the same floats.
        var plain = new MemoryStream();
        network.Save(plain, WeightPrecision.Int8);
        var fromCalibrated = new MnistMlp();
        var fromPlain = new MnistMlp();
        fromCalibrated.Load(new MemoryStream(file.ToArray()), "calibrated.safetensors");
        fromPlain.Load(new MemoryStream(plain.ToArray()), "plain.safetensors");
        Assert.True(fromCalibrated.Parameters.SequenceEqual(fromPlain.Parameters));
        (JsonElement plainHeader, _) = Read(plain.ToArray());
        Assert.Equal(
            plainHeader.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__").Concat(["dense_0.weight_input_quant", "dense_1.weight_input_quant"]).Order(),
            header.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__").Order());
    }

    [Fact]
    public void A_range_widens_to_include_zero_and_never_negative_inputs_get_zero_point_0()
    {
        Assert.Equal((2f / 255, 0), SafeTensors.InputQuantization(0.5f, 2f));
        Assert.Equal((3f / 255, 0), SafeTensors.InputQuantization(0f, 3f));
        Assert.Equal((1f / 255, 255), SafeTensors.InputQuantization(-1f, -0.5f));
        Assert.Equal((2f / 255, 127), SafeTensors.InputQuantization(-1f, 1f)); // 1 / (2 / 255) is 127.49999 in float
        Assert.Equal((1f, 0), SafeTensors.InputQuantization(0f, 0f));
    }

    [Fact]
    public void Bad_calibration_inputs_are_refused_before_the_file_is_touched()
    {
        var network = new MnistMlp();
        network.InitializeParameters(seed: 5);
        string path = Path.Combine(Path.GetTempPath(), $"calibration-{Guid.NewGuid():N}.safetensors");
        float[] withNaN = Samples(3, seed: 2);
        withNaN[784 + 17] = float.NaN;
        Assert.Contains("Calibration sample 1 holds NaN at position 17", Assert.Throws<ArgumentException>(() => network.Save(path, WeightPrecision.Int8, withNaN)).Message);
        Assert.Contains("positive whole number of samples of 784", Assert.Throws<ArgumentException>(() => network.Save(path, WeightPrecision.Int8, new float[785])).Message);
        Assert.Contains("positive whole number", Assert.Throws<ArgumentException>(() => network.Save(path, WeightPrecision.Int8, ReadOnlySpan<float>.Empty)).Message);
        Assert.Contains("need WeightPrecision.Int8, not BFloat16", Assert.Throws<ArgumentException>(() => network.Save(path, WeightPrecision.BFloat16, Samples(1, seed: 3))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => network.Save(path, (WeightPrecision)9, Samples(1, seed: 3)));

        // Finite inputs, but weights so large that the hidden layer overflows: dense_1's input is infinite.
        network.Parameters.Slice(0, 128 * 784).Fill(3e37f);
        var error = Assert.Throws<InvalidDataException>(() => network.Save(path, WeightPrecision.Int8, Samples(2, seed: 4)));
        Assert.Contains("'dense_1.weight' was NaN or infinite", error.Message);
        Assert.False(File.Exists(path));
    }

    private static byte[] Calibrated(out MnistMlp network)
    {
        network = new MnistMlp();
        network.InitializeParameters(seed: 5);
        var file = new MemoryStream();
        network.Save(file, WeightPrecision.Int8, Samples(20, seed: 6));
        return file.ToArray();
    }

    /// <summary>The file with one tensor entry of its header replaced (same length, padded with spaces).</summary>
    private static byte[] WithEntry(byte[] file, string from, string to)
    {
        int length = (int)BitConverter.ToUInt64(file, 0);
        string header = Encoding.UTF8.GetString(file, 8, length);
        Assert.Contains(from, header);
        string changed = header.Replace(from, to);
        Assert.True(changed.Length <= length);
        byte[] copy = (byte[])file.Clone();
        Encoding.UTF8.GetBytes(changed.PadRight(length)).CopyTo(copy, 8);
        return copy;
    }

    [Fact]
    public void Malformed_input_quantizations_are_refused_with_the_tensor_named()
    {
        byte[] file = Calibrated(out MnistMlp network);
        (JsonElement header, _) = Read(file);
        string offsets = header.GetProperty("dense_1.weight_input_quant").GetProperty("data_offsets").GetRawText().Replace(" ", "");
        string entry = $"\"dense_1.weight_input_quant\":{{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":{offsets}}}";

        // A scale tensor of the wrong dtype, and one beside a bias (not an I8 weight): refused by Load and by the compiled-in reader.
        byte[] wrongDtype = WithEntry(file, entry, entry.Replace("\"F32\",\"shape\":[2]", "\"I8\",\"shape\":[8]"));
        var error = Assert.Throws<InvalidDataException>(() => new MnistMlp().Load(new MemoryStream(wrongDtype), "dtype.safetensors"));
        Assert.Contains("'dense_1.weight_input_quant' is I8 [8]", error.Message);
        byte[] orphan = WithEntry(file, entry, entry.Replace("dense_1.weight_input_quant", "dense_1.bias_input_quant"));
        error = Assert.Throws<InvalidDataException>(() => new MnistMlp().Load(new MemoryStream(orphan), "orphan.safetensors"));
        Assert.Contains("'dense_1.bias_input_quant'", error.Message);
        Assert.Contains("not part of", error.Message);

        // Values: a zero scale, a zero point out of range or not an integer are refused when the tensor is first packed.
        ParameterTensor[] tensors = [.. network.ParameterTensors];
        int dataStart = 8 + (int)BitConverter.ToUInt64(file, 0) + header.GetProperty("dense_1.weight_input_quant").GetProperty("data_offsets")[0].GetInt32();
        foreach ((float scale, float zero) in new[] { (0f, 0f), (float.PositiveInfinity, 0f), (0.1f, 256f), (0.1f, 2.5f), (0.1f, -1f) })
        {
            byte[] bad = (byte[])file.Clone();
            BitConverter.GetBytes(scale).CopyTo(bad, dataStart);
            BitConverter.GetBytes(zero).CopyTo(bad, dataStart + 4);
            EmbeddedWeights weights = EmbeddedWeights.Open(new QuantizedWeightsTests.ResourceAssembly("bad.safetensors", bad), "bad.safetensors", tensors, MnistMlp.ParameterCount);
            Assert.Equal(784, weights.QuantizedDense(0, 784, 128).Inputs); // dense_0's is fine
            error = Assert.Throws<InvalidDataException>(() => weights.QuantizedDense(2, 128, 10));
            Assert.Contains("'dense_1.weight_input_quant' holds scale", error.Message);
        }

        // Absent: an uncalibrated int8 file compiled into a network that expects its inputs calibrated.
        var plain = new MemoryStream();
        network.Save(plain, WeightPrecision.Int8);
        EmbeddedWeights uncalibrated = EmbeddedWeights.Open(new QuantizedWeightsTests.ResourceAssembly("plain.safetensors", plain.ToArray()), "plain.safetensors", tensors, MnistMlp.ParameterCount);
        error = Assert.Throws<InvalidDataException>(() => uncalibrated.QuantizedDense(0, 784, 128));
        Assert.Contains("'dense_0.weight' has no calibrated input quantization 'dense_0.weight_input_quant'", error.Message);
        Assert.Throws<InvalidDataException>(() => uncalibrated.QuantizedDense(1, 128, 1)); // the bias: not I8
    }

    [Fact]
    public void The_compiled_in_packing_is_the_calibrated_files_and_is_done_once()
    {
        byte[] file = Calibrated(out MnistMlp network);
        (JsonElement header, byte[] data) = Read(file);
        float[] quantization = Floats(header, data, "dense_0.weight_input_quant");
        EmbeddedWeights weights = EmbeddedWeights.Open(new QuantizedWeightsTests.ResourceAssembly("c.safetensors", file), "c.safetensors", [.. network.ParameterTensors], MnistMlp.ParameterCount);
        QuantizedDenseWeights packed = weights.QuantizedDense(0, 784, 128);
        Assert.Same(packed, weights.QuantizedDense(0, 784, 128));
        Assert.Equal(quantization[0], packed.InputScale);
        Assert.Equal((int)quantization[1], packed.InputZeroPoint);
        Assert.Equal(128, packed.Outputs);

        // The codes, scales and compensations are those of the file's dense_0 tensors packed as the kernel packs them.
        var expected = new QuantizedDenseWeights(weights.Int8(0), weights.Int8Scales(0), quantization[0], (int)quantization[1], 784, 128);
        Assert.Equal(expected.Packed, packed.Packed);
        Assert.Equal(expected.OutputScale, packed.OutputScale);
        Assert.Equal(expected.Compensation, packed.Compensation);
    }

    [Fact]
    public void The_integer_networks_give_each_sample_the_same_bits_alone_or_in_a_batch_and_allocate_nothing()
    {
        float[] images = Samples(17, seed: 8);
        foreach (NetworkBase network in new NetworkBase[] { new FashionInt8Activations(), new FashionConvInt8Activations() })
        {
            var batched = new float[17 * 10];
            network.Forward(images, batched, 17);
            var one = new float[10];
            for (int i = 0; i < 17; i++)
            {
                // The MLP's products are all integer (exact) with one epilogue: the same bits. The convnet's int8-weight
                // convolutions round differently per batch size, so one input code may round the other way: close, the same class.
                network.Forward(images.AsSpan(i * 784, 784), one);
                ReadOnlySpan<float> inBatch = batched.AsSpan(i * 10, 10);
                if (network is FashionInt8Activations)
                {
                    Assert.True(one.AsSpan().SequenceEqual(inBatch), $"{network.GetType().Name}, image {i}: alone and in the batch differ");
                }
                else
                {
                    Assert.Equal(TensorPrimitives.IndexOfMax(inBatch), TensorPrimitives.IndexOfMax(one));
                    for (int j = 0; j < 10; j++)
                    {
                        Assert.True(Math.Abs(one[j] - inBatch[j]) <= 1e-3f, $"{network.GetType().Name}, image {i}, class {j}: {one[j]} alone, {inBatch[j]} in the batch");
                    }
                }
            }

            long[] rounds = new long[5];
            for (int round = 0; round < rounds.Length && (round == 0 || rounds[round - 1] != 0); round++)
            {
                rounds[round] = AllocationTests.Allocated(() =>
                {
                    network.Forward(images.AsSpan(0, 784), one);
                    network.Forward(images, batched, 17);
                });
            }

            Assert.True(Array.IndexOf(rounds, 0L) >= 0, $"{network.GetType().Name}: every round allocated ({string.Join(", ", rounds)} bytes)");
        }
    }
}
