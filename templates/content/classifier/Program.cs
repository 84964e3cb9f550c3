using GenNet;

// Usage: dotnet run [data folder] [epochs]
// The data folder holds MNIST-format IDX files; by default Debian's dataset-fashion-mnist package.
string folder = args.Length > 0 ? args[0] : Mnist.DebianFashionMnistDirectory;
int epochs = args.Length > 1 ? int.Parse(args[1]) : 5;

(Dataset train, Dataset test) = Mnist.Load(folder);
var model = new Classifier();
model.InitializeParameters(seed: 1);
Console.WriteLine(Classifier.Summary);

model.Fit(train, new Adam(), epochs, batchSize: 32);
Evaluation result = model.Evaluate(test);
Console.WriteLine($"Test loss: {result.Loss:F4} - test accuracy: {result.Accuracy:F4}");

model.Save("model.safetensors");
Console.WriteLine("Saved model.safetensors");

/// <summary>
/// The network, checked by the compiler: change a layer and the generated code changes with it. 28×28 images in,
/// ten class probabilities out.
/// </summary>
[Network]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class Classifier;
