// Classifies Fashion-MNIST test images with the network samples/Mnist trained, its weights compiled into this
// program: no weight file, no native dependency, and it publishes as a NativeAOT executable.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using GenNet;
using GenNet.Samples.EmbeddedInference;

string data = Environment.GetEnvironmentVariable("GENNET_DATA") is { Length: > 0 } custom ? custom : Mnist.DebianFashionMnistDirectory;
int? index = null;
string precision = "float32";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data" when i + 1 < args.Length:
            data = args[++i];
            break;
        case "--precision" when i + 1 < args.Length && args[i + 1] is "float32" or "bfloat16" or "half" or "int8" or "int8a":
            precision = args[++i];
            break;
        case "--index" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int n):
            index = n;
            i++;
            break;
        default:
            Console.Error.WriteLine("usage: fashion-classify [--data DIR] [--index N] [--precision float32|bfloat16|half|int8|int8a]");
            Console.Error.WriteLine("  classifies Fashion-MNIST test image N, or all 10,000 with accuracy and per-image latency,");
            Console.Error.WriteLine("  with the weights compiled in as 32-bit floats or, written by SafeTensors.Save(path, WeightPrecision), in 16 or 8 bits;");
            Console.Error.WriteLine("  int8a: int8 weights and 8-bit activations calibrated on training images (integer products)");
            return 2;
    }
}

Dataset test;
try
{
    test = Mnist.LoadTest(data);
}
catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}

NetworkBase classifier = precision switch
{
    "bfloat16" => new FashionClassifierBFloat16(),
    "half" => new FashionClassifierHalf(),
    "int8" => new FashionClassifierInt8(),
    "int8a" => new FashionClassifierInt8Activations(),
    _ => new FashionClassifier(),
};
var image = new float[FashionClassifier.InputSize];
var probabilities = new float[FashionClassifier.OutputSize];

if (index is { } one)
{
    if (one >= test.Count)
    {
        Console.Error.WriteLine($"--index {one}: the test set has {test.Count} images.");
        return 2;
    }

    test.CopyFeatures(one, image);
    classifier.Forward(image, probabilities);
    int predicted = classifier.PredictClass(image);
    Console.WriteLine($"image {one}: {Classes.Names[predicted]} ({probabilities[predicted]:P1}); labelled {Classes.Names[test.Labels[one]]}");
    return 0;
}

int correct = 0;
long elapsed = 0;
for (int i = 0; i < test.Count; i++)
{
    test.CopyFeatures(i, image);
    long start = Stopwatch.GetTimestamp();
    classifier.Forward(image, probabilities);
    elapsed += Stopwatch.GetTimestamp() - start;
    if (ArgMax(probabilities) == test.Labels[i])
    {
        correct++;
    }
}

double microseconds = elapsed * 1e6 / Stopwatch.Frequency / test.Count;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{test.Count:N0} test images, {precision} weights: accuracy {(double)correct / test.Count:F4}, {microseconds:F2} µs per image (one at a time, one thread)"));
return 0;

static int ArgMax(ReadOnlySpan<float> values)
{
    int best = 0;
    for (int i = 1; i < values.Length; i++)
    {
        if (values[i] > values[best])
        {
            best = i;
        }
    }

    return best;
}

namespace GenNet.Samples.EmbeddedInference
{
    /// <summary>samples/Mnist's network, inference only, with its trained weights compiled in.</summary>
    [Network(Training = false, Weights = "fashion-mlp.safetensors")]
    [Input(28, 28)]
    [Flatten]
    [Dense(128, Activation.ReLU)]
    [Dense(10, Activation.Softmax)]
    public partial class FashionClassifier;

    /// <summary>The same weights, written by <c>Save(path, WeightPrecision.BFloat16)</c>: half the bytes, multiplied as stored.</summary>
    [Network(Training = false, Weights = "fashion-mlp.bf16.safetensors", WeightPrecision = WeightPrecision.BFloat16)]
    [Input(28, 28)]
    [Flatten]
    [Dense(128, Activation.ReLU)]
    [Dense(10, Activation.Softmax)]
    public partial class FashionClassifierBFloat16;

    /// <summary>The same weights in IEEE half precision (<c>WeightPrecision.Half</c>).</summary>
    [Network(Training = false, Weights = "fashion-mlp.f16.safetensors", WeightPrecision = WeightPrecision.Half)]
    [Input(28, 28)]
    [Flatten]
    [Dense(128, Activation.ReLU)]
    [Dense(10, Activation.Softmax)]
    public partial class FashionClassifierHalf;

    /// <summary>The same weights as int8 codes with one scale per output (<c>WeightPrecision.Int8</c>): a quarter of the bytes.</summary>
    [Network(Training = false, Weights = "fashion-mlp.i8.safetensors", WeightPrecision = WeightPrecision.Int8)]
    [Input(28, 28)]
    [Flatten]
    [Dense(128, Activation.ReLU)]
    [Dense(10, Activation.Softmax)]
    public partial class FashionClassifierInt8;

    /// <summary>
    /// The same int8 weights with each Dense layer's input quantized to 8 bits as calibrated on the first 1,000 training
    /// images (<c>Save(path, WeightPrecision.Int8, calibrationInputs)</c>): the products are integer (AVX-VNNI where present).
    /// </summary>
    [Network(Training = false, Weights = "fashion-mlp.i8a.safetensors", WeightPrecision = WeightPrecision.Int8)]
    [Input(28, 28)]
    [Flatten]
    [Dense(128, Activation.ReLU)]
    [Dense(10, Activation.Softmax)]
    public partial class FashionClassifierInt8Activations;

    internal static class Classes
    {
        public static readonly string[] Names =
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
    }
}
