using System;
using BenchmarkDotNet.Attributes;
using GenNet.Kernels;

namespace GenNet.Benchmarks;

/// <summary>
/// Where mnist_convnet's one-image inference goes, layer by layer: each kernel call that the generated Forward makes, on
/// the convnet's sizes and its initial weights (conv_1 through Winograd's F(4×4, 3×3), as every pass runs it now, and through
/// im2col and the dense product, as it ran before).
/// </summary>
public class ConvLayerBenchmarks
{
    private float[] _image = null!, _columns = null!, _conv0 = null!, _pool0 = null!, _conv1 = null!, _pool1 = null!, _flat = null!, _dense = null!;
    private int[] _argmax0 = null!, _argmax1 = null!;
    private float[] _taps0 = null!, _w0 = null!, _b0 = null!, _w1 = null!, _kernel1 = null!, _b1 = null!, _winograd = null!, _source = null!, _w2 = null!, _b2 = null!;

    [GlobalSetup]
    public void Setup()
    {
        BenchConvNet network = ConvWorkload.InitialNetwork();
        _image = Workload.Images.AsSpan(0, 784).ToArray();
        _columns = new float[121 * 288];
        _conv0 = new float[26 * 26 * 32];
        _pool0 = new float[13 * 13 * 32];
        _conv1 = new float[11 * 11 * 64];
        _pool1 = new float[5 * 5 * 64];
        _flat = new float[1600];
        _dense = new float[10];
        _argmax0 = new int[_pool0.Length];
        _argmax1 = new int[_pool1.Length];
        _w0 = ConvWorkload.Parameter(network, "conv_0.weight");
        _b0 = ConvWorkload.Parameter(network, "conv_0.bias");
        _w1 = ConvWorkload.Parameter(network, "conv_1.weight");
        _b1 = ConvWorkload.Parameter(network, "conv_1.bias");
        _w2 = ConvWorkload.Parameter(network, "dense_0.weight");
        _b2 = ConvWorkload.Parameter(network, "dense_0.bias");
        _taps0 = new float[_w0.Length];
        Conv.ToTapMajorKernel(_w0, _taps0, 32, 1, 3, 3);
        _kernel1 = new float[_w1.Length];
        Conv.ToChannelsLastKernel(_w1, _kernel1, 64, 32, 3, 3);
        _winograd = new float[36 * 32 * 64];
        _source = new float[_w1.Length];
        Conv.RefreshWinograd4x4Kernel(_w1, _source, _winograd, 64, 32);

        // Realistic activations for every stage.
        ConvZero();
        Pool0();
        Conv1Winograd();
        Pool1();
        Flatten();
    }

    [Benchmark(Description = "conv_0: direct, ReLU on the store (as generated)")]
    public float ConvZeroDirect()
    {
        Conv.ForwardDirect(_image, _taps0, _b0, _conv0, 1, 28, 28, 1, 32, 3, 3, 1, 0, 0, 26, 26, relu: true);
        return _conv0[0];
    }

    [Benchmark(Description = "conv_0: im2col + product + ReLU (before)")]
    public float ConvZero()
    {
        Conv.Im2Col(_image, _columns.AsSpan(0, 676 * 9), 1, 28, 28, 1, 3, 3, 1, 0, 0, 26, 26);
        Dense.Forward(_columns.AsSpan(0, 676 * 9), _w0, _b0, _conv0, 676, 9, 32);
        Activations.Relu(_conv0);
        return _conv0[0];
    }

    [Benchmark(Description = "max_pool_0 (with argmax)")]
    public float Pool0()
    {
        Pool.MaxForward(_conv0, _pool0, _argmax0, 1, 26, 26, 32, 2, 2, 2, 0, 0, 13, 13);
        return _pool0[0];
    }

    [Benchmark(Description = "conv_1: Winograd F(4x4, 3x3), ReLU on the store (as generated)")]
    public float Conv1Winograd()
    {
        Conv.RefreshWinograd4x4Kernel(_w1, _source, _winograd, 64, 32);
        Conv.ForwardWinograd4x4(_pool0, _winograd, _b1, _conv1, _columns, 1, 13, 13, 32, 64, 0, 0, 11, 11, relu: true);
        return _conv1[0];
    }

    [Benchmark(Description = "conv_1: im2col + product + ReLU (before)")]
    public float Conv1Im2Col()
    {
        Conv.Im2ColChannelsLast(_pool0, _columns, 1, 13, 13, 32, 3, 3, 1, 0, 0, 11, 11);
        Dense.Forward(_columns, _kernel1, _b1, _conv1, 121, 288, 64);
        Activations.Relu(_conv1);
        return _conv1[0];
    }

    [Benchmark(Description = "max_pool_1 (with argmax)")]
    public float Pool1()
    {
        Pool.MaxForward(_conv1, _pool1, _argmax1, 1, 11, 11, 64, 2, 2, 2, 0, 0, 5, 5);
        return _pool1[0];
    }

    [Benchmark(Description = "flatten + dense_0 + softmax")]
    public float Flatten()
    {
        Kernels.Flatten.ToChannelMajor(_pool1, _flat, 1, 25, 64);
        Dense.Forward(_flat, _w2, _b2, _dense, 1, 1600, 10);
        Activations.Softmax(_dense, 10);
        return _dense[0];
    }
}
