using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenNet.Benchmarks;

/// <summary>samples/SequenceMnist's network: an LSTM of 128 units over an image's 28 rows, its last state into Dense(10, softmax).</summary>
[Network]
[Input(28, 28)]
[LSTM(128)]
[Dense(10, Activation.Softmax)]
public partial class BenchRowLstm;

/// <summary>The LSTM's FLOPs, initial weights (GenNet's, seed 42) and the same network in TorchSharp. The data is <see cref="Workload"/>'s.</summary>
public static class SequenceWorkload
{
    /// <summary>
    /// Model FLOPs per sample, a multiply-add being 2: per step the four gates' x·W_ihᵀ (4·128 × 28) and h·W_hhᵀ
    /// (4·128 × 128), 28 steps, then the dense 128 × 10 (the gates' nonlinearities and the cell update not counted) — 4,474,112.
    /// </summary>
    public const long ForwardFlops = 2L * 28 * 4 * 128 * (28 + 128) + 2L * 128 * 10;

    /// <summary>Forward + backward as 3× forward, the convention of <see cref="Workload.TrainingFlops"/>.</summary>
    public const long TrainingFlops = 3 * ForwardFlops;

    public static BenchRowLstm InitialNetwork()
    {
        var network = new BenchRowLstm();
        network.InitializeParameters(42);
        return network;
    }

    /// <summary>
    /// nn.LSTM(28, 128, batch_first: true) and nn.Linear(128, 10) with <paramref name="network"/>'s parameters, unchanged:
    /// GenNet's LSTM keeps PyTorch's names, layouts and gate order. Ends in logits (for CrossEntropyLoss) unless <paramref name="softmax"/>.
    /// </summary>
    public static RowLstmModule TorchModel(INetwork network, bool softmax)
    {
        var model = new RowLstmModule(softmax);
        using (torch.no_grad())
        {
            foreach (string tensor in new[] { "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0" })
            {
                ConvWorkload.Copy(network, "lstm." + tensor, model.Lstm.get_parameter(tensor)!);
            }

            ConvWorkload.Copy(network, "dense_0.weight", model.Dense.weight!);
            ConvWorkload.Copy(network, "dense_0.bias", model.Dense.bias!);
        }

        return model;
    }
}

/// <summary>The LSTM classifier in TorchSharp: the LSTM's last hidden state (h_n, [1, batch, 128]) into the Linear layer.</summary>
public sealed class RowLstmModule : nn.Module<Tensor, Tensor>
{
    private readonly bool _softmax;

    public RowLstmModule(bool softmax) : base(nameof(RowLstmModule))
    {
        _softmax = softmax;
        Lstm = nn.LSTM(28, 128, batchFirst: true);
        Dense = nn.Linear(128, 10);
        RegisterComponents();
    }

    public LSTM Lstm { get; }

    public Linear Dense { get; }

    public override Tensor forward(Tensor input)
    {
        (Tensor sequence, Tensor hidden, Tensor cell) = Lstm.forward(input);
        using (sequence)
        using (cell)
        using (hidden)
        using (Tensor last = hidden[0])
        {
            Tensor logits = Dense.forward(last);
            if (!_softmax)
            {
                return logits;
            }

            using (logits)
            {
                return logits.softmax(1);
            }
        }
    }
}

/// <summary>
/// One-sequence latency of SequenceMnist's LSTM (28 steps of 28 values), same weights everywhere, one thread. ONNX Runtime
/// runs GenNet's own export (ONNX's LSTM node) through IoBinding on preallocated buffers; TorchSharp under no_grad in eval mode.
/// </summary>
public class SequenceInferenceBenchmarks
{
    private BenchRowLstm _network = null!;
    private float[] _input = null!, _output = null!;
    private OrtRunner _ort = null!;
    private RowLstmModule _torchModel = null!;
    private Tensor _torchInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        _network = SequenceWorkload.InitialNetwork();
        _input = Workload.Images.AsSpan(0, 784).ToArray();
        _output = new float[10];

