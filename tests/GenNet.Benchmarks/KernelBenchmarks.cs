using System;
using System.Linq;
using BenchmarkDotNet.Attributes;

namespace GenNet.Benchmarks;

/// <summary>
/// Where inference time goes: the first layer's product (784 → 128, 98% of the model's FLOPs) on its own, against the
/// whole forward pass, at one sample, at 32 (the smallest batch of the packed product, which packs the weights in each
/// call: 35.97 µs, 178.5 GFLOP/s on 2026-12-04) and at 256. The gap between the whole pass and the first layer from panels (what the
/// network reads once its weights are packed) is the per-call overhead (checks, the second layer, activations, softmax,
/// copies). The first layer also runs from its packed panels (what inference-only networks with compiled-in weights, and
/// trainable ones whose weights stay unchanged, read), with bfloat16 weights by rows and by panels, and the weights are
/// read once on their own (the bandwidth that bounds one sample) and packed once (what a trainable network pays to pack them).
/// </summary>
public class KernelBenchmarks
{
    private const long FirstLayerFlops = 2L * 784 * 128;
    private float[] _x = null!, _weight = null!, _bias = null!, _y = null!, _outputs = null!, _panels = null!;
    private ushort[] _bfloat16 = null!, _bfloat16Panels = null!;
    private BenchMlp _network = null!;

    [Params(1, 32, 256)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _network = Workload.InitialNetwork();
        (_weight, _bias) = Workload.Layer(_network, 0);
        _x = Workload.Images.AsSpan(0, BatchSize * 784).ToArray();
        _y = new float[BatchSize * 128];
        _outputs = new float[BatchSize * 10];
        _panels = new float[Kernels.Dense.PanelLength(784, 128)];
        Kernels.Dense.PackPanels<float>(_weight, _panels, 784, 128);
        _bfloat16 = _weight.Select(w => (ushort)((BitConverter.SingleToUInt32Bits(w) + 0x7FFF + ((BitConverter.SingleToUInt32Bits(w) >> 16) & 1)) >> 16)).ToArray(); // rounded to nearest even
        _bfloat16Panels = new ushort[Kernels.Dense.PairPanelLength(784, 128)];
        Kernels.Dense.PackBFloat16Panels(_bfloat16, _bfloat16Panels, 784, 128);
    }

    [Benchmark(Description = "first layer from panels (Kernels.Dense.ForwardPanels)")]
    [Flops(FirstLayerFlops, epoch: false)]
    public float FirstLayerPanels()
    {
        Kernels.Dense.ForwardPanels(_x, _panels, _weight, _bias, _y, BatchSize, 784, 128);
        return _y[0];
    }

    [Benchmark(Description = "first layer, bfloat16 rows (Kernels.Dense.ForwardBFloat16)")]
    [Flops(FirstLayerFlops, epoch: false)]
    public float FirstLayerBFloat16()
    {
        Kernels.Dense.ForwardBFloat16(_x, _bfloat16, _bias, _y, BatchSize, 784, 128);
        return _y[0];
    }

    [Benchmark(Description = "first layer, bfloat16 panels (Kernels.Dense.ForwardBFloat16)")]
    [Flops(FirstLayerFlops, epoch: false)]
    public float FirstLayerBFloat16Panels()
    {
        Kernels.Dense.ForwardBFloat16(_x, _bfloat16, _bfloat16Panels, _bias, _y, BatchSize, 784, 128);
        return _y[0];
    }

    /// <summary>
    /// Reads the first layer's 401,408 bytes of float weights once, four independent vector sums (no dependency chain to wait
    /// on): what streaming them from L2 costs, the floor under one sample's product.
    /// </summary>
    [Benchmark(Description = "read the first layer's float weights (4 vector sums)")]
    public float ReadWeights()
    {
        ref float w = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_weight);
        int lanes = System.Numerics.Vector<float>.Count;
        System.Numerics.Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (nuint k = 0; k + (nuint)(4 * lanes) <= (nuint)_weight.Length; k += (nuint)(4 * lanes))
        {
            s0 += System.Numerics.Vector.LoadUnsafe(ref w, k);
            s1 += System.Numerics.Vector.LoadUnsafe(ref w, k + (nuint)lanes);
            s2 += System.Numerics.Vector.LoadUnsafe(ref w, k + (nuint)(2 * lanes));
            s3 += System.Numerics.Vector.LoadUnsafe(ref w, k + (nuint)(3 * lanes));
        }

        return System.Numerics.Vector.Sum(s0 + s1 + s2 + s3);
    }

    [Benchmark(Description = "pack the first layer's weights into panels (Kernels.Dense.PackPanels)")]
    public float PackFirstLayer()
    {
        Kernels.Dense.PackPanels<float>(_weight, _panels, 784, 128);
        return _panels[0];
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
