using System;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenNet.Benchmarks;

/// <summary>
/// Inference of the seed MLP, same weights everywhere, one thread: one sample (latency) and a batch of 256 (throughput).
/// ONNX Runtime runs through IoBinding on preallocated buffers, its fastest path; TorchSharp under no_grad.
/// The peers read the weights through <c>ParameterValues</c>; reading <c>Parameters</c> would hand the network's arena out,
/// after which it reads its Dense weights as they lie on every call (the second GenNet row shows that case).
/// </summary>
public class InferenceBenchmarks
{
    private BenchMlp _network = null!, _handedOut = null!;
    private PlainMlp _plain = null!;
    private float[] _inputs = null!, _outputs = null!;
    private OrtRunner _ort = null!;
    private Sequential _torchModel = null!;
    private Tensor _torchInput = null!;

    [Params(1, 256)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _network = Workload.InitialNetwork();
        _handedOut = Workload.InitialNetwork();
        _ = _handedOut.Parameters;
        _plain = new PlainMlp(_network);
        _inputs = Workload.Images.AsSpan(0, BatchSize * 784).ToArray();
        _outputs = new float[BatchSize * 10];

        (float[] w0, float[] b0) = Workload.Layer(_network, 0);
        (float[] w1, float[] b1) = Workload.Layer(_network, 1);
        byte[] model = Workload.Onnx(_network); // GenNet's own export: Gemm → Relu → Gemm → Softmax
        _ort = new OrtRunner(model, _inputs, [BatchSize, 784], _outputs, [BatchSize, 10]);

        torch.set_num_threads(1);
        Linear first = nn.Linear(784, 128), second = nn.Linear(128, 10);
        using (torch.no_grad())
        {
            first.weight!.copy_(torch.tensor(w0, [128, 784]));
            first.bias!.copy_(torch.tensor(b0));
            second.weight!.copy_(torch.tensor(w1, [10, 128]));
            second.bias!.copy_(torch.tensor(b1));
        }

        _torchModel = nn.Sequential(first, nn.ReLU(), second, nn.Softmax(1));
        _torchModel.eval();
        _torchInput = torch.tensor(_inputs, [BatchSize, 784]);
    }

    [Benchmark(Description = "GenNet Forward")]
    [Flops(Workload.ForwardFlops, epoch: false)]
    public float GenNet()
    {
        _network.Forward(_inputs, _outputs, BatchSize);
        return _outputs[0];
    }

    [Benchmark(Description = "GenNet Forward, Parameters handed out")]
    [Flops(Workload.ForwardFlops, epoch: false)]
    public float GenNetHandedOut()
    {
        _handedOut.Forward(_inputs, _outputs, BatchSize);
        return _outputs[0];
    }

    [Benchmark(Description = "ONNX Runtime (IoBinding)")]
    [Flops(Workload.ForwardFlops, epoch: false)]
    public float OnnxRuntime()
    {
        _ort.Run();
        return _outputs[0];
    }

    [Benchmark(Description = "TorchSharp (no_grad)")]
    [Flops(Workload.ForwardFlops, epoch: false)]
    public float TorchSharp()
    {
        using var noGrad = torch.no_grad();
        using Tensor probabilities = _torchModel.forward(_torchInput);
        return probabilities[0, 0].item<float>();
    }

    [Benchmark(Description = "plain C# loops")]
    [Flops(Workload.ForwardFlops, epoch: false)]
    public float PlainLoops()
    {
        for (int b = 0; b < BatchSize; b++)
        {
            _plain.Forward(_inputs.AsSpan(b * 784, 784), _outputs.AsSpan(b * 10, 10));
        }

        return _outputs[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ort.Dispose();
        _torchInput.Dispose();
        _torchModel.Dispose();
    }
}
