using System;
using System.Diagnostics;

namespace GenNet.Benchmarks;

/// <summary>
/// Where a training step of the seed MLP at batch 32 goes, one thread against two (<c>--training-phases</c>): the forward
/// pass alone (<c>Forward</c> on the batch), forward + loss + backward (<c>ComputeGradients</c>) and Adam's step, each
/// timed over 2,000 steps on the first 64,000 Fashion-MNIST images (medians of 5 rounds). Stopwatch figures, not
/// BenchmarkDotNet's; for the shares within a run.
/// </summary>
public static class TrainingPhases
{
    public static int Run()
    {
        const int batch = 32, steps = 2_000, rounds = 5;
        float[] images = Workload.Images;
        int[] labels = Array.ConvertAll(Workload.Labels, l => (int)l);
        int batches = images.Length / 784 / batch;
        Console.WriteLine($"MLP, batch {batch}, {steps} steps a round, median of {rounds} rounds, µs per step");
        Console.WriteLine("threads | forward | forward+backward | Adam step | step (sum) | Fit-style step");
        foreach (int threads in new[] { 1, 2 })
        {
            BenchMlp network = Workload.InitialNetwork();
            network.Threads = threads;
            var adam = new Adam();
            var outputs = new float[batch * 10];
            double Time(Action<int> action)
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
                return rounds_[rounds / 2];
            }

            double forward = Time(s => network.Forward(images.AsSpan(s % batches * batch * 784, batch * 784), outputs, batch));
            double gradients = Time(s => network.ComputeGradients(images.AsSpan(s % batches * batch * 784, batch * 784), labels.AsSpan(s % batches * batch, batch), batch));
            double step = Time(_ => adam.Step(network.Parameters, network.Gradients));
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
            Console.WriteLine($"{threads} | {forward:F1} | {gradients:F1} | {step:F1} | {gradients + step:F1} | {fit[rounds / 2]:F1}");
        }

        return 0;
    }
}
