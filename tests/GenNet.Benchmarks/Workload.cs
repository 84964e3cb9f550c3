using System;
using System.IO;
using System.Linq;

namespace GenNet.Benchmarks;

/// <summary>The seed's MLP (784 → 128 ReLU → 10 softmax) as GenNet compiles it.</summary>
[Network]
[Input(784)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class BenchMlp;

/// <summary>What every contender works on: Fashion-MNIST and one set of initial weights (GenNet's, seed 42).</summary>
public static class Workload
{
    /// <summary>Model FLOPs per sample: a multiply-add is 2; training counts forward + backward as 3× forward (the usual convention).</summary>
    public const long ForwardFlops = 2L * (784 * 128 + 128 * 10);

    public const long TrainingFlops = 3 * ForwardFlops;

    private static readonly Lazy<(Dataset Train, float[] Images, long[] Labels)> s_data = new(Load);

    /// <summary>The training set: 60,000 images (the first 6,000 in quick mode).</summary>
    public static Dataset Train => s_data.Value.Train;

    /// <summary>The same images as one float array [count, 784], for the peers.</summary>
    public static float[] Images => s_data.Value.Images;

    public static long[] Labels => s_data.Value.Labels;

    /// <summary>Set by <c>--quick</c>: fewer iterations and a tenth of the data.</summary>
    public static bool Quick { get; set; }

    public static BenchMlp InitialNetwork()
    {
        var network = new BenchMlp();
        network.InitializeParameters(42);
        return network;
    }

    /// <summary>weight [out, in] and bias of layer <paramref name="layer"/>, from GenNet's arena.</summary>
    /// <remarks>Read through <see cref="NetworkBase.ParameterValues"/>: <c>Parameters</c> would hand the arena out, after which a trainable network reads its Dense weights as they lie on every call.</remarks>
    public static (float[] Weight, float[] Bias) Layer(NetworkBase network, int layer)
    {
        ReadOnlySpan<float> values = network.ParameterValues;
        ParameterTensor weight = network.ParameterTensors[2 * layer], bias = network.ParameterTensors[2 * layer + 1];
        return (values.Slice(weight.Offset, weight.Length).ToArray(), values.Slice(bias.Offset, bias.Length).ToArray());
    }

    private static (Dataset, float[], long[]) Load()
    {
        string directory = Environment.GetEnvironmentVariable("GENNET_DATA") is { Length: > 0 } custom ? custom : Mnist.DebianFashionMnistDirectory;
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Fashion-MNIST is not in {directory}: sudo apt-get install dataset-fashion-mnist");
        }

        Dataset train = Mnist.LoadTrain(directory);
        if (Quick)
        {
            train = train.Subset(Enumerable.Range(0, 6_000).ToArray());
        }

        var images = new float[train.Count * 784];
        for (int i = 0; i < train.Count; i++)
        {
            train.CopyFeatures(i, images.AsSpan(i * 784, 784));
        }

        var flat = Dataset.Create(images, train.Labels.ToArray(), 784);
        return (flat, images, train.Labels.ToArray().Select(l => (long)l).ToArray());
    }

    /// <summary>The network as GenNet exports it to ONNX (SaveOnnx), the ONNX Runtime peer's model: the same weights, the same input layout.</summary>
    public static byte[] Onnx(INetwork network)
    {
        var stream = new MemoryStream();
        network.SaveOnnx(stream);
        return stream.ToArray();
    }
}
