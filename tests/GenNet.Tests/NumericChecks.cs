using System;
using System.Linq;

namespace GenNet.Tests;

/// <summary>A batch in both precisions: what GenNet gets and what the reference gets.</summary>
public sealed record CheckBatch(float[] Inputs, int[]? Labels, float[]? Targets, double[] ReferenceInputs, double[] ReferenceTargets);

/// <summary>Worst agreement found by a check: the largest error over the bound (≤ 1 passes) and where it was.</summary>
public sealed record CheckResult(double WorstRatio, string Where, int Checked)
{
    public bool Passed => WorstRatio <= 1;

    /// <summary>How many shards the checked training step ran in (1 for a forward check).</summary>
    public int Shards { get; init; } = 1;

    public override string ToString() =>
        $"worst {WorstRatio:F4} of the bound at {Where} ({Checked} values checked{(Shards > 1 ? $", step in {Shards} shards" : "")})";
}

/// <summary>
/// The numeric checks shared by the in-process tests and the forced-SIMD-path child processes (Program.Main).
/// Bounds: forward |gen − ref| ≤ ForwardTolerance·(1 + |ref|); gradient |gen − fd| ≤ GradientRelative·|fd| + GradientAbsolute (or the case's),
/// with fd the central difference (step 1e-6) of the float64 reference loss. Forward checks run the reference in inference
/// mode (batch normalisation reads the network's running statistics); gradient checks in training mode, with the dropout
/// masks of the first step after <c>InitializeParameters(Seed)</c> and batch normalisation over the batch's statistics.
/// </summary>
public static class NumericChecks
{
    public const double ForwardTolerance = 2e-6;
    public const double GradientRelative = 1e-4;
    public const double GradientAbsolute = 1e-7;

    /// <summary>The most float noise allowed where the exact gradient is zero (<see cref="NetworkCase.ShiftInvariant"/>).</summary>
    public const double ZeroGradientNoise = 1e-6;

    /// <summary>
    /// The most parameters for which <see cref="CheckGradients"/> checks every gradient by default; a larger network
    /// (the 129-wide ones, the MNIST MLP) gets a seeded sample of this many plus each tensor's first and last element.
    /// </summary>
    public const int FullCheckLimit = 2000;

    /// <summary>The seed <see cref="Prepare"/> initialises with by default, and so the seed of the dropout masks.</summary>
    public const int Seed = 7;