        byte[] model = Workload.Onnx(_network);
        _ort = new OrtRunner(model, _input, [1, 28, 28], _output, [1, 10]);

        torch.set_num_threads(1);
        _torchModel = SequenceWorkload.TorchModel(_network, softmax: true);
        _torchModel.eval();
        _torchInput = torch.tensor(_input, [1, 28, 28]);

        // The three compute the same thing: their outputs agree before anything is timed.
        float[] expected = new float[10];
        _network.Forward(_input, expected);
        _ort.Run();
        float[] onnx = (float[])_output.Clone();
        using (torch.no_grad())
        using (Tensor probabilities = _torchModel.forward(_torchInput))
        {
            float[] torchOutput = probabilities.data<float>().ToArray();
            for (int i = 0; i < 10; i++)
            {
                if (Math.Abs(onnx[i] - expected[i]) > 1e-5f || Math.Abs(torchOutput[i] - expected[i]) > 1e-5f)
                {
                    throw new InvalidOperationException($"output {i}: GenNet {expected[i]}, ONNX Runtime {onnx[i]}, TorchSharp {torchOutput[i]}");
                }
            }
        }
    }

    [Benchmark(Description = "GenNet Forward, LSTM")]
    [Flops(SequenceWorkload.ForwardFlops, epoch: false)]
    public float GenNet()
    {
        _network.Forward(_input, _output);
        return _output[0];
    }

    [Benchmark(Description = "ONNX Runtime (IoBinding), LSTM")]
    [Flops(SequenceWorkload.ForwardFlops, epoch: false)]
    public float OnnxRuntime()
    {
        _ort.Run();
        return _output[0];
    }

    [Benchmark(Description = "TorchSharp (no_grad), LSTM")]
    [Flops(SequenceWorkload.ForwardFlops, epoch: false)]
    public float TorchSharp()
    {
        using var noGrad = torch.no_grad();
        using Tensor probabilities = _torchModel.forward(_torchInput);
        return probabilities[0, 0].item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ort.Dispose();
        _torchInput.Dispose();
        _torchModel.Dispose();
    }
}

/// <summary>
/// <see cref="EpochJobAttribute"/>'s job with a 30-minute limit on a benchmark's run: the in-process toolchain's default
/// (5 minutes) stops four LSTM epochs of a minute each on a busy machine.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class LongEpochJobAttribute() : JobMutatorConfigBaseAttribute(
    new Job().WithStrategy(RunStrategy.Monitoring).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1)
        .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true)));

/// <summary>
/// One training epoch of SequenceMnist's LSTM on Fashion-MNIST at the sample's batch size, 128 (Adam, shuffled batches,
/// the last partial batch kept): GenNet's Fit against TorchSharp's usual loop, one thread each.
/// </summary>
[LongEpochJob]
public class SequenceTrainingBenchmarks
{
    private BenchRowLstm _network = null!;
    private Adam _adam = null!;
    private int _epoch;
    private RowLstmModule _torchModel = null!;
    private CrossEntropyLoss _torchLoss = null!;
    private optim.Optimizer _torchAdam = null!;
    private Tensor _torchImages = null!, _torchLabels = null!;
    private torch.Generator _torchRandom = null!;

