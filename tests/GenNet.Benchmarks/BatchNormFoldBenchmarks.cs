using System;
using BenchmarkDotNet.Attributes;

namespace GenNet.Benchmarks;

/// <summary>A small residual convnet with batch normalisation, inference only: each normalisation folds into the convolution before it.</summary>
[Network(Training = false)]
[Input(28, 28, 1)]
[Conv2D(16, 3, Activation.Linear, Padding = Padding.Same, Name = "stem")]
[BatchNormalization(Activation = Activation.ReLU, Name = "stem.bn")]
[Conv2D(16, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv")]
[BatchNormalization(Name = "block.bn")]
[Add("stem.bn", Activation = Activation.ReLU)]
[GlobalAveragePooling2D]
[Dense(10, Activation.Softmax)]
public partial class FoldedResidualNet;

/// <summary>The same declaration trainable: its Forward runs each normalisation's own pass over the running statistics.</summary>
[Network]
[Input(28, 28, 1)]
[Conv2D(16, 3, Activation.Linear, Padding = Padding.Same, Name = "stem")]
[BatchNormalization(Activation = Activation.ReLU, Name = "stem.bn")]
[Conv2D(16, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv")]
[BatchNormalization(Name = "block.bn")]
[Add("stem.bn", Activation = Activation.ReLU)]
[GlobalAveragePooling2D]
[Dense(10, Activation.Softmax)]
public partial class UnfoldedResidualNet;

/// <summary>
/// One-image inference of a residual convnet whose two convolutions are each followed by a BatchNormalization: the
/// inference-only network, where the normalisations are folded into the convolutions' weights, against the same
/// declaration trainable, whose Forward normalises each convolution's 12,544 outputs in a pass of its own. Both get the
/// same weights and running statistics (not the defaults 1/0/0/1), and the same 256 images in turn.
/// </summary>
public class BatchNormFoldBenchmarks
{
    private const int Images = 256;
    private const long Flops = 2L * 16 * 9 * 784 + 2L * 16 * 144 * 784 + 2L * 16 * 10; // the convolutions' and the head's multiply-adds

    private FoldedResidualNet _folded = null!;
    private UnfoldedResidualNet _unfolded = null!;
    private float[] _images = null!;
    private readonly float[] _output = new float[10];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _unfolded = new UnfoldedResidualNet();
        _unfolded.InitializeParameters(42);
        foreach (ParameterTensor tensor in _unfolded.ParameterTensors)
        {
            if (tensor.Name.Contains(".bn.", StringComparison.Ordinal))
            {
                Fill(tensor.Slice(_unfolded.Parameters), random, tensor.Name.EndsWith(".weight", StringComparison.Ordinal) ? 0.5 : -0.5, 1.5);
            }
        }

        foreach (ParameterTensor tensor in _unfolded.BufferTensors)
        {
            if (!tensor.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            {
                Fill(tensor.Slice(_unfolded.Buffers), random, tensor.Name.EndsWith(".running_var", StringComparison.Ordinal) ? 0.3 : -0.5, 2);
            }
        }

        _folded = new FoldedResidualNet();
        _unfolded.Parameters.CopyTo(_folded.Parameters);
        _unfolded.Buffers.CopyTo(_folded.Buffers);
        _images = new float[Images * 784];
        Fill(_images, random, 0, 1);
    }

    private static void Fill(Span<float> values, Random random, double low, double high)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(low + (high - low) * random.NextDouble());
        }
    }

    private ReadOnlySpan<float> NextImage()
    {
        _next = (_next + 1) % Images;
        return _images.AsSpan(_next * 784, 784);
    }

    [Benchmark(Baseline = true, Description = "trainable: BatchNorm passes (unfolded)")]
    [Flops(Flops, epoch: false)]
    public float Unfolded()
    {
        _unfolded.Forward(NextImage(), _output);
        return _output[0];
    }

    [Benchmark(Description = "inference only: BatchNorm folded into the convolutions")]
    [Flops(Flops, epoch: false)]
    public float Folded()
    {
        _folded.Forward(NextImage(), _output);
        return _output[0];
    }
}