    /// <summary>
    /// Glorot weights from the network itself, plus random biases, normalisation scales and running statistics, so that a
    /// bug that a zero bias, a unit scale or a fresh running statistic would hide shows.
    /// </summary>
    public static ITrainableNetwork Prepare(NetworkCase c, int seed = Seed)
    {
        ITrainableNetwork network = c.Create();
        network.InitializeParameters(seed);
        var random = new Random(seed);
        void Fill(Span<float> arena, ParameterTensor tensor, double low, double high)
        {
            Span<float> values = tensor.Slice(arena);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)(low + random.NextDouble() * (high - low));
            }
        }

        foreach (ParameterTensor tensor in network.ParameterTensors)
        {
            if (tensor.Name.EndsWith(".bias", StringComparison.Ordinal))
            {
                Fill(network.Parameters, tensor, -0.3, 0.3);
            }
            else if (tensor.Shape.Count == 1) // a normalisation's scale γ, 1 after initialisation
            {
                Fill(network.Parameters, tensor, 0.5, 1.5);
            }
        }

        foreach (ParameterTensor tensor in network.BufferTensors)
        {
            if (tensor.Name.EndsWith(".running_mean", StringComparison.Ordinal))
            {
                Fill(network.Buffers, tensor, -0.3, 0.3);
            }
            else if (tensor.Name.EndsWith(".running_var", StringComparison.Ordinal))
            {
                Fill(network.Buffers, tensor, 0.5, 1.5);
            }
            else if (tensor.Name.EndsWith(".mean", StringComparison.Ordinal)) // a Normalization's adapted statistics
            {
                Fill(network.Buffers, tensor, -0.5, 0.5);
            }
            else if (tensor.Name.EndsWith(".variance", StringComparison.Ordinal))
            {
                Fill(network.Buffers, tensor, 0.2, 4);
            }
        }

        return network;
    }

    public static CheckBatch MakeBatch(NetworkCase c, int batchSize, int seed = 11)
    {
        var random = new Random(seed);
        ReferenceNetwork reference = c.Reference;
        float[] inputs = Enumerable.Range(0, batchSize * reference.InputSize)
            .Select(i => c.Inputs is { } draw ? draw(random, i % reference.InputSize) : (float)(random.NextDouble() * 2 - 1)).ToArray();
        int width = reference.OutputSize;
        switch (c.Targets)
        {
            case Targets.Labels:
                int classes = width == 1 && reference.Loss is Loss.BinaryCrossEntropy or Loss.MeanSquaredError ? 2 : width;
                int[] labels = Enumerable.Range(0, batchSize).Select(_ => random.Next(classes)).ToArray();
                return new CheckBatch(inputs, labels, null, ToDouble(inputs), reference.TargetsFromLabels(labels));
            case Targets.Distributions:
                float[] distributions = new float[batchSize * width];
                for (int b = 0; b < batchSize; b++)
                {
                    Span<float> row = distributions.AsSpan(b * width, width);
                    for (int k = 0; k < width; k++)
                    {
                        row[k] = (float)random.NextDouble();
                    }

                    float total = 0;
                    foreach (float v in row)
                    {
                        total += v;
                    }

                    for (int k = 0; k < width; k++)
                    {
                        row[k] /= total;
                    }
                }

                return new CheckBatch(inputs, null, distributions, ToDouble(inputs), ToDouble(distributions));
            default:
                double low = c.Targets == Targets.Probabilities ? 0 : -1;
                float[] targets = Enumerable.Range(0, batchSize * width).Select(_ => (float)(low + random.NextDouble() * (1 - low))).ToArray();
                return new CheckBatch(inputs, null, targets, ToDouble(inputs), ToDouble(targets));
        }
    }

    /// <summary>Generated Forward (batch and single-sample) against the reference forward.</summary>
    public static CheckResult CheckForward(NetworkCase c, int batchSize)
    {
        ITrainableNetwork network = Prepare(c);
        CheckBatch batch = MakeBatch(c, batchSize);
        double[] expected = c.Reference.Forward(ToDouble(network.Parameters), batch.ReferenceInputs, batchSize, ToDouble(network.Buffers));
        var actual = new float[batchSize * network.OutputSize];
        network.Forward(batch.Inputs, actual, batchSize);
        var single = new float[network.OutputSize];
        network.Forward(batch.Inputs.AsSpan(0, network.InputSize), single);

        double worst = 0;
        string where = "-";
        for (int i = 0; i < expected.Length; i++)
        {
            double ratio = Math.Abs(actual[i] - expected[i]) / (ForwardTolerance * (1 + Math.Abs(expected[i])));
            double singleRatio = i < single.Length ? Math.Abs(single[i] - expected[i]) / (ForwardTolerance * (1 + Math.Abs(expected[i]))) : 0;
            if (double.IsNaN(ratio) || double.IsNaN(singleRatio))
            {
                return new CheckResult(double.PositiveInfinity, $"output {i} is NaN", i + 1);
            }

            if (Math.Max(ratio, singleRatio) > worst)
            {
                worst = Math.Max(ratio, singleRatio);
                where = $"output {i}: generated {actual[i]:R} (single {(i < single.Length ? single[i] : double.NaN):R}), reference {expected[i]:R}";
            }
        }

        return new CheckResult(worst, where, expected.Length);
    }

    /// <summary>
    /// ComputeGradients' loss and gradients against the reference loss and its central differences,
    /// for every parameter when there are at most <paramref name="maxChecked"/>, else a seeded sample of them.
    /// </summary>
    public static CheckResult CheckGradients(NetworkCase c, int batchSize, int maxChecked = FullCheckLimit, int threads = 1)
    {
        ITrainableNetwork network = Prepare(c);
        network.Threads = threads;
        CheckBatch batch = MakeBatch(c, batchSize);
        float loss = batch.Labels is { } labels
            ? network.ComputeGradients(batch.Inputs, labels, batchSize)
            : network.ComputeGradients(batch.Inputs, batch.Targets, batchSize);
        int shards = Shards.Of(network);
        double[] parameters = ToDouble(network.Parameters);
        double[] buffers = ToDouble(network.Buffers); // the Normalization layers' statistics (batch normalisation's running ones are not read in training)
        var training = new ReferenceTraining(Seed, Step: 0); // the first ComputeGradients after InitializeParameters
        double referenceLoss = c.Reference.LossValue(parameters, batch.ReferenceInputs, batch.ReferenceTargets, batchSize, training, buffers);
        double worst = Math.Abs(loss - referenceLoss) / (ForwardTolerance * (1 + Math.Abs(referenceLoss)));
        string where = $"loss: generated {loss:R}, reference {referenceLoss:R}";
        if (double.IsNaN(worst))
        {
            return new CheckResult(double.PositiveInfinity, where, 1) { Shards = shards };
        }

        float[] gradients = network.Gradients.ToArray();
        int[] indices = parameters.Length <= maxChecked
            ? Enumerable.Range(0, parameters.Length).ToArray()
            : SampleIndices(network, maxChecked);
        foreach (int index in indices)
        {
            double numeric = c.Reference.NumericGradient(parameters, batch.ReferenceInputs, batch.ReferenceTargets, batchSize, index, step: 1e-6, training, buffers);
            double ratio = c.ShiftInvariant.Contains(TensorOf(network, index).Name)
                ? Math.Max(Math.Abs(gradients[index]) / ZeroGradientNoise, Math.Abs(numeric) / 1e-9)
                : Math.Abs(gradients[index] - numeric) / (GradientRelative * Math.Abs(numeric) + c.GradientAbsolute);
            if (double.IsNaN(ratio) || ratio > worst)
            {
                worst = double.IsNaN(ratio) ? double.PositiveInfinity : ratio;
                where = $"{TensorName(network, index)}: analytic {gradients[index]:R}, numeric {numeric:R}";
            }
        }

        return new CheckResult(worst, where, indices.Length + 1) { Shards = shards };
    }

    /// <summary>A seeded sample that includes the first and last element of every tensor.</summary>
    private static int[] SampleIndices(ITrainableNetwork network, int count)
    {
        var random = new Random(3);
        return network.ParameterTensors.SelectMany(t => new[] { t.Offset, t.Offset + t.Length - 1 })
            .Concat(Enumerable.Range(0, count).Select(_ => random.Next(network.ParameterCount)))
            .Distinct().Order().ToArray();
    }

    private static ParameterTensor TensorOf(ITrainableNetwork network, int index) =>
        network.ParameterTensors.Single(t => index >= t.Offset && index < t.Offset + t.Length);

    private static string TensorName(ITrainableNetwork network, int index)
    {
        ParameterTensor tensor = TensorOf(network, index);
        return $"{tensor.Name}[{index - tensor.Offset}]";
    }

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }
}
