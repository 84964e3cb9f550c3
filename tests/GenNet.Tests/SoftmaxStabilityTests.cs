using System;
using System.Linq;
using GenNet.Kernels;
using GenNet.Losses;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// Softmax and sparse cross-entropy on logits of ±1000, where exp overflows to ∞ (or underflows to 0 for a whole row)
/// unless the row maximum is subtracted first: outputs finite and exact, rows summing to 1, loss and gradients finite.
/// The numeric checks keep logits small, so only these tests fail without the subtraction. <see cref="RunAll"/> is also
/// run by <see cref="Program"/>'s simd-check, so the 256-, 128-bit and scalar paths are checked too
/// (see <see cref="SimdPathTests"/>).
/// </summary>
public sealed class SoftmaxStabilityTests
{
    private const float Huge = 1000f;

    [Fact]
    public void Softmax_and_sparse_cross_entropy_stay_finite_on_logits_of_plus_or_minus_1000() => FailureReports.AssertNone(RunAll);

    /// <summary>Runs every check; reports the first 20 failures and returns their number.</summary>
    public static int RunAll(Action<string> report)
    {
        int reported = 0;
        Action<string> firstTwenty = message =>
        {
            if (++reported <= 20)
            {
                report(message);
            }
        };

        int failures = 0;

        // Widths around every vector size (4, 8 and 16 floats), so each width's body and tail see the huge values.
        foreach (int width in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 129 })
        {
            failures += CheckKernels(width, firstTwenty);
        }

