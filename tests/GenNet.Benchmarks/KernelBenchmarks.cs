using System;
using BenchmarkDotNet.Attributes;

namespace GenNet.Benchmarks;

/// <summary>
/// Where inference time goes: the first layer's product (784 → 128, 98% of the model's FLOPs) on its own, against the
/// whole forward pass, at one sample and at 256. The gap between the two is the per-call overhead (checks, the second
/// layer, activations, softmax, copies).
/// </summary>
public class KernelBenchmarks
{
    private const long FirstLayerFlops = 2L * 784 * 128;
    private float[] _x = null!, _weight = null!, _bias = null!, _y = null!, _outputs = null!;
    private BenchMlp _network = null!;

    [Params(1, 256)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _network = Workload.InitialNetwork();
        (_weight, _bias) = Workload.Layer(_network, 0);
        _x = Workload.Images.AsSpan(0, BatchSize * 784).ToArray();
        _y = new float[BatchSize * 128];
        _outputs = new float[BatchSize * 10];
    }

    [Benchmark(Description = "first layer product only (Kernels.Dense.Forward)")]
    [Flops(FirstLayerFlops, epoch: false)]
    public float FirstLayer()
    {
        Kernels.Dense.Forward(_x, _weight, _bias, _y, BatchSize, 784, 128);
        return _y[0];
    }

    [Benchmark(Description = "whole forward pass")]
    [Flops(Workload.ForwardFlops, epoch: false)]
    public float Whole()
    {
        _network.Forward(_x, _outputs, BatchSize);
        return _outputs[0];
    }
}
