// A Fashion-MNIST classifier trained by PyTorch (train_fashion.py, beside this file) and compiled into this program from
// the ONNX file the script wrote: <GenNetOnnx Include="fashion-cnn.onnx" /> in the project and [Network(Onnx = …)] on an
// empty partial class below. No Python, no ONNX Runtime and no weight file at run time.
using System;
using System.Globalization;
using System.IO;
using GenNet;
using GenNet.Samples.OnnxImport;

string data = Environment.GetEnvironmentVariable("GENNET_DATA") is { Length: > 0 } custom ? custom : Mnist.DebianFashionMnistDirectory;
int fineTuneEpochs = 0;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data" when i + 1 < args.Length:
            data = args[++i];
            break;
        case "--fine-tune":
            fineTuneEpochs = 1;
            break;
        case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int epochs) && epochs > 0:
            fineTuneEpochs = epochs;
            i++;
            break;
        default:
            Console.Error.WriteLine("usage: GenNet.Samples.OnnxImport [--data DIR] [--fine-tune [--epochs N]]");
            Console.Error.WriteLine("  classifies the 10,000 Fashion-MNIST test images with the network compiled from fashion-cnn.onnx;");
            Console.Error.WriteLine("  --fine-tune then trains the same imported network (Training = true) on the 60,000 training images");
            Console.Error.WriteLine("  for 1 epoch (or N) with Adam at 1e-4, starting from PyTorch's weights, and evaluates it again");
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
    Console.Error.WriteLine("Get Fashion-MNIST with:  sudo apt-get install dataset-fashion-mnist  (or pass --data DIR)");
    return 2;
}

var classifier = new FashionCnn();
Console.WriteLine(((INetwork)classifier).Summary);
Console.WriteLine();

double accuracy = Accuracy(classifier, test);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"GenNet, compiled from fashion-cnn.onnx: test accuracy {accuracy:F4} on {test.Count:N0} images"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"PyTorch, when train_fashion.py wrote the file: test accuracy {FashionCnn.PyTorchTestAccuracy:F4}"));
if (fineTuneEpochs == 0)
{
    return 0;
}

// The same file imported with Training = true: PyTorch's weights are where training starts (no InitializeParameters).
Dataset train = Mnist.LoadTrain(data);
var trainable = new FashionCnnTrainable();
Console.WriteLine();
Console.WriteLine($"Fine-tuning on {train.Count:N0} training images, Adam at 1e-4, batch 128, {fineTuneEpochs} epoch(s):");
trainable.Fit(train, new Adam(learningRate: 1e-4f), fineTuneEpochs, batchSize: 128, seed: 1);
Evaluation tuned = trainable.Evaluate(test);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"GenNet, fine-tuned: test loss {tuned.Loss:F4} - test accuracy {tuned.Accuracy:F4}"));
return 0;

// Batches of 500 through Forward; the predicted class is the largest probability.
static double Accuracy(INetwork network, Dataset test)
{
    const int Batch = 500;
    var images = new float[Batch * network.InputSize];
    var probabilities = new float[Batch * network.OutputSize];
    int correct = 0;
    for (int start = 0; start < test.Count; start += Batch)
    {
        int count = Math.Min(Batch, test.Count - start);
        for (int i = 0; i < count; i++)
        {
            test.CopyFeatures(start + i, images.AsSpan(i * network.InputSize, network.InputSize));
        }

        network.Forward(images.AsSpan(0, count * network.InputSize), probabilities.AsSpan(0, count * network.OutputSize), count);
        for (int i = 0; i < count; i++)
        {
            if (ArgMax(probabilities.AsSpan(i * network.OutputSize, network.OutputSize)) == test.Labels[start + i])
            {
                correct++;
            }
        }
    }

    return (double)correct / test.Count;
}

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

namespace GenNet.Samples.OnnxImport
{
    /// <summary>
    /// PyTorch's two-block convolutional network (BatchNorm folded into the convolutions by the exporter, Dropout gone),
    /// as the ONNX file describes it, inference only, with its trained weights compiled in.
    /// </summary>
    [Network(Onnx = "fashion-cnn.onnx")]
    public partial class FashionCnn
    {
        /// <summary>The test accuracy train_fashion.py printed when it wrote the committed fashion-cnn.onnx.</summary>
        public const double PyTorchTestAccuracy = 0.9120;
    }

    /// <summary>
    /// The same file imported as a trainable network (<c>Training = true</c>), for <c>--fine-tune</c>: the convolutions carry
    /// the folded BatchNorms, so fine-tuning trains them without normalisation, and there is no Dropout (the export left none).
    /// </summary>
    [Network(Onnx = "fashion-cnn.onnx", Training = true)]
    public partial class FashionCnnTrainable;
}