    [Params(128)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _network = SequenceWorkload.InitialNetwork();
        _network.Threads = 1;
        _adam = new Adam();

        torch.set_num_threads(1);
        _torchModel = SequenceWorkload.TorchModel(_network, softmax: false);
        _torchModel.train();
        _torchLoss = nn.CrossEntropyLoss(); // on logits: the same as softmax + sparse categorical cross-entropy
        _torchAdam = optim.Adam(_torchModel.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        _torchImages = torch.tensor(Workload.Images, [Workload.Train.Count, 28, 28]); // [batch, steps, features], the same memory
        _torchLabels = torch.tensor(Workload.Labels);
        _torchRandom = new torch.Generator(42);
    }

    [Benchmark(Description = "GenNet Fit, one LSTM epoch")]
    [Flops(SequenceWorkload.TrainingFlops, epoch: true)]
    public double GenNet() =>
        _network.Fit(Workload.Train, _adam, epochs: 1, BatchSize, seed: _epoch++, verbosity: Verbosity.Silent).Epochs[0].Loss;

    [Benchmark(Description = "TorchSharp loop, one LSTM epoch")]
    [Flops(SequenceWorkload.TrainingFlops, epoch: true)]
    public float TorchSharp() => TorchLoop.Epoch(_torchModel, _torchLoss, _torchAdam, _torchImages, _torchLabels, _torchRandom, BatchSize);

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchImages.Dispose();
        _torchLabels.Dispose();
        _torchModel.Dispose();
        _torchRandom.Dispose();
    }
}

/// <summary>
/// Where one sequence's LSTM forward goes (<c>--filter '*SequenceKernel*'</c>): the input projection of all 28 steps (one
/// product of [28, 28] by the [512, 28] weight), one step's recurrent product ([1, 128] by the [512, 128] weight), and one
/// whole step (that product, the gates' sigmoid and tanh, the cell and hidden updates). A forward is the projection,
/// 28 steps, and the dense layer.
/// </summary>
public class SequenceKernelBenchmarks
{
    private const int Steps = 28, Features = 28, Units = 128, Gates = 4 * Units;
    private float[] _x = null!, _x32 = null!, _h16 = null!, _projection16 = null!, _weightIh = null!, _weightIh32 = null!, _weightHh = null!, _bias = null!, _gates = null!, _projection = null!, _h = null!, _c = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        float[] Fill(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray();
        _x = Workload.Images.AsSpan(0, Steps * Features).ToArray();
        _weightIh = Fill(Gates * Features);
        _weightHh = Fill(Gates * Units);
        _bias = Fill(Gates);
        _gates = new float[Steps * Gates];
        _projection = new float[Gates];
        _h = Fill((Steps + 1) * Units);
        _c = Fill((Steps + 1) * Units);
        _x32 = Fill(Steps * 32);
        _h16 = Fill(16 * Units);
        _projection16 = new float[16 * Gates];
        _weightIh32 = Fill(Gates * 32);
    }

    [Benchmark(Description = "input projection, 28 steps")]
    public float InputProjection()
    {
        GenNet.Kernels.Dense.Forward(_x, _weightIh, _bias, _gates, Steps, Features, Gates);
        return _gates[0];
    }

    /// <summary>The same product with 32 features, a whole number of vectors at every width: what the 28 features' scalar tail costs.</summary>
    [Benchmark(Description = "input projection, 28 steps of 32 features")]
    public float InputProjection32()
    {
        GenNet.Kernels.Dense.Forward(_x32, _weightIh32, _bias, _gates, Steps, 32, Gates);
        return _gates[0];
    }

    [Benchmark(Description = "recurrent product, one step")]
    public float RecurrentProduct()
    {
        GenNet.Kernels.Dense.Forward(_h.AsSpan(0, Units), _weightHh, _bias, _projection, 1, Units, Gates);
        return _projection[0];
    }

    /// <summary>
    /// The same product for 16 sequences at once (a batch's step in training or batched inference): the packed path, which
    /// products of 8–31 rows take while their inputs are at most 40 a row (<c>Dense.TakesPackedPath</c>).
    /// </summary>
    [Benchmark(Description = "recurrent product, one step of 16 sequences")]
    public float RecurrentProduct16()
    {
        GenNet.Kernels.Dense.Forward(_h16, _weightHh, _bias, _projection16, 16, Units, Gates);
        return _projection16[0];
    }

    [Benchmark(Description = "LstmStep, one step")]
    public float Step()
    {
        GenNet.Kernels.Recurrent.LstmStep(_weightHh, _bias, _gates, _projection, _h, _c, step: 5, batchSize: 1, units: Units);
        return _h[6 * Units];
    }
}

