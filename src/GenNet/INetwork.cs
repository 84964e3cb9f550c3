using System;
using System.Collections.Generic;

namespace GenNet;

/// <summary>
/// What every generated network implements: inference, parameters and their layout. Networks declared for
/// training (the default) implement <see cref="ITrainableNetwork"/> as well. The generated class also exposes
/// the sizes as constants (<c>MnistMlp.InputSize</c>) and the shapes as static properties.
/// </summary>
/// <remarks>
/// A network instance owns its parameters, gradients and scratch memory; it is not thread-safe.
/// Nothing allocates per call: the scratch arena grows once when a batch larger than any before arrives.
/// </remarks>
public interface INetwork
{
    /// <summary>Floats in one input sample (the product of <see cref="InputShape"/>).</summary>
    int InputSize { get; }

    /// <summary>Floats in one output sample.</summary>
    int OutputSize { get; }

    /// <summary>Number of parameter floats: the length of <see cref="Parameters"/> (and of a trainable network's gradients).</summary>
    int ParameterCount { get; }

    /// <summary>The shape of one input sample, outermost first.</summary>
    ReadOnlySpan<int> InputShape { get; }

    /// <summary>The shape of one output sample.</summary>
    ReadOnlySpan<int> OutputShape { get; }

    /// <summary>The loss the network is trained and evaluated with (never <see cref="GenNet.Loss.Auto"/>).</summary>
    Loss Loss { get; }

    /// <summary>
    /// Every parameter in one contiguous arena, laid out as <see cref="ParameterTensors"/> says. A generated network treats
    /// the span as handed out from the first call on (it may be written at any time) and stops keeping packed copies of its
    /// weights; read them through <see cref="ParameterValues"/> and step them with <see cref="Optimizer.Step(ITrainableNetwork)"/>
    /// to keep those.
    /// </summary>
    Span<float> Parameters { get; }

    /// <summary>The parameters, read-only, in the layout of <see cref="Parameters"/>; reading them here hands nothing out.</summary>
    ReadOnlySpan<float> ParameterValues => Parameters;

    /// <summary>Name, shape and offset of every parameter tensor, in PyTorch's names and layouts.</summary>
    IReadOnlyList<ParameterTensor> ParameterTensors { get; }

    /// <summary>
    /// State that is saved, loaded and compiled in with the parameters but never trained by an optimizer (PyTorch's
    /// buffers, such as a normalisation layer's running statistics), in one arena laid out as <see cref="BufferTensors"/>
    /// says. Empty for a network whose layers keep no such state.
    /// </summary>
    Span<float> Buffers { get; }

    /// <summary>Name, shape and offset of every buffer tensor, in PyTorch's names and layouts.</summary>
    IReadOnlyList<ParameterTensor> BufferTensors { get; }

    /// <summary>
    /// The outputs of the most recent <c>Forward</c> (or <c>ComputeGradients</c>) call, [batch, <see cref="OutputSize"/>]
    /// row-major (probabilities for a Softmax or Sigmoid output). Valid until the next call.
    /// </summary>
    ReadOnlySpan<float> Outputs { get; }

    /// <summary>A Keras-style table of the layers, their output shapes and parameter counts.</summary>
    string Summary { get; }

    /// <summary>
    /// Each layer's declared initializers (<c>KernelInitializer</c>, <c>BiasInitializer</c>); by default Glorot-uniform
    /// weights and zero biases (Keras's defaults). The same for the same seed on every machine.
    /// </summary>
    void InitializeParameters(int seed);

    /// <summary>Runs one sample: <paramref name="input"/> has <see cref="InputSize"/> floats, <paramref name="output"/> <see cref="OutputSize"/>.</summary>
    void Forward(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>Runs <paramref name="batchSize"/> samples stored row-major, one after the other.</summary>
    void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize);
}

/// <summary>
/// A network that can be trained: a gradient arena and the forward-loss-backward step. Generated for every network
/// unless it is declared <c>[Network(Training = false)]</c>, which emits inference code only.
/// </summary>
public interface ITrainableNetwork : INetwork
{
    /// <summary>
    /// Threads <c>ComputeGradients</c> may use. 0 (the default) splits a batch over the processors when it is large enough
    /// to win; 1 keeps it on the calling thread; n uses up to n. Results are reproducible for a fixed thread count;
    /// different counts sum the gradient in a different order (differences of float rounding only). A network with a
    /// <see cref="BatchNormalizationAttribute"/> layer always trains on one thread: its statistics span the whole batch.
    /// </summary>
    int Threads { get; set; }

    /// <summary>The gradient of the last <c>ComputeGradients</c> call, in the layout of <see cref="INetwork.Parameters"/>.</summary>
    Span<float> Gradients { get; }

    /// <summary>
    /// Forward pass, loss and backward pass for a batch with one integer label per sample (a class index;
    /// for a network with one output, 0 or 1). Returns the mean loss over the batch and leaves the gradient
    /// of that mean in <see cref="Gradients"/>; layers' weight penalties (<c>KernelRegularizerL2</c>) are added to both.
    /// </summary>
    float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batchSize);

    /// <summary>
    /// Forward pass, loss and backward pass for a batch with <see cref="INetwork.OutputSize"/> float targets per sample
    /// (one-hot or soft class distributions, or regression targets). Returns the mean loss over the batch and
    /// leaves the gradient of that mean in <see cref="Gradients"/>; layers' weight penalties (<c>KernelRegularizerL2</c>)
    /// are added to both.
    /// </summary>
    float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize);
}
