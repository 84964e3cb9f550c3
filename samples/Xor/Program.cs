// XOR: the smallest network that needs a hidden layer. Trains in a blink and prints what it learned.
using System;
using GenNet;

float[] inputs = [0, 0, 0, 1, 1, 0, 1, 1];
int[] labels = [0, 1, 1, 0];

var model = new XorNet();
model.InitializeParameters(seed: 1);
var optimizer = new Adam(learningRate: 0.05f);

Console.WriteLine($"XorNet: {XorNet.ParameterCount} parameters, loss {model.Loss}");
for (int step = 1; step <= 500; step++)
{
    float loss = model.ComputeGradients(inputs, labels, batchSize: 4);
    optimizer.Step(model); // updates model.Parameters from model.Gradients
    if (step % 100 == 0)
    {
        Console.WriteLine($"step {step,3}  loss {loss:F5}");
    }
}

Span<float> probability = stackalloc float[1];
for (int i = 0; i < 4; i++)
{
    model.Forward(inputs.AsSpan(2 * i, 2), probability);
    Console.WriteLine($"{inputs[2 * i]} xor {inputs[2 * i + 1]} = {labels[i]}   predicted {probability[0]:F3}");
}

/// <summary>2 → 8 tanh → 1 sigmoid, trained with binary cross-entropy (chosen from the sigmoid output).</summary>
[Network]
[Input(2)]
[Dense(8, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class XorNet;
