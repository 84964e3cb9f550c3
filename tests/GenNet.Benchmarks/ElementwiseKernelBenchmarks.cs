using System;
using BenchmarkDotNet.Attributes;

namespace GenNet.Benchmarks;

/// <summary>
/// The element-wise and per-channel kernels outside the products: pooling on mnist_convnet's first pool
/// ([26, 26, 32] → [13, 13, 32], 2×2) for a batch of 64, activation backward steps over a batch of 256 hidden layers of
/// 128 (and ReLU forward over them, softmax over 256 rows of 10 classes), and one optimizer step over the MLP's 101,770 parameters. Each is memory-bound; these guard the shared SIMD
/// dispatch against regressions rather than measure against a peer.
/// </summary>
public class ElementwiseKernelBenchmarks
{
    private const int Batch = 64, Side = 26, Channels = 32, Pooled = 13;
    private const int Hidden = 256 * 128, Parameters = 784 * 128 + 128 + 128 * 10 + 10;

    private float[] _image = null!, _pooled = null!, _dImage = null!, _outputs = null!, _tiny = null!, _gradient = null!, _logits = null!;
    private float[] _parameters = null!, _gradients = null!;
    private int[] _argmax = null!;
    private Adam _adam = null!;
    private Sgd _sgd = null!;
    private RmsProp _rmsProp = null!;

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

        _image = Values(Batch * Side * Side * Channels);
        _pooled = Values(Batch * Pooled * Pooled * Channels);
        _dImage = new float[_image.Length];
        _argmax = new int[_pooled.Length];
        _outputs = Values(Hidden);
        _gradient = Values(Hidden);
        _tiny = Values(Hidden);
        _logits = Values(256 * 10);
        for (int i = 0; i < Hidden; i++)
        {
            _tiny[i] *= 1e-4f;
        }

        _parameters = Values(Parameters);
        _gradients = Values(Parameters);
        _adam = new Adam(1e-6f);
        _sgd = new Sgd(1e-6f, momentum: 0.9f);
        _rmsProp = new RmsProp(1e-6f, momentum: 0.9f);
    }

    [Benchmark(Description = "max pool forward with argmax")]
    public float MaxPool()
    {
        Kernels.Pool.MaxForward(_image, _pooled, _argmax, Batch, Side, Side, Channels, 2, 2, 2, 0, 0, Pooled, Pooled);
        return _pooled[0];
    }

    [Benchmark(Description = "average pool forward")]
    public float AveragePool()
    {
        Kernels.Pool.AverageForward(_image, _pooled, Batch, Side, Side, Channels, 2, 2, 2, 0, 0, Pooled, Pooled);
        return _pooled[0];
    }

    [Benchmark(Description = "average pool backward")]
    public float AveragePoolBackward()
    {
        Kernels.Pool.AverageBackward(_pooled, _dImage, Batch, Side, Side, Channels, 2, 2, 2, 0, 0, Pooled, Pooled);
        return _dImage[0];
    }

    [Benchmark(Description = "ReLU forward")]
    public float Relu()
    {
        Kernels.Activations.Relu(_outputs); // in place: after the first call every value is ≥ 0, the work is the same
        return _outputs[0];
    }

    [Benchmark(Description = "softmax, 256 rows of 10")]
    public float Softmax()
    {
        Kernels.Activations.Softmax(_logits, 10); // in place: probabilities are valid logits for the next call
        return _logits[0];
    }

    [Benchmark(Description = "ReLU backward")]
    public float ReluBackward()
    {
        Kernels.Activations.ReluBackward(_outputs, _gradient);
        return _gradient[0];
    }

    [Benchmark(Description = "leaky ReLU forward and backward")]
    public float LeakyRelu()
    {
        Kernels.Activations.LeakyRelu(_outputs, 1f); // slope 1 keeps repeated calls from driving values into denormals
        Kernels.Activations.LeakyReluBackward(_outputs, _gradient, 1f);
        return _gradient[0];
    }

    [Benchmark(Description = "tanh backward")]
    public float TanhBackward()
    {
        Kernels.Activations.TanhBackward(_tiny, _gradient); // 1 − y² rounds to 1: repeated calls leave dy as it is
        return _gradient[0];
    }

    [Benchmark(Description = "Adam step")]
    public float AdamStep()
    {
        _adam.Step(_parameters, _gradients);
        return _parameters[0];
    }

    /// <summary>
    /// The step and a second pass that checks the parameters are finite, as Fit made before the built-in optimizers' update
    /// checked them as it wrote them (<c>Simd.Update</c>): against "Adam step", what that pass cost.
    /// </summary>
    [Benchmark(Description = "Adam step, then a finiteness pass")]
    public bool AdamStepThenFinitenessPass()
    {
        _adam.Step(_parameters, _gradients);
        return System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(_parameters);
    }

    [Benchmark(Description = "SGD step, momentum")]
    public float SgdStep()
    {
        _sgd.Step(_parameters, _gradients);
        return _parameters[0];
    }

    [Benchmark(Description = "RMSprop step, momentum")]
    public float RmsPropStep()
    {
        _rmsProp.Step(_parameters, _gradients);
        return _parameters[0];
    }
}
