// The part of the MNIST samples that is not about the network: options, loading the data, training, evaluating,
// saving. Each sample's Program.cs declares its network and calls Run.
using System;
using System.Globalization;
using System.IO;
using GenNet.Plots;

namespace GenNet.Samples;

internal static class MnistSample
{
    /// <summary>
    /// Trains <paramref name="model"/> on MNIST-format data with Adam and reports the test loss and accuracy. With
    /// <paramref name="learningRate"/> (the rate for an epoch, 0-based, of the run's epochs) Adam's rate follows that
    /// schedule (one rate per epoch, a PiecewiseConstantDecay on Adam); without it Adam keeps its default 1e-3.
    /// </summary>
    public static int Run(
        string[] args, string project, ITrainableNetwork model, string summary, int defaultEpochs, int defaultBatchSize,
        Func<int, int, float>? learningRate = null)
    {
        Options options;
        try
        {
            options = Options.Parse(args, defaultEpochs, defaultBatchSize);
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine(Options.Usage(project, defaultEpochs, defaultBatchSize));
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(Options.Usage(project, defaultEpochs, defaultBatchSize));
            return 0;
        }

        Dataset train, test;
        try
        {
            (train, test) = global::GenNet.Mnist.Load(options.DataDirectory);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            Console.Error.WriteLine($"No MNIST-format data in {options.DataDirectory}.");
            Console.Error.WriteLine("Get Fashion-MNIST with:  sudo apt-get install dataset-fashion-mnist");
            Console.Error.WriteLine("or pass --data DIR (or set GENNET_DATA) for any directory of MNIST IDX files");
            Console.Error.WriteLine("(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each raw or .gz).");
            return 2;
        }
        catch (InvalidDataException error)
        {
            Console.Error.WriteLine($"error: {error.Message}");
            return 1;
        }

        Console.WriteLine($"{train.Count:N0} training and {test.Count:N0} test images from {options.DataDirectory}");
        Console.WriteLine(summary);
        Console.WriteLine();

        model.InitializeParameters(options.Seed);
        model.Threads = options.Threads;
        var adam = new Adam();
        if (learningRate is not null)
        {
            adam.Schedule = PerEpoch(learningRate, options.Epochs, (train.Count + options.BatchSize - 1) / options.BatchSize);
        }

        // With --plot the test set is also evaluated after every epoch (Keras's validation_data=(x_test, y_test) in its MNIST
        // examples), with the macro F1 beside the accuracy, so the curves have both sides; the training itself is the same.
        History history = options.PlotPath is null
            ? model.Fit(train, adam, options.Epochs, options.BatchSize, seed: options.Seed)
            : model.Fit(train, adam, options.Epochs, new FitOptions { Metrics = [Metric.F1] }, batchSize: options.BatchSize, validation: test, seed: options.Seed);

        Evaluation result = model.Evaluate(test);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test loss: {result.Loss:F4} - test accuracy: {result.Accuracy:F4}"));

        if (options.SavePath is { } savePath)
        {
            model.Save(savePath);
            Console.WriteLine($"Weights written to {savePath} (safetensors, PyTorch names and layouts)");
        }

        foreach (WeightPrecision precision in options.Precisions)
        {
            EvaluateAt(model, test, precision, result.Accuracy ?? double.NaN, options.SavePath);
        }

        if (options.HistoryPath is { } historyPath)
        {
            history.SaveCsv(historyPath);
            Console.WriteLine($"History written to {historyPath}");
        }

        if (options.PlotPath is { } plotPath)
        {
            try
            {
                LearningCurves.Save(history, plotPath);
                string confusionPath = Path.Combine(Path.GetDirectoryName(plotPath) ?? "", Path.GetFileNameWithoutExtension(plotPath) + "-confusion" + Path.GetExtension(plotPath));
                bool fashion = options.DataDirectory.Contains("fashion", StringComparison.OrdinalIgnoreCase);
                ConfusionMatrixPlot.Save(model.EvaluateClassification(test), confusionPath, fashion ? FashionMnistClasses : null);
                Console.WriteLine($"Learning curves written to {plotPath}, the test set's confusion matrix to {confusionPath}");
            }
            catch (Exception error) when (error is ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: could not write the plots: {error.Message}");
                return 1;
            }
        }

        return 0;
    }

    // --precision: the trained weights written at a reduced precision (with --save, beside the float file), read back into
    // the network (expanded to floats: the values the 16- and 8-bit kernels multiply) and the test set evaluated with them;
    // the float weights are restored afterwards.
    private static void EvaluateAt(ITrainableNetwork model, Dataset test, WeightPrecision precision, double floatAccuracy, string? savePath)
    {
        using var trained = new MemoryStream();
        model.Save(trained);
        using var reduced = new MemoryStream();
        model.Save(reduced, precision);
        if (savePath is not null)
        {
            string path = Path.ChangeExtension(savePath, "." + Suffix(precision) + Path.GetExtension(savePath));
            File.WriteAllBytes(path, reduced.ToArray());
            Console.WriteLine($"{precision} weights written to {path}");
        }

        reduced.Position = 0;
        model.Load(reduced, precision.ToString());
        Evaluation result = model.Evaluate(test);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{precision} weights ({reduced.Length:N0} bytes, float32 {trained.Length:N0}): test loss {result.Loss:F4} - test accuracy {result.Accuracy:F4} ({100 * (result.Accuracy - floatAccuracy):+0.00;-0.00;±0.00} pp)"));
        trained.Position = 0;
        model.Load(trained);
    }

