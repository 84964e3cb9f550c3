// Checks what a package consumer gets: the generator runs, training works, weights compile in, and GenNet.Plots draws
// (ScottPlot and SkiaSharp's native library restored from the package graph).
using System;
using System.IO;
using GenNet;
using GenNet.Plots;

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
// Fit with a metric, then the learning curves from GenNet.Plots: a PNG of the requested size.
var fitted = new Xor();
fitted.InitializeParameters(seed: 2);
History history = fitted.Fit(Dataset.Create(inputs, labels, 2), new Adam(0.05f), epochs: 20, new FitOptions { Metrics = [Metric.Auc] },
    batchSize: 4, verbosity: Verbosity.Silent);
string plot = Path.Combine(Path.GetTempPath(), $"gennet-consumer-{Environment.ProcessId}.png");
LearningCurves.Save(history, plot, width: 640, height: 240);
byte[] png = File.ReadAllBytes(plot);
File.Delete(plot);
int width = png.Length > 24 ? png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19] : 0; // the IHDR chunk's width
int height = png.Length > 24 ? png[20] << 24 | png[21] << 16 | png[22] << 8 | png[23] : 0;
bool plotted = png.Length > 1000 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G' && width == 640 && height == 240;

// An ONNX file compiled in through the package's import task: a [14, 14, 1] image to ten probabilities.
var imported = new ImportedConvnet();
float[] image = new float[ImportedConvnet.InputSize];
for (int i = 0; i < image.Length; i++)
{
    image[i] = (i % 7) / 7f;
}

float[] classes = imported.Predict(image);
float importedTotal = 0;
foreach (float p in classes)
{
    importedTotal += p;
}

bool ok = loss < 0.01f && Math.Abs(total - 1f) < 1e-5f && plotted && classes.Length == 10 && Math.Abs(importedTotal - 1f) < 1e-5f;
Console.WriteLine($"package consumer: XOR loss {loss:F5}, compiled-in weights give probabilities summing to {total:F6}, " +
    $"learning curves (loss, accuracy, auc) {width}x{height} PNG of {png.Length:N0} bytes, " +
    $"the imported ONNX convnet's {classes.Length} probabilities sum to {importedTotal:F6}: {(ok ? "ok" : "FAILED")}");
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

[Network(Onnx = "gennet_MnistConvSmall.onnx")]
partial class ImportedConvnet;
