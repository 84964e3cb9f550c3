using System;
using System.Linq;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// L2 penalties (<c>KernelRegularizerL2</c>, <c>BiasRegularizerL2</c>) against the same network without them, with the
/// penalty λ·Σw² and its gradient 2λ·w computed here in float64: in a step (serial and split over threads), in Evaluate
/// and in Fit's reported loss. Gradients against finite differences of the penalised loss are in GradientTests
/// (RegularizedCases).
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class RegularizationTests
{
    /// <summary>λ per tensor, as the networks in RegularizedNetworks.cs declare them.</summary>
    private static readonly (string Tensor, double Lambda)[] s_denseLambdas = [("dense_0.weight", 0.05f), ("dense_1.weight", 0.02f), ("dense_1.bias", 0.1f)];

    private static readonly (string Tensor, double Lambda)[] s_convLambdas = [("conv_0.weight", 0.03f), ("conv_0.bias", 0.01f), ("dense_0.weight", 0.01f)];

    public static TheoryData<string, int, int> Steps => new()
    {
        { "Dense", 1, 1 }, { "Dense", 7, 1 }, { "Dense", 7, 2 }, { "Conv", 1, 1 }, { "Conv", 7, 1 }, { "Conv", 7, 2 },
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void A_step_adds_the_penalty_to_the_loss_and_its_gradient_to_the_gradient_once(string network, int batchSize, int threads)
    {
        (ITrainableNetwork penalised, ITrainableNetwork plain, (string, double)[] lambdas) = Pair(network);
        penalised.Threads = threads;
        plain.Threads = threads;
        (float[] inputs, int[] labels, float[] targets) = Batch(penalised, batchSize);
        float penalisedLoss = Step(penalised, inputs, labels, targets, batchSize);
        float plainLoss = Step(plain, inputs, labels, targets, batchSize);
        Shards.AssertRan(threads, Shards.Of(penalised), $"{network}, batch {batchSize}, Threads = {threads}");

        double penalty = Penalty(penalised, lambdas);
        Assert.True(penalty > 0.01, $"the penalty {penalty} is too small to tell from rounding");
        Assert.Equal(plainLoss + penalty, penalisedLoss, 1e-5 * (1 + Math.Abs(penalisedLoss)));

        float[] expected = plain.Gradients.ToArray();
        foreach ((string name, double lambda) in lambdas)
        {
            ParameterTensor tensor = penalised.ParameterTensors.Single(t => t.Name == name);
            ReadOnlySpan<float> weights = tensor.Slice(penalised.Parameters);
            for (int i = 0; i < weights.Length; i++)
            {
                expected[tensor.Offset + i] = (float)(expected[tensor.Offset + i] + 2 * lambda * weights[i]);
            }
        }

        float[] actual = penalised.Gradients.ToArray();
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 + 1e-5 * Math.Abs(expected[i]),
                $"gradient {i}: {actual[i]} with the penalty, {expected[i]} expected (the plain gradient plus 2λ·w)");
        }
    }

    [Theory]
    [InlineData("Dense")]
    [InlineData("Conv")]
    public void A_step_split_over_two_threads_gives_the_serial_steps_loss_and_gradient(string network)
    {
        (ITrainableNetwork serial, _, _) = Pair(network);
        (ITrainableNetwork split, _, _) = Pair(network);
        serial.Threads = 1;
        split.Threads = 2;
        (float[] inputs, int[] labels, float[] targets) = Batch(serial, 9);
        float serialLoss = Step(serial, inputs, labels, targets, 9);
        float splitLoss = Step(split, inputs, labels, targets, 9);
        Shards.AssertRan(2, Shards.Of(split), $"{network}, batch 9, Threads = 2");
        Assert.Equal(serialLoss, splitLoss, 1e-5 * (1 + Math.Abs(serialLoss)));
        float scale = serial.Gradients.ToArray().Max(Math.Abs);
        float[] a = serial.Gradients.ToArray(), b = split.Gradients.ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5f * scale, $"gradient {i}: {a[i]} on one thread, {b[i]} on two");
        }
    }

    [Fact]
    public void Evaluate_reports_the_penalised_loss_for_trainable_and_inference_only_networks()
    {
        (ITrainableNetwork penalised, ITrainableNetwork plain, (string, double)[] lambdas) = Pair("Dense");
        var inference = new PenalizedDense17Inference();
        penalised.Parameters.CopyTo(inference.Parameters);
        (float[] inputs, _, float[] targets) = Batch(penalised, 50);
        Dataset data = Dataset.Create(inputs, targets, 17);

        double penalty = Penalty(penalised, lambdas);
        double plainLoss = plain.Evaluate(data, batchSize: 16).Loss;
        Assert.Equal(plainLoss + penalty, penalised.Evaluate(data, batchSize: 16).Loss, 1e-5 * (1 + plainLoss + penalty));
        Assert.Equal(plainLoss + penalty, inference.Evaluate(data, batchSize: 16).Loss, 1e-5 * (1 + plainLoss + penalty));
    }

    [Fact]
    public void Fit_reports_the_penalised_loss_of_each_step()
    {
        (ITrainableNetwork penalised, ITrainableNetwork plain, (string, double)[] lambdas) = Pair("Conv");
        (float[] inputs, int[] labels, _) = Batch(penalised, 12);
        Dataset data = Dataset.Create(inputs, labels, 5, 6, 2);
        double penalty = Penalty(penalised, lambdas); // the one step's loss is computed before the optimizer moves the weights
        double penalisedLoss = penalised.Fit(data, new Sgd(), epochs: 1, batchSize: 12, shuffle: false, verbosity: Verbosity.Silent).Epochs[0].Loss;
        double plainLoss = plain.Fit(data, new Sgd(), epochs: 1, batchSize: 12, shuffle: false, verbosity: Verbosity.Silent).Epochs[0].Loss;
        Assert.Equal(plainLoss + penalty, penalisedLoss, 1e-5 * (1 + penalisedLoss));
    }

    [Fact]
    public void Training_steps_with_penalties_allocate_nothing()
    {
        (ITrainableNetwork network, _, _) = Pair("Conv");
        network.Threads = 1;
        (float[] inputs, int[] labels, _) = Batch(network, 8);
        var adam = new Adam();
        void Step()
        {
            network.ComputeGradients(inputs, labels, 8);
            adam.Step(network.Parameters, network.Gradients);
        }

        Step(); // warm-up: JIT, the scratch arena, the optimizer's state
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>A penalised network and the same network without penalties, with the same parameters (biases made non-zero).</summary>
    private static (ITrainableNetwork Penalised, ITrainableNetwork Plain, (string, double)[] Lambdas) Pair(string network)
    {
        (ITrainableNetwork penalised, ITrainableNetwork plain, (string, double)[] lambdas) = network == "Dense"
            ? ((ITrainableNetwork)new PenalizedDense17(), (ITrainableNetwork)new UnpenalizedDense17(), s_denseLambdas)
            : (new PenalizedConv(), new UnpenalizedConv(), s_convLambdas);
        penalised.InitializeParameters(4);
        var random = new Random(4);
        foreach (ParameterTensor bias in penalised.ParameterTensors.Where(t => t.Name.EndsWith(".bias", StringComparison.Ordinal)))
        {
            Span<float> values = bias.Slice(penalised.Parameters);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)(random.NextDouble() - 0.5);
            }
        }

        penalised.Parameters.CopyTo(plain.Parameters);
        return (penalised, plain, lambdas);
    }

    /// <summary>λ·Σw² over the listed tensors, in float64.</summary>
    private static double Penalty(INetwork network, (string Tensor, double Lambda)[] lambdas) =>
        lambdas.Sum(l => l.Lambda * network.ParameterTensors.Single(t => t.Name == l.Tensor).Slice(network.Parameters).ToArray().Sum(w => (double)w * w));

    private static (float[] Inputs, int[] Labels, float[] Targets) Batch(INetwork network, int batchSize)
    {
        var random = new Random(batchSize);
        float[] inputs = Enumerable.Range(0, batchSize * network.InputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        int[] labels = Enumerable.Range(0, batchSize).Select(_ => random.Next(network.OutputSize)).ToArray();
        float[] targets = Enumerable.Range(0, batchSize * network.OutputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return (inputs, labels, targets);
    }

    /// <summary>The Dense pair trains on float targets (mean squared error), the convolution pair on labels.</summary>
    private static float Step(ITrainableNetwork network, float[] inputs, int[] labels, float[] targets, int batchSize) =>
        network.Loss == Loss.MeanSquaredError
            ? network.ComputeGradients(inputs, targets, batchSize)
            : network.ComputeGradients(inputs, labels, batchSize);
}