        failures += CheckNetwork(firstTwenty);
        return failures;
    }

    /// <summary>
    /// Four rows of −1000s: one +1000 (probability 1 there); none (uniform); two +1000s (½ each); 999 and 1000
    /// (e⁻¹/(1 + e⁻¹) and 1/(1 + e⁻¹)). A row of one value has probability 1. Labels sit at a −1000 where the row has one,
    /// so the loss meets the log's clamp at 1e-7.
    /// </summary>
    private static int CheckKernels(int width, Action<string> report)
    {
        (float[] Logits, double[] Probabilities, int Label) Row(int label, params (int Index, float Logit, double Probability)[] peaks)
        {
            var logits = new float[width];
            var probabilities = new double[width];
            Array.Fill(logits, -Huge);
            Array.Fill(probabilities, peaks.Length == 0 ? 1.0 / width : 0);
            foreach ((int index, float logit, double probability) in peaks)
            {
                logits[index] = logit;
                probabilities[index] = width == 1 ? 1 : probability;
            }

            return (logits, probabilities, label);
        }

        double e = Math.Exp(-1);
        var rows = new[]
        {
            Row(label: 0, (width / 2, Huge, 1)),
            Row(label: width - 1),
            Row(label: Math.Min(1, width - 1), (0, Huge, 0.5), (width - 1, Huge, 0.5)),
            Row(label: 0, (0, Huge - 1, e / (1 + e)), (width - 1, Huge, 1 / (1 + e))),
        };

        int failures = 0;
        string where = $"width {width}";
        float[] probabilities = [.. rows.SelectMany(r => r.Logits)];
        Activations.Softmax(probabilities, width);
        for (int row = 0; row < rows.Length; row++)
        {
            double sum = 0;
            for (int k = 0; k < width; k++)
            {
                float actual = probabilities[row * width + k];
                double expected = rows[row].Probabilities[k];
                sum += actual;
                if (!(Math.Abs(actual - expected) <= 1e-6))
                {
                    failures += Report(report, $"{where}, softmax row {row}[{k}] of logit {rows[row].Logits[k]}: {actual:R}, expected {expected:R}");
                }
            }

            if (!(Math.Abs(sum - 1) <= 1e-6))
            {
                failures += Report(report, $"{where}, softmax row {row} sums to {sum:R}");
            }
        }

        int[] labels = [.. rows.Select(r => r.Label)];
        double expectedLoss = rows.Average(r => -Math.Log(Math.Max(r.Probabilities[r.Label], 1e-7)));
        var gradient = new float[probabilities.Length];
        float loss = SparseCategoricalCrossEntropy.Compute(probabilities, labels, gradient, width);
        if (!(Math.Abs(loss - expectedLoss) <= 1e-5 * (1 + expectedLoss)))
        {
            failures += Report(report, $"{where}, sparse cross-entropy {loss:R}, expected {expectedLoss:R}");
        }

        for (int i = 0; i < gradient.Length; i++)
        {
            (int row, int k) = Math.DivRem(i, width);
            double expected = (rows[row].Probabilities[k] - (rows[row].Label == k ? 1 : 0)) / rows.Length; // (p − y) / batch
            if (!(Math.Abs(gradient[i] - expected) <= 1e-6))
            {
                failures += Report(report, $"{where}, cross-entropy gradient row {row}[{k}]: {gradient[i]:R}, expected {expected:R}");
            }
        }

        // Softmax's own backward (a Softmax output under another loss) from these outputs.
        float[] upstream = new float[probabilities.Length];
        for (int i = 0; i < upstream.Length; i++)
        {
            upstream[i] = (i % 5) - 2f;
        }

        Activations.SoftmaxBackward(probabilities, upstream, width);
        int notFinite = FirstNotFinite(upstream);
        if (notFinite >= 0)
        {
            failures += Report(report, $"{where}, softmax backward gradient {notFinite} is {upstream[notFinite]}");
        }

        return failures;
    }

    /// <summary>
    /// SparseCrossEntropy129 (129 → tanh 129 → softmax 129) with its last layer's weights zero and its biases ±1000, so
    /// every logit is ±1000 (+1000 at outputs 5 and 69): Forward and a training step through the generated code.
    /// </summary>
    private static int CheckNetwork(Action<string> report)
    {
        const int batch = 3, width = SparseCrossEntropy129.OutputSize;
        var network = new SparseCrossEntropy129();
        network.InitializeParameters(1);
        foreach (ParameterTensor tensor in network.ParameterTensors)
        {
            Span<float> values = tensor.Slice(network.Parameters);
            if (tensor.Name == "dense_1.weight")
            {
                values.Clear();
            }
            else if (tensor.Name == "dense_1.bias")
            {
                for (int k = 0; k < values.Length; k++)
                {
                    values[k] = k is 5 or 69 ? Huge : -Huge;
                }
            }
        }

        var inputs = new float[batch * SparseCrossEntropy129.InputSize];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (i % 7 - 3) / 3f;
        }

        int failures = 0;
        var outputs = new float[batch * width];
        network.Forward(inputs, outputs, batch);
        for (int row = 0; row < batch; row++)
        {
            for (int k = 0; k < width; k++)
            {
                double expected = k is 5 or 69 ? 0.5 : 0;
                float actual = outputs[row * width + k];
                if (!(Math.Abs(actual - expected) <= 1e-6))
                {
                    failures += Report(report, $"SparseCrossEntropy129 forward, sample {row} output {k}: {actual:R}, expected {expected}");
                }
            }
        }

        float loss = network.ComputeGradients(inputs, [5, 0, 128], batch); // p = ½, 0 (clamped to 1e-7), 0
        double expectedLoss = (Math.Log(2) - 2 * Math.Log(1e-7)) / batch;
        if (!(Math.Abs(loss - expectedLoss) <= 1e-5 * expectedLoss))
        {
            failures += Report(report, $"SparseCrossEntropy129 loss {loss:R}, expected {expectedLoss:R}");
        }

        int notFinite = FirstNotFinite(network.Gradients);
        if (notFinite >= 0)
        {
            failures += Report(report, $"SparseCrossEntropy129 gradient {notFinite} is {network.Gradients[notFinite]}");
        }

        // The last bias's gradient is the batch's mean of p − y: (3 · p[k] − how many labels are k) / 3.
        ParameterTensor bias = network.ParameterTensors.Single(t => t.Name == "dense_1.bias");
        ReadOnlySpan<float> biasGradient = bias.Slice(network.Gradients);
        for (int k = 0; k < width; k++)
        {
            double expected = (batch * (k is 5 or 69 ? 0.5 : 0) - (k is 5 or 0 or 128 ? 1 : 0)) / batch;
            if (!(Math.Abs(biasGradient[k] - expected) <= 1e-6))
            {
                failures += Report(report, $"SparseCrossEntropy129 gradient of dense_1.bias[{k}]: {biasGradient[k]:R}, expected {expected:R}");
            }
        }

        return failures;
    }

    private static int FirstNotFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static int Report(Action<string> report, string message)
    {
        report(message);
        return 1;
    }
}
