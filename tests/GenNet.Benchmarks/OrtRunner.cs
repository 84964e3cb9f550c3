using System;
using Microsoft.ML.OnnxRuntime;

namespace GenNet.Benchmarks;

/// <summary>
/// ONNX Runtime as every benchmark runs it: one thread, sequential, all graph optimisations, and the model's one input
/// and first output bound once to the benchmark's own arrays (IoBinding), so a run copies and allocates nothing.
/// </summary>
public sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OrtValue _input, _output;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();

    public OrtRunner(byte[] model, float[] input, long[] inputShape, float[] output, long[] outputShape)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(model, options);
        _input = OrtValue.CreateTensorValueFromMemory(input, inputShape);
        _output = OrtValue.CreateTensorValueFromMemory(output, outputShape);
        _binding = _session.CreateIoBinding();
        _binding.BindInput(_session.InputNames[0], _input);
        _binding.BindOutput(_session.OutputNames[0], _output);
    }

    /// <summary>One inference: the bound input array in, the bound output array written.</summary>
    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    public void Dispose()
    {
        _binding.Dispose();
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
