// Checks what a package consumer gets: the generator runs, training works, weights compile in.
using System;
using GenNet;

var xor = new Xor();
xor.InitializeParameters(seed: 1);
var adam = new Adam(0.05f);
float[] inputs = [0, 0, 0, 1, 1, 0, 1, 1];
int[] labels = [0, 1, 1, 0];
float loss = 0;
for (int step = 0; step < 500; step++)
{
    loss = xor.ComputeGradients(inputs, labels, 4);
    adam.Step(xor.Parameters, xor.Gradients);
}

var pretrained = new Pretrained();
float[] probabilities = pretrained.Predict(new float[Pretrained.InputSize]);
float total = probabilities[0] + probabilities[1] + probabilities[2];
bool ok = loss < 0.01f && Math.Abs(total - 1f) < 1e-5f;
Console.WriteLine($"package consumer: XOR loss {loss:F5}, compiled-in weights give probabilities summing to {total:F6}: {(ok ? "ok" : "FAILED")}");
return ok ? 0 : 1;

[Network]
[Input(2)]
[Dense(8, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
partial class Xor;

[Network(Training = false, Weights = "pytorch_mlp_arena.safetensors")]
[Input(3, 4)]
[Flatten]
[Dense(5, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
partial class Pretrained;
