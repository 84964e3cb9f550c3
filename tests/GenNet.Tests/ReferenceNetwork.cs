using System;
using System.Collections.Generic;
using System.Linq;

namespace GenNet.Tests;

/// <summary>One dense layer of the reference network.</summary>
public sealed record ReferenceLayer(int Units, Activation Activation, double NegativeSlope = 0.01);

/// <summary>
/// A plain float64 implementation of a dense network and its losses, written from the textbook formulas and
/// sharing no code with GenNet. It reads parameters in PyTorch's layout (per layer: weight [out, in], then bias).
/// </summary>
public sealed class ReferenceNetwork
{
    private const double Epsilon = 1e-7; // GenNet clamps probabilities inside logs here, as Keras does

    public ReferenceNetwork(int inputSize, Loss loss, params ReferenceLayer[] layers)
    {
        InputSize = inputSize;
        Loss = loss;
        Layers = layers;
        int fanIn = inputSize;
        foreach (ReferenceLayer layer in layers)
        {
            ParameterCount += fanIn * layer.Units + layer.Units;
            fanIn = layer.Units;
        }

        OutputSize = fanIn;
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    public int ParameterCount { get; }

    public Loss Loss { get; }

    public IReadOnlyList<ReferenceLayer> Layers { get; }

    /// <summary>(name, shape, offset) of every tensor, as GenNet must lay them out.</summary>
    public IEnumerable<(string Name, int[] Shape, int Offset)> Tensors()
    {
        int offset = 0, fanIn = InputSize;
        for (int i = 0; i < Layers.Count; i++)
        {
            int units = Layers[i].Units;
            yield return ($"dense_{i}.weight", [units, fanIn], offset);
            offset += units * fanIn;
            yield return ($"dense_{i}.bias", [units], offset);
            offset += units;
            fanIn = units;
        }
    }

    public double[] Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, int batchSize)
    {
        var outputs = new double[batchSize * OutputSize];
        for (int b = 0; b < batchSize; b++)
        {
            double[] x = inputs.Slice(b * InputSize, InputSize).ToArray();
            int offset = 0;
            foreach (ReferenceLayer layer in Layers)
            {
                var z = new double[layer.Units];
                for (int o = 0; o < layer.Units; o++)
                {
                    double sum = parameters[offset + layer.Units * x.Length + o]; // bias
                    for (int i = 0; i < x.Length; i++)
                    {
                        sum += parameters[offset + o * x.Length + i] * x[i];
                    }

                    z[o] = sum;
                }

                offset += layer.Units * x.Length + layer.Units;
                x = Activate(z, layer);
            }

            x.CopyTo(outputs, b * OutputSize);
        }

        return outputs;
    }

    /// <summary>Mean loss over the batch against float targets (OutputSize per sample).</summary>
    public double LossValue(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, int batchSize)
    {
        double[] y = Forward(parameters, inputs, batchSize);
        double sum = 0;
        switch (Loss)
        {
            case Loss.MeanSquaredError:
                for (int i = 0; i < y.Length; i++)
                {
                    sum += (y[i] - targets[i]) * (y[i] - targets[i]);
                }

                return sum / y.Length;
            case Loss.BinaryCrossEntropy:
                for (int i = 0; i < y.Length; i++)
                {
                    sum -= targets[i] * Math.Log(Math.Max(y[i], Epsilon)) + (1 - targets[i]) * Math.Log(Math.Max(1 - y[i], Epsilon));
                }

                return sum / y.Length;
            case Loss.CategoricalCrossEntropy:
            case Loss.SparseCategoricalCrossEntropy:
                for (int i = 0; i < y.Length; i++)
                {
                    if (targets[i] != 0)
                    {
                        sum -= targets[i] * Math.Log(Math.Max(y[i], Epsilon));
                    }
                }

                return sum / batchSize;
            default:
                throw new InvalidOperationException($"No reference for {Loss}.");
        }
    }

    /// <summary>Central finite difference of the mean loss with respect to parameter <paramref name="index"/>.</summary>
    public double NumericGradient(double[] parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, int batchSize, int index, double step = 1e-5)
    {
        double saved = parameters[index];
        parameters[index] = saved + step;
        double plus = LossValue(parameters, inputs, targets, batchSize);
        parameters[index] = saved - step;
        double minus = LossValue(parameters, inputs, targets, batchSize);
        parameters[index] = saved;
        return (plus - minus) / (2 * step);
    }

    /// <summary>Integer labels as the targets GenNet trains on: one-hot rows, or the label itself for one output.</summary>
    public double[] TargetsFromLabels(ReadOnlySpan<int> labels)
    {
        var targets = new double[labels.Length * OutputSize];
        for (int b = 0; b < labels.Length; b++)
        {
            if (OutputSize == 1)
            {
                targets[b] = labels[b];
            }
            else
            {
                targets[b * OutputSize + labels[b]] = 1;
            }
        }

        return targets;
    }

    private static double[] Activate(double[] z, ReferenceLayer layer)
    {
        switch (layer.Activation)
        {
            case Activation.Linear:
                return z;
            case Activation.ReLU:
                return z.Select(v => Math.Max(v, 0)).ToArray();
            case Activation.Sigmoid:
                return z.Select(v => 1 / (1 + Math.Exp(-v))).ToArray();
            case Activation.Tanh:
                return z.Select(Math.Tanh).ToArray();
            case Activation.LeakyReLU:
                return z.Select(v => v > 0 ? v : layer.NegativeSlope * v).ToArray();
            case Activation.Gelu:
                return z.Select(v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)))).ToArray();
            case Activation.Softmax:
                double max = z.Max();
                double[] e = z.Select(v => Math.Exp(v - max)).ToArray();
                double total = e.Sum();
                return e.Select(v => v / total).ToArray();
            default:
                throw new InvalidOperationException($"No reference for {layer.Activation}.");
        }
    }
}
