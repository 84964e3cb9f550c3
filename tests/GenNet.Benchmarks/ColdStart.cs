using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace GenNet.Benchmarks;

/// <summary>Keras's mnist_convnet, inference only: what a CLI tool or a serverless function would embed.</summary>
[Network(Training = false)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(10, Activation.Softmax)]
public partial class ColdConvNet;

/// <summary>
/// How fast a JIT app is from its first call (<c>dotnet run -c Release --project tests/GenNet.Benchmarks -- --cold-start</c>):
/// new processes, each timing the network's construction (<c>new</c> and <c>InitializeParameters</c>), the first one-image
/// <c>Forward</c> alone, the process's start to that first result, the next 1,000 calls, and 1,000 calls after six seconds of
/// continuous calls (the steady state, which tiered compilation reaches late on one CPU), on both CPUs and as a
/// container limited to one (<c>DOTNET_PROCESSOR_COUNT=1</c>). BenchmarkDotNet measures warm code in one process, so
/// this is a separate mode.
/// </summary>
public static class ColdStart
{
    private const int Runs = 5;

    public static int Run()
    {
        string self = Environment.ProcessPath!;
        string assembly = typeof(ColdStart).Assembly.Location;
        Console.WriteLine(
            $"{"setting",-28} {"construction",12} {"first call",11} {"start→first",12} {"next 1,000",11} {"steady 1,000",13} {"ratio",6}   (medians of {Runs} processes)");
        foreach ((string name, string? processors) in new[] { ("both CPUs", (string?)null), ("DOTNET_PROCESSOR_COUNT=1", "1") })
        {
            var results = new List<double[]>();
            for (int run = 0; run < Runs; run++)
            {
                var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
                if (Path(self) == "dotnet")
                {
                    start.ArgumentList.Add(assembly);
                }

                start.ArgumentList.Add("--cold-start-child");
                if (processors is not null)
                {
                    start.Environment["DOTNET_PROCESSOR_COUNT"] = processors;
                }

                using Process child = Process.Start(start)!;
                string line = child.StandardOutput.ReadToEnd().Trim();
                child.WaitForExit();
                results.Add(line.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
            }

            double Median(int column) => results.Select(r => r[column]).Order().ElementAt(Runs / 2);
            Console.WriteLine(
                $"{name,-28} {Median(4),9:F1} ms {Median(0),8:F1} ms {Median(1),9:F0} ms {Median(2),8:F1} ms {Median(3),10:F1} ms {Median(2) / Median(3),6:F2}");
        }

        return 0;
    }

    private static string Path(string executable) => System.IO.Path.GetFileNameWithoutExtension(executable);

    /// <summary>
    /// One process's figures (ms): the first <c>Forward</c> alone, process start to its result, the next 1,000 calls, steady
    /// 1,000 calls, and the construction before the first call (<c>new</c>, <c>InitializeParameters</c>).
    /// </summary>
    public static int Child()
    {
        DateTime processStart = Process.GetCurrentProcess().StartTime;
        var clock = Stopwatch.StartNew();
        var network = new ColdConvNet();
        network.InitializeParameters(42);
        double construction = clock.Elapsed.TotalMilliseconds;
        float[] image = new float[ColdConvNet.InputSize], output = new float[ColdConvNet.OutputSize];
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = i % 7 / 7f;
        }

        clock.Restart();
        network.Forward(image, output);
        double first = clock.Elapsed.TotalMilliseconds;
        double sinceStart = (DateTime.Now - processStart).TotalMilliseconds;

        clock.Restart();
        for (int i = 0; i < 1000; i++)
        {
            network.Forward(image, output);
        }

        double firstThousand = clock.Elapsed.TotalMilliseconds;
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 6)
        {
            network.Forward(image, output);
        }

        clock.Restart();
        for (int i = 0; i < 1000; i++)
        {
            network.Forward(image, output);
        }

        double steady = clock.Elapsed.TotalMilliseconds;
        Console.WriteLine(string.Join(' ', new[] { first, sinceStart, firstThousand, steady, construction }.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        return 0;
    }
}
