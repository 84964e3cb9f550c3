using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace GenNet.Tests;

/// <summary>What the tests of a whole network against a PyTorch fixture share: reading it, and the worst differences.</summary>
internal static class PyTorchFixture
{
    /// <summary>Where the build copies tests/fixtures.</summary>
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static JsonElement Read(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, name))).RootElement;

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>The worst |output − torch| of <paramref name="network"/>'s Forward over the batch, and over its second sample alone.</summary>
    public static (double Batch, double Single) WorstOutputs(INetwork network, float[] inputs, double[] expected, int batchSize)
    {
        var outputs = new float[expected.Length];
        network.Forward(inputs, outputs, batchSize);
        var single = new float[network.OutputSize];
        network.Forward(inputs.AsSpan(network.InputSize, network.InputSize), single);
        return (expected.Select((e, i) => Math.Abs(outputs[i] - e)).Max(),
                single.Select((s, i) => Math.Abs(s - expected[network.OutputSize + i])).Max());
    }

    /// <summary>
    /// The worst |gradient − torch| / (<paramref name="relative"/> · |torch| + <paramref name="absolute"/>) over every
    /// parameter (NaN counts as infinitely bad), and where it is.
    /// </summary>
    public static (double Worst, string Where) WorstGradient(ITrainableNetwork network, JsonElement gradients, double relative, double absolute)
    {
        double worst = 0;
        string where = "-";
        foreach (ParameterTensor tensor in network.ParameterTensors)
        {
            double[] torch = Doubles(gradients.GetProperty(tensor.Name));
            ReadOnlySpan<float> generated = tensor.Slice(network.Gradients);
            Assert.Equal(torch.Length, generated.Length);
            for (int i = 0; i < torch.Length; i++)
            {
                double ratio = Math.Abs(generated[i] - torch[i]) / (relative * Math.Abs(torch[i]) + absolute);
                if (!(ratio <= worst))
                {
                    worst = double.IsNaN(ratio) ? double.PositiveInfinity : ratio;
                    where = $"{tensor.Name}[{i}]: generated {generated[i]:R}, torch {torch[i]:R}";
                }
            }
        }

        return (worst, where);
    }
}
