using System;
using System.Runtime.Intrinsics;

namespace GenNet.Tests;

/// <summary>
/// The test assembly's entry point, used only by <see cref="SimdPathTests"/>: <c>dotnet GenNet.Tests.dll simd-check</c>
/// runs the forward and gradient checks of every case in this process (whose vector widths the parent forced
/// through DOTNET_EnableAVX512 / EnableAVX2 / EnableHWIntrinsic), the image kernels' reference comparisons and softmax on
/// logits of ±1000, and prints one line per failure; <c>simd-check kernels</c> runs only the kernel comparisons.
/// </summary>
public static class Program
{
    /// <summary>The exit code of <c>save-and-exit WEIGHTS</c> (for <see cref="HostileFileTests"/>), which ends the process in the middle of a save.</summary>
    public const int ExitedMidSave = 7;

    public static int Main(string[] args)
    {
        if (args is ["predict", string weights])
        {
            return Predict(weights);
        }

        if (args is ["save-and-exit", string target])
        {
            // A save that dies a kilobyte in, as if killed: Environment.Exit runs no finally block of this thread.
            SafeTensors.Save(new Networks.MnistMlp(), target, open: path => new InterruptedStream(path, room: 1024, () => Environment.Exit(ExitedMidSave)));
            return 1;
        }

        if (args is not ["simd-check"] and not ["simd-check", "kernels"])
        {
            Console.Error.WriteLine("usage: GenNet.Tests simd-check [kernels] | predict WEIGHTS | save-and-exit WEIGHTS  (the tests themselves run under `dotnet test`)");
            return 2;
        }

        Console.WriteLine($"vectors: 512={Vector512.IsHardwareAccelerated} 256={Vector256.IsHardwareAccelerated} 128={Vector128.IsHardwareAccelerated}");
        int failures = 0, checks = 0;

        // The image kernels against their references (every case of ConvKernelTests and PoolKernelTests).
        foreach ((string kind, Func<Action<string>, int> run) in new (string, Func<Action<string>, int>)[]
        {
            ("conv kernels", ConvKernelTests.RunAll),
            ("winograd convolution", ConvWinogradTests.RunAll),
            ("pool kernels", PoolKernelTests.RunAll),
            ("global pool kernels", GlobalPoolKernelTests.RunAll),
            ("batch norm kernels", BatchNormKernelTests.RunAll),
            ("layer normalisation kernels", LayerNormalizationTests.RunAll),
            ("standardize kernels", AdaptedNormalizationTests.RunAll),
            ("depthwise kernels", DepthwiseKernelTests.RunAll),
            ("recurrent kernels", RecurrentKernelTests.RunAll),
            ("masked recurrent kernels", MaskedKernelTests.RunAll),
            ("tall dense products", DenseKernelTests.RunTall),
            ("dense products from panels", DenseKernelTests.RunPanels),
            ("16- and 8-bit dense products", QuantizedKernelTests.RunAll),
            ("16- and 8-bit convolutions", QuantizedConvTests.RunAll),
            ("8-bit activation products", QuantizedActivationTests.RunAll),
            ("softmax at ±1000", SoftmaxStabilityTests.RunAll),
            ("relu and softmax", ActivationKernelTests.RunAll),
            ("optimizers' finite checks", OptimizerTests.RunFiniteChecks),
        })
        {
            checks++;
            int kernelFailures = run(line => Console.WriteLine($"FAIL {line}"));
            if (kernelFailures != 0)
            {
                failures++;
                Console.WriteLine($"FAIL {kind}: {kernelFailures} failures");
            }
        }

        foreach (NetworkCase c in args.Length == 1 ? NetworkCases.All : [])
        {
            foreach (int batchSize in new[] { 1, 7, 135 })
            {
                foreach ((string kind, CheckResult result) in new[]
                {
                    ("forward", NumericChecks.CheckForward(c, batchSize)),
                    ("gradients", batchSize == 135 ? new CheckResult(0, "-", 0) : NumericChecks.CheckGradients(c, batchSize, maxChecked: 150)),
                })
                {
                    checks++;
                    if (!result.Passed)
                    {
                        failures++;
                        Console.WriteLine($"FAIL {c.Name} batch {batchSize} {kind}: {result}");
                    }
                }
            }
        }

        Console.WriteLine($"checks: {checks}, failures: {failures}");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Loads weights into a new MnistMlp and prints its outputs on <see cref="SafeTensorsTests.ProbeImages"/>, bit for bit.</summary>
    private static int Predict(string weights)
    {
        var network = new Networks.MnistMlp();
        network.Load(weights);
        float[] images = SafeTensorsTests.ProbeImages();
        var outputs = new float[images.Length / Networks.MnistMlp.InputSize * Networks.MnistMlp.OutputSize];
        network.Forward(images, outputs, images.Length / Networks.MnistMlp.InputSize);
        Console.WriteLine(string.Join(" ", Array.ConvertAll(outputs, v => BitConverter.SingleToInt32Bits(v).ToString("X8", System.Globalization.CultureInfo.InvariantCulture))));
        return 0;
    }
}
