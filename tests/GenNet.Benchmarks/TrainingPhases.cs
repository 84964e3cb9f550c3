using System;
using System.Diagnostics;

namespace GenNet.Benchmarks;

/// <summary>
/// Where a training step of the seed MLP at batch 32 goes, one thread against two (<c>--training-phases</c>): the forward
/// pass alone (<c>Forward</c> on the batch), forward + loss + backward (<c>ComputeGradients</c>) and Adam's step, each
/// timed over 500 steps on the first 16,000 Fashion-MNIST images, the fastest and the median of 21 rounds (on a busy machine
/// the fastest round is the one least disturbed). Stopwatch figures, not
/// BenchmarkDotNet's; for the shares within a run.
/// </summary>
public static class TrainingPhases
{
    public static int Run()
    {
        const int batch = 32, steps = 500, rounds = 21;
        float[] images = Workload.Images;
        int[] labels = Array.ConvertAll(Workload.Labels, l => (int)l);
        int batches = images.Length / 784 / batch;
        Console.WriteLine($"MLP, batch {batch}, {steps} steps a round, µs per step: fastest (median) of {rounds} rounds");
        Console.WriteLine("threads | forward | forward+backward | Adam step (whole, on the caller) | Fit step (200 batches)");
        foreach (int threads in new[] { 1, 2 })
        {
            BenchMlp network = Workload.InitialNetwork();
            network.Threads = threads;
            var adam = new Adam();
            var outputs = new float[batch * 10];
            (double Fastest, double Median) Time(Action<int> action)
            {
                var rounds_ = new double[rounds];
                for (int r = 0; r < rounds; r++)
                {
                    action(0);
                    long start = Stopwatch.GetTimestamp();
                    for (int s = 0; s < steps; s++)
                    {
                        action(s);
                    }

                    rounds_[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / steps;
                }

                Array.Sort(rounds_);
                return (rounds_[0], rounds_[rounds / 2]);
            }

            var forward = Time(s => network.Forward(images.AsSpan(s % batches * batch * 784, batch * 784), outputs, batch));
            var gradients = Time(s => network.ComputeGradients(images.AsSpan(s % batches * batch * 784, batch * 784), labels.AsSpan(s % batches * batch, batch), batch));
            var step = Time(_ => adam.Step(network.Parameters, network.Gradients));
            var one = Dataset.Create(images.AsSpan(0, 200 * batch * 784).ToArray(), labels.AsSpan(0, 200 * batch).ToArray(), 784);
            network.Fit(one, adam, epochs: 1, batch, verbosity: Verbosity.Silent);
            var fit = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                long start = Stopwatch.GetTimestamp();
                network.Fit(one, adam, epochs: 1, batch, seed: r, verbosity: Verbosity.Silent);
                fit[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / 200;
            }

            Array.Sort(fit);
            Console.WriteLine(
                $"{threads} | {forward.Fastest:F1} ({forward.Median:F1}) | {gradients.Fastest:F1} ({gradients.Median:F1}) | " +
                $"{step.Fastest:F1} ({step.Median:F1}) | {fit[0]:F1} ({fit[rounds / 2]:F1})");
        }

        return 0;
    }
}
