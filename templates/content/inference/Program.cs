using GenNet;

// An inference-only network whose weights (model.safetensors, a network trained on XOR) are compiled into this program:
// nothing to load at run time, and one instance may serve any number of threads.
var model = new XorModel();
Console.WriteLine(XorModel.Summary);
foreach ((float a, float b) in new[] { (0f, 0f), (0f, 1f), (1f, 0f), (1f, 1f) })
{
    float probability = model.Predict([a, b])[0];
    Console.WriteLine($"{a} xor {b} -> {probability:F3} ({(probability > 0.5f ? 1 : 0)})");
}

/// <summary>
/// The declaration the weights were trained for; the build checks model.safetensors against it (tensor names and
/// shapes). To ship your own network, replace both: the declaration you trained and the file its Save wrote.
/// </summary>
[Network(Training = false, Weights = "model.safetensors")]
[Input(2)]
[Dense(8, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class XorModel;