    private static string Suffix(WeightPrecision precision) => precision switch
    {
        WeightPrecision.BFloat16 => "bf16",
        WeightPrecision.Half => "f16",
        _ => "i8",
    };

    // Fashion-MNIST's labels 0–9 (its README's names); other MNIST-format data is shown by class number.
    private static readonly string[] FashionMnistClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    // One rate per epoch as Keras's PiecewiseConstantDecay: an epoch's last step is a boundary (Fit keeps the last
    // partial batch, so an epoch is ⌈samples / batch⌉ steps). Adam keeps its moments across the changes.
    private static PiecewiseConstantDecay PerEpoch(Func<int, int, float> learningRate, int epochs, int stepsPerEpoch)
    {
        var boundaries = new long[epochs - 1];
        var values = new float[epochs];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            values[epoch] = learningRate(epoch, epochs);
            if (epoch < epochs - 1)
            {
                boundaries[epoch] = (long)(epoch + 1) * stepsPerEpoch - 1;
            }
        }

        return new PiecewiseConstantDecay(boundaries, values);
    }

    private sealed record Options(string DataDirectory, int Epochs, int BatchSize, int Seed, int Threads, string? SavePath, string? HistoryPath, string? PlotPath, WeightPrecision[] Precisions, bool Help)
    {
        public static string Usage(string project, int epochs, int batchSize) =>
            $"usage: dotnet run -c Release --project samples/{project} -- [--data DIR] [--epochs {epochs}] [--batch-size {batchSize}] [--seed 42] [--threads 0] [--save FILE.safetensors] [--history FILE.csv] [--plot FILE.png] [--precision bf16|half|int8|all]\n" +
            "  --data DIR     MNIST-format IDX files (default: $GENNET_DATA, else " + global::GenNet.Mnist.DebianFashionMnistDirectory + ")\n" +
            "  --threads N    threads per training step (default 0: all cores when the batch is large enough)\n" +
            "  --save FILE    write the trained weights (safetensors, PyTorch's names and layouts)\n" +
            "  --history FILE write the per-epoch loss and accuracy as CSV\n" +
            "  --plot FILE    evaluate the test set after every epoch too, and draw the learning curves (loss, accuracy, macro F1)\n" +
            "                 to FILE and the test set's confusion matrix to FILE-confusion (.png, or .svg)\n" +
            "  --precision P  also evaluate the test set with the weights stored at 16 or 8 bits (bf16, half, int8, or all three);\n" +
            "                 with --save, write those files beside it (FILE.bf16.safetensors, .f16, .i8)";

        public static Options Parse(string[] args, int epochs, int batchSize)
        {
            string data = Environment.GetEnvironmentVariable("GENNET_DATA") is { Length: > 0 } fromEnvironment
                ? fromEnvironment
                : global::GenNet.Mnist.DebianFashionMnistDirectory;
            int seed = 42, threads = 0;
            string? history = null, save = null, plot = null;
            WeightPrecision[] precisions = [];
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                int Positive() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
                    ? n
                    : throw new ArgumentException($"{args[i - 1]} needs a positive whole number, not '{args[i]}'.");
                switch (args[i])
                {
                    case "--data": data = Value(); break;
                    case "--epochs": epochs = Positive(); break;
                    case "--batch-size": batchSize = Positive(); break;
                    case "--seed": seed = int.TryParse(Value(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int s) ? s : throw new ArgumentException($"--seed needs a whole number, not '{args[i]}'."); break;
                    case "--threads": threads = Positive(); break;
                    case "--save": save = Value(); break;
                    case "--history": history = Value(); break;
                    case "--plot":
                        plot = Value();
                        if (!(plot.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || plot.EndsWith(".svg", StringComparison.OrdinalIgnoreCase)))
                        {
                            throw new ArgumentException($"--plot needs a file ending in .png or .svg, not '{plot}'.");
                        }

                        break;
                    case "--precision":
                        precisions = Value() switch
                        {
                            "bf16" => [WeightPrecision.BFloat16],
                            "half" => [WeightPrecision.Half],
                            "int8" => [WeightPrecision.Int8],
                            "all" => [WeightPrecision.BFloat16, WeightPrecision.Half, WeightPrecision.Int8],
                            string other => throw new ArgumentException($"--precision needs bf16, half, int8 or all, not '{other}'."),
                        };
                        break;
                    case "-h" or "--help": return new Options(data, epochs, batchSize, seed, threads, save, history, plot, precisions, Help: true);
                    default: throw new ArgumentException($"unknown option '{args[i]}'.");
                }
            }

            return new Options(data, epochs, batchSize, seed, threads, save, history, plot, precisions, Help: false);
        }
    }
}