/// <summary>
/// Where an LSTM training step at batch 128 goes (<c>--filter '*SequenceTrainingKernel*'</c>), SequenceMnist's sizes: per
/// batch one input projection, 28 forward steps, 28 backward steps (each restoring its gates first, timed alone as
/// <c>restore</c>), and the two weight gradients over all 28 × 128 rows.
/// </summary>
public class SequenceTrainingKernelBenchmarks
{
    private const int Batch = 128, Steps = 28, Features = 28, Units = 128, Gates = 4 * Units, Rows = Steps * Batch;
    private float[] _xs = null!, _weightIh = null!, _weightHh = null!, _bias = null!, _gates = null!, _savedGates = null!;
    private float[] _projection = null!, _h = null!, _c = null!, _dh = null!, _dc = null!, _weightGradient = null!, _hhGradient = null!, _biasGradient = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        float[] Fill(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5) * scale).ToArray();
        _xs = Workload.Images.AsSpan(0, Rows * Features).ToArray();
        _weightIh = Fill(Gates * Features, 0.2f);
        _weightHh = Fill(Gates * Units, 0.2f);
        _bias = Fill(Gates, 0.2f);
        _gates = Fill(Rows * Gates, 1f).Select(v => v + 0.5f).ToArray(); // activations in (0, 1)
        _savedGates = (float[])_gates.Clone();
        _projection = new float[Batch * Gates];
        _h = Fill((Steps + 1) * Batch * Units, 1f);
        _c = Fill((Steps + 1) * Batch * Units, 1f);
        _dh = Fill(Batch * Units, 0.01f);
        _dc = Fill(Batch * Units, 0.01f);
        _weightGradient = new float[Gates * Features];
        _hhGradient = new float[Gates * Units];
        _biasGradient = new float[Gates];
    }

    [Benchmark(Description = "input projection, 3,584 rows")]
    public float InputProjection()
    {
        GenNet.Kernels.Dense.Forward(_xs, _weightIh, _bias, _gates, Rows, Features, Gates);
        return _gates[0];
    }

    [Benchmark(Description = "LstmStep, batch 128")]
    public float Step()
    {
        GenNet.Kernels.Recurrent.LstmStep(_weightHh, _bias, _gates, _projection, _h, _c, step: 5, Batch, Units);
        return _h[6 * Batch * Units];
    }

    [Benchmark(Description = "restore one step's gates")]
    public float Restore()
    {
        _savedGates.AsSpan(5 * Batch * Gates, Batch * Gates).CopyTo(_gates.AsSpan(5 * Batch * Gates));
        return _gates[0];
    }

    [Benchmark(Description = "restore + LstmStepBackward, batch 128")]
    public float StepBackward()
    {
        _savedGates.AsSpan(5 * Batch * Gates, Batch * Gates).CopyTo(_gates.AsSpan(5 * Batch * Gates));
        GenNet.Kernels.Recurrent.LstmStepBackward(_weightHh, _gates, _projection, _c, _dh, _dc, step: 5, Batch, Units);
        _dh.AsSpan().Fill(0.01f);
        _dc.AsSpan().Fill(0.01f);
        return _gates[5 * Batch * Gates];
    }

    [Benchmark(Description = "weight_ih gradient, 3,584 rows")]
    public float InputWeightGradient()
    {
        GenNet.Kernels.Dense.BackwardWeights(_savedGates, _xs, _weightGradient, _biasGradient, Rows, Features, Gates);
        return _weightGradient[0];
    }

    [Benchmark(Description = "weight_hh gradient, 3,584 rows")]
    public float RecurrentWeightGradient()
    {
        GenNet.Kernels.Dense.BackwardWeights(_savedGates, _h.AsSpan(0, Rows * Units), _hhGradient, _biasGradient, Rows, Units, Gates);
        return _hhGradient[0];
    }
}
