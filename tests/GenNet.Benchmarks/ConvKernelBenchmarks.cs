using System;
using BenchmarkDotNet.Attributes;

namespace GenNet.Benchmarks;

/// <summary>
/// Where a convolution's time goes, on mnist_convnet's second convolution ([13, 13, 32] → [11, 11, 64], 3×3): the two
/// im2col orders and their col2im, the weight reordering and the check that skips it, the product, and the backward
/// products at that shape and at the MLP's first layer for a batch of 32 (the broadcast tiles).
/// </summary>
public class ConvKernelBenchmarks
{
    private float[] _image = null!, _columns = null!, _weight = null!, _kernel = null!, _source = null!, _bias = null!, _y = null!, _dx = null!;
    private float[] _mlpX = null!, _mlpDy = null!, _mlpDw = null!, _mlpDb = null!, _dw = null!, _db = null!;

    /// <summary>Images per call.</summary>
    [Params(1, 64)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        float[] Values(int count)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = (float)(random.NextDouble() - 0.5);
            }

            return values;
        }

        _image = Values(BatchSize * 13 * 13 * 32);
        _columns = Values(BatchSize * 121 * 288);
        _weight = Values(64 * 288);
        _kernel = new float[64 * 288];
        _source = (float[])_weight.Clone(); // as after a first reorder: unchanged weights
        _bias = Values(64);
        _y = Values(BatchSize * 121 * 64);
        _dx = new float[_image.Length];
        _dw = new float[64 * 288];
        _db = new float[64];
        _mlpX = Values(32 * 784);
        _mlpDy = Values(32 * 128);
        _mlpDw = new float[128 * 784];
        _mlpDb = new float[128];
    }

    [Benchmark(Description = "im2col, PyTorch order (c, ky, kx)")]
    public float Im2ColPyTorchOrder()
    {
        Kernels.Conv.Im2Col(_image, _columns, BatchSize, 13, 13, 32, 3, 3, 1, 0, 0, 11, 11);
        return _columns[0];
    }

    [Benchmark(Description = "im2col, channels-last order (ky, kx, c)")]
    public float Im2ColChannelsLast()
    {
        Kernels.Conv.Im2ColChannelsLast(_image, _columns, BatchSize, 13, 13, 32, 3, 3, 1, 0, 0, 11, 11);
        return _columns[0];
    }

    [Benchmark(Description = "col2im, PyTorch order")]
    public float Col2ImPyTorchOrder()
    {
        Kernels.Conv.Col2Im(_columns, _dx, BatchSize, 13, 13, 32, 3, 3, 1, 0, 0, 11, 11);
        return _dx[0];
    }

    [Benchmark(Description = "col2im, channels-last order")]
    public float Col2ImChannelsLast()
    {
        Kernels.Conv.Col2ImChannelsLast(_columns, _dx, BatchSize, 13, 13, 32, 3, 3, 1, 0, 0, 11, 11);
        return _dx[0];
    }

    [Benchmark(Description = "weight reorder [64, 32, 3, 3] → [64, 3, 3, 32]")]
    public float Reorder()
    {
        Kernels.Conv.ToChannelsLastKernel(_weight, _kernel, 64, 32, 3, 3);
        return _kernel[0];
    }

    [Benchmark(Description = "weight refresh, unchanged (the compare only)")]
    public float RefreshUnchanged()
    {
        Kernels.Conv.RefreshChannelsLastKernel(_weight, _source, _kernel, 64, 32, 3, 3);
        return _kernel[0];
    }

    [Benchmark(Description = "product: columns · Wᵀ (Dense.Forward)")]
    public float Product()
    {
        Kernels.Dense.Forward(_columns, _kernel, _bias, _y, BatchSize * 121, 288, 64);
        return _y[0];
    }

    [Benchmark(Description = "dW: dyᵀ · columns (Dense.BackwardWeights)")]
    public float WeightGradient()
    {
        Kernels.Dense.BackwardWeights(_y, _columns, _dw, _db, BatchSize * 121, 288, 64);
        return _dw[0];
    }

    [Benchmark(Description = "dcolumns: dy · W (Dense.BackwardInput)")]
    public float InputGradient()
    {
        Kernels.Dense.BackwardInput(_y, _kernel, _columns, BatchSize * 121, 288, 64);
        return _columns[0];
    }

    [Benchmark(Description = "MLP first layer dW at batch 32 (784 → 128)")]
    public float MlpWeightGradient()
    {
        Kernels.Dense.BackwardWeights(_mlpDy, _mlpX, _mlpDw, _mlpDb, 32, 784, 128);
        return _mlpDw[0];
    }
}
