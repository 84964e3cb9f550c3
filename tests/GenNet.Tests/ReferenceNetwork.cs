using System;
using System.Collections.Generic;
using System.Linq;

namespace GenNet.Tests;

/// <summary>
/// Any declaration of the reference network, as GenNet's attributes: a layer, a merge or an input. <see cref="Name"/> names its
/// output (and a Dense or Conv2D's tensors, <c>{Name}.weight</c>); <see cref="From"/> makes it read that earlier output instead
/// of the previous declaration's.
/// </summary>
public abstract record ReferenceNetworkLayer
{
    /// <summary>Names this declaration's output, as <c>Name = "…"</c>.</summary>
    public string? Name { get; init; }

    /// <summary>The earlier output this layer reads, as <c>From = "…"</c>; null: the previous declaration's.</summary>
    public string? From { get; init; }
}

/// <summary>One input, as <c>[Input(...)]</c>: its shape, [h, w, c] for an image. A sample is all inputs concatenated in declaration order.</summary>
public sealed record ReferenceInput(params int[] Shape) : ReferenceNetworkLayer;

/// <summary>
/// A merge, as <c>[Add("a")]</c>: with one name it joins the previous output (or <c>From</c>) with the named one, previous
/// first; with two or more names exactly those, in that order. <see cref="Activation"/> is applied after the merge.
/// </summary>
public abstract record ReferenceMerge(string[] Names) : ReferenceNetworkLayer
{
    public Activation Activation { get; init; } = Activation.Linear;

    public double NegativeSlope { get; init; } = 0.01;

    public sealed override string ToString() =>
        $"{GetType().Name}({string.Join(", ", Names.Select(n => $"\"{n}\""))}, Activation = {Activation}, Name = {Name}, From = {From})";
}

/// <summary>Element-wise sum of inputs of equal shape: <c>y = act(x₀ + x₁ + …)</c>.</summary>
public sealed record ReferenceAdd(params string[] Names) : ReferenceMerge(Names);

/// <summary>Element-wise product of inputs of equal shape: <c>y = act(x₀ ⊙ x₁ ⊙ …)</c>.</summary>
public sealed record ReferenceMultiply(params string[] Names) : ReferenceMerge(Names);

/// <summary>Inputs joined along the last axis (channels of a channels-last image), all other dimensions equal.</summary>
public sealed record ReferenceConcatenate(params string[] Names) : ReferenceMerge(Names);

/// <summary>One dense layer of the reference network: <c>y = act(W·x + b)</c>, W [units, inputs]. Its input must be one-dimensional.</summary>
public sealed record ReferenceLayer(int Units, Activation Activation, double NegativeSlope = 0.01) : ReferenceNetworkLayer, IReferencePenalised
{
    /// <inheritdoc/>
    public double KernelL2 { get; init; }

    /// <inheritdoc/>
    public double BiasL2 { get; init; }

    int IReferencePenalised.BiasCount(int parameters) => Units;
}

/// <summary>A layer with a weight and then a bias, either of which may carry an L2 penalty λ·Σw² in the loss.</summary>
public interface IReferencePenalised
{
    /// <summary>λ of the weight's penalty (<c>KernelRegularizerL2</c>); 0 for none.</summary>
    double KernelL2 { get; }

    /// <summary>λ of the bias's penalty (<c>BiasRegularizerL2</c>); 0 for none.</summary>
    double BiasL2 { get; }

    /// <summary>The bias's length, of the layer's <paramref name="parameters"/>: its weight, then this many biases.</summary>
    int BiasCount(int parameters);
}

/// <summary>
/// A 2-D convolution of a channels-last image [h, w, c]:
/// <c>y[oy, ox, o] = act(b[o] + Σ W[o, ch, ky, kx] · x[oy·s + ky − top, ox·s + kx − left, ch])</c>, zero outside the image.
/// </summary>
public sealed record ReferenceConv2D(
    int Filters, int KernelHeight, int KernelWidth, Activation Activation,
    int Stride = 1, Padding Padding = Padding.Valid, double NegativeSlope = 0.01) : ReferenceNetworkLayer, IReferencePenalised
{
    /// <inheritdoc/>
    public double KernelL2 { get; init; }

    /// <inheritdoc/>
    public double BiasL2 { get; init; }

    int IReferencePenalised.BiasCount(int parameters) => Filters;
}

/// <summary>
/// A depthwise convolution of a channels-last image [h, w, c], PyTorch's <c>Conv2d(c, c·M, k, groups=c)</c>: output channel
/// ch·M + m reads input channel ch alone,
/// <c>y[oy, ox, ch·M + m] = act(b[ch·M + m] + Σ W[ch·M + m, 0, ky, kx] · x[oy·s + ky − top, ox·s + kx − left, ch])</c>, zero outside the image.
/// </summary>
public sealed record ReferenceDepthwiseConv2D(
    int KernelHeight, int KernelWidth, Activation Activation,
    int Multiplier = 1, int Stride = 1, Padding Padding = Padding.Valid, double NegativeSlope = 0.01) : ReferenceNetworkLayer, IReferencePenalised
{
    /// <inheritdoc/>
    public double KernelL2 { get; init; }

    /// <inheritdoc/>
    public double BiasL2 { get; init; }

    // A weight of kh·kw per output channel, then a bias per output channel.
    int IReferencePenalised.BiasCount(int parameters) => parameters / (KernelHeight * KernelWidth + 1);
}

/// <summary>
/// Keras's separable convolution: the depthwise convolution D [c·M, 1, kh, kw] without bias or activation, then per pixel
/// <c>y[f] = act(b[f] + Σ_k P[f, k] · d[k])</c> with the pointwise weight P [filters, c·M, 1, 1].
/// </summary>
public sealed record ReferenceSeparableConv2D(
    int Filters, int KernelHeight, int KernelWidth, Activation Activation,
    int Multiplier = 1, int Stride = 1, Padding Padding = Padding.Valid, double NegativeSlope = 0.01) : ReferenceNetworkLayer;

/// <summary>Max pooling per channel over windows clipped to the image; <c>Stride</c> 0 means the pool size.</summary>
public sealed record ReferenceMaxPool2D(int PoolSize, int Stride = 0, Padding Padding = Padding.Valid) : ReferenceNetworkLayer;

/// <summary>Average pooling per channel over the in-image part of each window; <c>Stride</c> 0 means the pool size.</summary>
public sealed record ReferenceAveragePool2D(int PoolSize, int Stride = 0, Padding Padding = Padding.Valid) : ReferenceNetworkLayer;

/// <summary>Global max pooling: an image [h, w, c] to [c], the maximum of each channel over every position.</summary>
public sealed record ReferenceGlobalMaxPool2D : ReferenceNetworkLayer;

/// <summary>Global average pooling: an image [h, w, c] to [c], the mean of each channel over every position.</summary>
public sealed record ReferenceGlobalAveragePool2D : ReferenceNetworkLayer;

/// <summary>
/// A 1-D convolution of a channels-last sequence [steps, c], <c>y[t, o] = act(b[o] + Σ W[o, ch, k] · x[t·s + k − before, ch])</c>:
/// computed as <see cref="ReferenceConv2D"/> over the image [1, steps, c] with a 1×k kernel (whose [filters, c, 1, k]
/// weight has the bytes of [filters, c, k]). PyTorchConv1DTests checks these 1-D semantics against PyTorch itself.
/// </summary>
public sealed record ReferenceConv1D(
    int Filters, int KernelSize, Activation Activation, int Stride = 1, Padding Padding = Padding.Valid, double NegativeSlope = 0.01) : ReferenceNetworkLayer
{
    internal ReferenceConv2D AsImage => new(Filters, 1, KernelSize, Activation, Stride, Padding, NegativeSlope);
}

/// <summary>
/// A recurrent layer over a sequence [steps, features] from a zero state, PyTorch's one-layer <c>nn.LSTM</c>/<c>nn.GRU</c>/
/// <c>nn.RNN</c> with <c>batch_first=True</c>: tensors weight_ih_l0 [G·units, features], weight_hh_l0 [G·units, units],
/// bias_ih_l0 and bias_hh_l0 [G·units], the gates stacked in PyTorch's order. The output is the last step's h [units], or
/// with <see cref="ReturnSequences"/> every step's, [steps, units].
/// </summary>
public abstract record ReferenceRecurrent(int Units, bool ReturnSequences) : ReferenceNetworkLayer
{
    /// <summary>G: the gates stacked in each tensor.</summary>
    public abstract int Gates { get; }

    /// <summary>Keras's name stem: lstm, gru, simple_rnn.</summary>
    public abstract string Stem { get; }
}

/// <summary>LSTM: <c>(i, f, g, o) = (σ, σ, tanh, σ)(W_ih·x + b_ih + W_hh·h + b_hh)</c>, <c>c = f·c + i·g</c>, <c>h = o·tanh(c)</c>.</summary>
public sealed record ReferenceLSTM(int Units, bool ReturnSequences = false) : ReferenceRecurrent(Units, ReturnSequences)
{
    public override int Gates => 4;

    public override string Stem => "lstm";
}

/// <summary>GRU, PyTorch's: <c>r, z = σ(…)</c>, <c>n = tanh(W_in·x + b_in + r·(W_hn·h + b_hn))</c>, <c>h = (1 − z)·n + z·h</c>.</summary>
public sealed record ReferenceGRU(int Units, bool ReturnSequences = false) : ReferenceRecurrent(Units, ReturnSequences)
{
    public override int Gates => 3;

    public override string Stem => "gru";
}

/// <summary>Simple RNN: <c>h = tanh(W_ih·x + b_ih + W_hh·h + b_hh)</c>.</summary>
public sealed record ReferenceSimpleRNN(int Units, bool ReturnSequences = false) : ReferenceRecurrent(Units, ReturnSequences)
{
    public override int Gates => 1;

    public override string Stem => "simple_rnn";
}

/// <summary>
/// A table of token vectors, PyTorch's <c>nn.Embedding(Vocabulary, Dimensions)</c>: token ids [steps] (floats holding whole
/// numbers) to <c>y[t] = W[id[t]]</c>, [steps, Dimensions]; weight [Vocabulary, Dimensions].
/// </summary>
public sealed record ReferenceEmbedding(int Vocabulary, int Dimensions) : ReferenceNetworkLayer
{
    /// <summary>A step whose id is 0 is padding for the recurrent layer that reads it (Keras's <c>mask_zero</c>): it leaves the state as it was and outputs zero.</summary>
    public bool MaskZero { get; init; }
}

/// <summary>Max pooling per channel over windows of steps clipped to the sequence; <c>Stride</c> 0 means the pool size.</summary>
public sealed record ReferenceMaxPool1D(int PoolSize, int Stride = 0, Padding Padding = Padding.Valid) : ReferenceNetworkLayer;

/// <summary>Average pooling per channel over the in-sequence part of each window; <c>Stride</c> 0 means the pool size.</summary>
public sealed record ReferenceAveragePool1D(int PoolSize, int Stride = 0, Padding Padding = Padding.Valid) : ReferenceNetworkLayer;

/// <summary>Global max pooling: a sequence [steps, c] to [c].</summary>
public sealed record ReferenceGlobalMaxPool1D : ReferenceNetworkLayer;

/// <summary>Global average pooling: a sequence [steps, c] to [c].</summary>
public sealed record ReferenceGlobalAveragePool1D : ReferenceNetworkLayer;

/// <summary>To one dimension; a channels-last image with more than one channel goes to PyTorch's channel-major order.</summary>
public sealed record ReferenceFlatten : ReferenceNetworkLayer;

/// <summary>Keras's <c>Masking(Value)</c>: a step whose features all equal <c>Value</c> is padding for the recurrent layer after it, and outputs zero.</summary>
public sealed record ReferenceMasking(float Value = 0f) : ReferenceNetworkLayer;

/// <summary>Inverted dropout: the identity at inference; in training <c>y = x · mask</c> with GenNet's reproducible masks.</summary>
public sealed record ReferenceDropout(double Rate) : ReferenceNetworkLayer;

/// <summary>
/// Batch normalisation over the last axis, PyTorch's semantics: in training mode each channel is normalised by the batch's
/// mean and biased variance over every sample and position, and the running statistics move toward them (the variance
/// unbiased); in inference mode by the running statistics. Then <see cref="Activation"/>. Parameters weight (γ) and bias
/// (β), buffers running_mean, running_var and num_batches_tracked.
/// </summary>
public sealed record ReferenceBatchNormalization(double Momentum = 0.1, double Epsilon = 1e-5) : ReferenceNetworkLayer
{
    public Activation Activation { get; init; } = Activation.Linear;

    public double NegativeSlope { get; init; } = 0.01;
}

/// <summary>
/// Layer normalisation over the last axis, PyTorch's <c>nn.LayerNorm(C)</c>: each sample (each position of an image) is
/// normalised by the mean and biased variance of its own C values, the same in training and inference; then
/// <see cref="Activation"/>. Parameters weight (γ) and bias (β), [C] each.
/// </summary>
public sealed record ReferenceLayerNormalization(double Epsilon = 1e-5) : ReferenceNetworkLayer
{
    public Activation Activation { get; init; } = Activation.Linear;

    public double NegativeSlope { get; init; } = 0.01;
}

/// <summary>
/// Keras's <c>Normalization</c> over the last axis: each feature f (each channel, shared by every position of an image)
/// is standardised by its mean and variance buffers, <c>y = (x − mean[f]) / max(√variance[f], 1e-7)</c>, the same in
/// training and inference. Buffers mean and variance, [C] each; no parameters.
/// </summary>
public sealed record ReferenceNormalization : ReferenceNetworkLayer;

/// <summary>Which dropout masks a training-mode loss uses: those of <c>InitializeParameters(Seed)</c> at training step <c>Step</c>.</summary>
public readonly record struct ReferenceTraining(int Seed, long Step = 0);

/// <summary>
/// A plain float64 implementation of a network and its losses, written from the textbook formulas and sharing no code
/// with GenNet (except the dropout mask function, which defines the masks). It reads parameters in PyTorch's layout:
/// layers in declaration order, each dense layer's weight [out, in] then bias, each convolution's weight
/// [filters, channels, kh, kw] then bias, named <c>{Name}.weight</c> for a named layer, else <c>dense_k</c> / <c>conv_k</c>
/// with k counting every Dense (Conv2D) layer. Images are channels-last: element (y, x, ch) of an [h, w, c] sample is at
/// <c>(y·w + x)·c + ch</c>. A network is a graph of declarations (a chain when nothing is named); a sample is all its
/// inputs concatenated in declaration order.
/// </summary>
public sealed class ReferenceNetwork
{
    private const double Epsilon = 1e-7; // GenNet clamps probabilities inside logs here, as Keras does

    private readonly Node[] _nodes;
    private readonly int _output;

    /// <summary>A dense network on a one-dimensional input.</summary>
    public ReferenceNetwork(int inputSize, Loss loss, params ReferenceLayer[] layers)
        : this([inputSize], loss, layers)
    {
    }

    /// <summary>
    /// A network on one unnamed input; <paramref name="inputShape"/> as in <c>[Input(...)]</c>, [h, w, c] for an image. A list of
    /// layers is a chain; layers may also name outputs, read them with <c>From</c> and merge them, as in the graph constructor.
    /// </summary>
    public ReferenceNetwork(int[] inputShape, Loss loss, params ReferenceNetworkLayer[] layers)
        : this(loss, [new ReferenceInput(inputShape), .. layers])
    {
    }

    /// <summary>
    /// A graph, declared as GenNet's attributes are: <paramref name="declarations"/> in declaration order, inputs
    /// (<see cref="ReferenceInput"/>) among them. A layer without <c>From</c> reads the output declared just before it,
    /// except that the first layer reads the first input. The output is the last layer's.
    /// <code>
    /// new ReferenceNetwork(Loss.MeanSquaredError,
    ///     new ReferenceInput(17),
    ///     new ReferenceLayer(17, Activation.ReLU) { Name = "h" },
    ///     new ReferenceLayer(17, Activation.Linear),
    ///     new ReferenceAdd("h"),
    ///     new ReferenceLayer(3, Activation.Softmax));
    /// </code>
    /// </summary>
    public ReferenceNetwork(Loss loss, params ReferenceNetworkLayer[] declarations)
    {
        Loss = loss;
        Declarations = declarations;
        Layers = declarations.Where(d => d is not ReferenceInput).ToArray();
        _nodes = Plan(declarations);
        InputShapes = _nodes.Where(n => n.Layer is ReferenceInput).Select(n => n.Shape).ToArray();
        if (InputShapes.Count == 0)
        {
            throw new InvalidOperationException("A network needs an input.");
        }

        _output = Array.FindLastIndex(declarations, d => d is not ReferenceInput);
        _output = _output >= 0 ? _output : Array.FindIndex(declarations, d => d is ReferenceInput); // no layer: the input

        InputSize = InputShapes.Sum(Size);
        ParameterCount = _nodes.Sum(n => n.ParameterCount);
        BufferCount = _nodes.Sum(n => n.BufferCount);
        OutputShape = _nodes[_output].Shape;
        OutputSize = Size(OutputShape);
    }

    /// <summary>The shape of the network's one input; a network with several has <see cref="InputShapes"/>.</summary>
    public int[] InputShape => InputShapes.Count == 1
        ? InputShapes[0]
        : throw new InvalidOperationException($"The network has {InputShapes.Count} inputs: use InputShapes.");

    /// <summary>Every input's shape in declaration order; a sample is these inputs concatenated.</summary>
    public IReadOnlyList<int[]> InputShapes { get; }

    /// <summary>One sample: all inputs' sizes added up.</summary>
    public int InputSize { get; }

    public int OutputSize { get; }

    /// <summary>The shape of one output sample: [h, w, c] for an image, [n] after Flatten or Dense.</summary>
    public int[] OutputShape { get; }

    public int ParameterCount { get; }

    /// <summary>Floats of state saved but not trained (batch normalisation's running statistics).</summary>
    public int BufferCount { get; }

    public Loss Loss { get; }

    /// <summary>Every declaration but the inputs, in declaration order.</summary>
    public IReadOnlyList<ReferenceNetworkLayer> Layers { get; }

    /// <summary>Every declaration, inputs included, in declaration order.</summary>
    public IReadOnlyList<ReferenceNetworkLayer> Declarations { get; }

    /// <summary>(name, shape, offset) of every tensor, as GenNet must lay them out.</summary>
    public IEnumerable<(string Name, int[] Shape, int Offset)> Tensors()
    {
        foreach (Node node in _nodes)
        {
            int[] x = node.Sources.Length == 1 ? _nodes[node.Sources[0]].Shape : [];
            switch (node.Layer)
            {
                case ReferenceLayer d:
                    string dense = node.Layer.Name ?? $"dense_{node.Ordinal}";
                    yield return ($"{dense}.weight", [d.Units, x[0]], node.ParameterOffset);
                    yield return ($"{dense}.bias", [d.Units], node.ParameterOffset + d.Units * x[0]);
                    break;
                case ReferenceConv2D c:
                    string conv = node.Layer.Name ?? $"conv_{node.Ordinal}";
                    yield return ($"{conv}.weight", [c.Filters, x[2], c.KernelHeight, c.KernelWidth], node.ParameterOffset);
                    yield return ($"{conv}.bias", [c.Filters], node.ParameterOffset + c.Filters * x[2] * c.KernelHeight * c.KernelWidth);
                    break;
                case ReferenceConv1D c:
                    string conv1d = node.Layer.Name ?? (node.Ordinal == 0 ? "conv1d" : $"conv1d_{node.Ordinal}");
                    yield return ($"{conv1d}.weight", [c.Filters, x[1], c.KernelSize], node.ParameterOffset);
                    yield return ($"{conv1d}.bias", [c.Filters], node.ParameterOffset + c.Filters * x[1] * c.KernelSize);
                    break;
                case ReferenceEmbedding e:
                    yield return ($"{node.Layer.Name ?? (node.Ordinal == 0 ? "embedding" : $"embedding_{node.Ordinal}")}.weight", [e.Vocabulary, e.Dimensions], node.ParameterOffset);
                    break;
                case ReferenceRecurrent r:
                    string stem = node.Layer.Name ?? (node.Ordinal == 0 ? r.Stem : $"{r.Stem}_{node.Ordinal}");
                    int gates = r.Gates * r.Units, at = node.ParameterOffset;
                    yield return ($"{stem}.weight_ih_l0", [gates, x[1]], at);
                    yield return ($"{stem}.weight_hh_l0", [gates, r.Units], at + gates * x[1]);
                    yield return ($"{stem}.bias_ih_l0", [gates], at + gates * (x[1] + r.Units));
                    yield return ($"{stem}.bias_hh_l0", [gates], at + gates * (x[1] + r.Units + 1));
                    break;
                case ReferenceDepthwiseConv2D d:
                    string depthwise = node.Layer.Name ?? $"depthwise_conv_{node.Ordinal}";
                    int channels = x[2] * d.Multiplier;
                    yield return ($"{depthwise}.weight", [channels, 1, d.KernelHeight, d.KernelWidth], node.ParameterOffset);
                    yield return ($"{depthwise}.bias", [channels], node.ParameterOffset + channels * d.KernelHeight * d.KernelWidth);
                    break;
                case ReferenceSeparableConv2D sc:
                    string separable = node.Layer.Name ?? $"separable_conv_{node.Ordinal}";
                    int middle = x[2] * sc.Multiplier, depthwiseSize = middle * sc.KernelHeight * sc.KernelWidth;
                    yield return ($"{separable}.depthwise.weight", [middle, 1, sc.KernelHeight, sc.KernelWidth], node.ParameterOffset);
                    yield return ($"{separable}.pointwise.weight", [sc.Filters, middle, 1, 1], node.ParameterOffset + depthwiseSize);
                    yield return ($"{separable}.pointwise.bias", [sc.Filters], node.ParameterOffset + depthwiseSize + sc.Filters * middle);
                    break;
                case ReferenceBatchNormalization:
                    string bn = node.Layer.Name ?? $"bn_{node.Ordinal}";
                    yield return ($"{bn}.weight", [x[^1]], node.ParameterOffset);
                    yield return ($"{bn}.bias", [x[^1]], node.ParameterOffset + x[^1]);
                    break;
                case ReferenceLayerNormalization:
                    string ln = node.Layer.Name ?? $"ln_{node.Ordinal}";
                    yield return ($"{ln}.weight", [x[^1]], node.ParameterOffset);
                    yield return ($"{ln}.bias", [x[^1]], node.ParameterOffset + x[^1]);
                    break;
            }
        }
    }

    /// <summary>
    /// Keras's Glorot fans for the tensor <paramref name="name"/> where they differ from what its PyTorch shape implies:
    /// a depthwise kernel, which Keras shapes [kh, kw, c, M], has fan-in kh·kw·c and fan-out kh·kw·M. Null for any other tensor.
    /// </summary>
    public (int FanIn, int FanOut)? KerasFans(string name)
    {
        foreach (Node node in _nodes)
        {
            (string? tensor, int kh, int kw, int multiplier) = node.Layer switch
            {
                ReferenceDepthwiseConv2D d => ($"{d.Name ?? $"depthwise_conv_{node.Ordinal}"}.weight", d.KernelHeight, d.KernelWidth, d.Multiplier),
                ReferenceSeparableConv2D sc => ($"{sc.Name ?? $"separable_conv_{node.Ordinal}"}.depthwise.weight", sc.KernelHeight, sc.KernelWidth, sc.Multiplier),
                _ => (null, 0, 0, 0),
            };
            if (tensor == name)
            {
                return (kh * kw * _nodes[node.Sources[0]].Shape[2], kh * kw * multiplier);
            }
        }

        return null;
    }

    /// <summary>
    /// The limit l of U(−l, l) that a tensor starts from when it is not Glorot's: 1/√units for every tensor of a recurrent
    /// layer (PyTorch's initialisation), 0.05 for an embedding's table (Keras's). Null for any other tensor.
    /// </summary>
    public double? UniformLimit(string name)
    {
        foreach ((string tensor, int[] _, int offset) in Tensors())
        {
            switch (tensor == name ? _nodes.FirstOrDefault(n => offset >= n.ParameterOffset && offset < n.ParameterOffset + n.ParameterCount)?.Layer : null)
            {
                case ReferenceRecurrent r:
                    return 1.0 / Math.Sqrt(r.Units);
                case ReferenceEmbedding:
                    return 0.05; // Keras's default for an embedding
            }
        }

        return null;
    }

    /// <summary>(name, shape, offset) of every buffer, as GenNet must lay them out.</summary>
    public IEnumerable<(string Name, int[] Shape, int Offset)> BufferTensors()
    {
        foreach (Node node in _nodes.Where(n => n.Layer is ReferenceBatchNormalization or ReferenceNormalization))
        {
            int channels = _nodes[node.Sources[0]].Shape[^1];
            if (node.Layer is ReferenceNormalization)
            {
                string normalization = node.Layer.Name ?? (node.Ordinal == 0 ? "normalization" : $"normalization_{node.Ordinal}");
                yield return ($"{normalization}.mean", [channels], node.BufferOffset);
                yield return ($"{normalization}.variance", [channels], node.BufferOffset + channels);
                continue;
            }

            string bn = node.Layer.Name ?? $"bn_{node.Ordinal}";
            yield return ($"{bn}.running_mean", [channels], node.BufferOffset);
            yield return ($"{bn}.running_var", [channels], node.BufferOffset + channels);
            yield return ($"{bn}.num_batches_tracked", [], node.BufferOffset + 2 * channels);
        }
    }

    /// <summary>Buffers as a fresh network has them: (running) means 0, (running) variances 1, no batches counted.</summary>
    public double[] InitialBuffers()
    {
        var buffers = new double[BufferCount];
        foreach ((string name, int[] shape, int offset) in BufferTensors().Where(t => t.Name.EndsWith(".running_var", StringComparison.Ordinal) || t.Name.EndsWith(".variance", StringComparison.Ordinal)))
        {
            Array.Fill(buffers, 1.0, offset, shape[0]);
        }

        return buffers;
    }

    /// <summary>Inference: dropout is the identity; batch normalisation reads <paramref name="buffers"/> (null: <see cref="InitialBuffers"/>).</summary>
    public double[] Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, int batchSize, double[]? buffers = null) =>
        Forward(parameters, inputs, batchSize, null, buffers);

    /// <summary>
    /// The outputs, in training mode when <paramref name="training"/> is given: dropout applies that step's masks, and batch
    /// normalisation uses the batch's statistics and moves the running ones in <paramref name="buffers"/> (when given).
    /// In inference mode batch normalisation reads <paramref name="buffers"/> (null: <see cref="InitialBuffers"/>).
    /// </summary>
    public double[] Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, int batchSize, ReferenceTraining? training, double[]? buffers = null)
    {
        var outputs = new double[batchSize * OutputSize];
        var values = new double[_nodes.Length][][]; // [node][sample]
        int at = 0; // where the next input starts in a sample
        for (int i = 0; i < _nodes.Length; i++)
        {
            Node node = _nodes[i];
            values[i] = new double[batchSize][];
            if (node.Layer is ReferenceBatchNormalization normalization)
            {
                values[i] = BatchNormalization(normalization, parameters.Slice(node.ParameterOffset), buffers, node.BufferOffset,
                    values[node.Sources[0]], _nodes[node.Sources[0]].Shape[^1], training is not null);
                continue;
            }

            if (node.Layer is ReferenceNormalization)
            {
                double[] statistics = buffers ?? InitialBuffers();
                int features = _nodes[node.Sources[0]].Shape[^1];
                values[i] = values[node.Sources[0]].Select(x => x.Select((v, k) =>
                    (v - statistics[node.BufferOffset + k % features]) / Math.Max(Math.Sqrt(statistics[node.BufferOffset + features + k % features]), 1e-7)).ToArray()).ToArray();
                continue;
            }

            for (int b = 0; b < batchSize; b++)
            {
                double[] x = node.Sources.Length > 0 ? values[node.Sources[0]][b] : [];
                int[] shape = node.Sources.Length > 0 ? _nodes[node.Sources[0]].Shape : [];
                ReadOnlySpan<double> p = parameters.Slice(node.ParameterOffset);
                switch (node.Layer)
                {
                    case ReferenceInput:
                        values[i][b] = inputs.Slice(b * InputSize + at, Size(node.Shape)).ToArray();
                        break;
                    case ReferenceLayer d:
                        values[i][b] = Dense(p, x, d);
                        break;
                    case ReferenceConv2D c:
                        values[i][b] = Conv2D(p, x, shape, c);
                        break;
                    case ReferenceDepthwiseConv2D d:
                        values[i][b] = Activate(Depthwise(p, x, shape, d.KernelHeight, d.KernelWidth, d.Multiplier, d.Stride, d.Padding, bias: true), d.Activation, d.NegativeSlope);
                        break;
                    case ReferenceSeparableConv2D sc:
                        values[i][b] = SeparableConv2D(p, x, shape, sc);
                        break;
                    case ReferenceMaxPool2D pool:
                        values[i][b] = Pool(x, shape, pool.PoolSize, pool.PoolSize, pool.Stride, pool.Padding, max: true);
                        break;
                    case ReferenceAveragePool2D pool:
                        values[i][b] = Pool(x, shape, pool.PoolSize, pool.PoolSize, pool.Stride, pool.Padding, max: false);
                        break;
                    case ReferenceGlobalMaxPool2D:
                        values[i][b] = GlobalPool(x, shape, max: true);
                        break;
                    case ReferenceConv1D c:
                        values[i][b] = Conv2D(p, x, [1, .. shape], c.AsImage);
                        break;
                    case ReferenceRecurrent r:
                        values[i][b] = Recurrent(r, p, x, shape, StepMask(node.Sources[0], b, values));
                        break;
                    case ReferenceEmbedding e:
                        values[i][b] = new double[x.Length * e.Dimensions];
                        for (int step = 0; step < x.Length; step++)
                        {
                            if (!(x[step] == Math.Floor(x[step]) && x[step] >= 0 && x[step] < e.Vocabulary))
                            {
                                throw new InvalidOperationException($"{e}: {x[step]} is not a token id.");
                            }

                            p.Slice((int)x[step] * e.Dimensions, e.Dimensions).CopyTo(values[i][b].AsSpan(step * e.Dimensions));
                        }

                        break;
                    case ReferenceMaxPool1D pool:
                        values[i][b] = Pool(x, [1, .. shape], 1, pool.PoolSize, pool.Stride, pool.Padding, max: true);
                        break;
                    case ReferenceAveragePool1D pool:
                        values[i][b] = Pool(x, [1, .. shape], 1, pool.PoolSize, pool.Stride, pool.Padding, max: false);
                        break;
                    case ReferenceGlobalMaxPool1D:
                        values[i][b] = GlobalPool(x, [1, .. shape], max: true);
                        break;
                    case ReferenceGlobalAveragePool1D:
                        values[i][b] = GlobalPool(x, [1, .. shape], max: false);
                        break;
                    case ReferenceGlobalAveragePool2D:
                        values[i][b] = GlobalPool(x, shape, max: false);
                        break;
                    case ReferenceFlatten:
                        values[i][b] = Flatten(x, shape);
                        break;
                    case ReferenceLayerNormalization n:
                        values[i][b] = LayerNormalization(n, p, x, shape[^1]);
                        break;
                    case ReferenceMasking m:
                        bool[] real = MaskingMask(m, x, shape[1]);
                        values[i][b] = x.Select((v, k) => real[k / shape[1]] ? v : 0).ToArray();
                        break;
                    case ReferenceDropout r:
                        values[i][b] = (double[])x.Clone();
                        if (training is { } t)
                        {
                            var mask = new float[x.Length];
                            GenNet.Kernels.Dropout.Mask(t.Seed, t.Step, node.Ordinal, b, (float)r.Rate, mask);
                            for (int k = 0; k < x.Length; k++)
                            {
                                values[i][b][k] *= mask[k];
                            }
                        }

                        break;
                    case ReferenceMerge m:
                        values[i][b] = Merge(m, node.Sources.Select(s => values[s][b]).ToArray(), node.Sources.Select(s => _nodes[s].Shape).ToArray());
                        break;
                    default:
                        throw new InvalidOperationException($"No reference for {node.Layer}.");
                }
            }

            if (node.Layer is ReferenceInput)
            {
                at += Size(node.Shape);
            }
        }

        for (int b = 0; b < batchSize; b++)
        {
            values[_output][b].CopyTo(outputs, b * OutputSize);
        }

        return outputs;
    }

    /// <summary>One batch normalisation over a batch of samples whose last axis has <paramref name="channels"/> channels.</summary>
    private static double[][] BatchNormalization(
        ReferenceBatchNormalization layer, ReadOnlySpan<double> p, double[]? buffers, int bufferOffset, double[][] x, int channels, bool training)
    {
        int batch = x.Length, positions = x[0].Length / channels, count = batch * positions;
        var mean = new double[channels];
        var variance = new double[channels];
        if (training)
        {
            for (int c = 0; c < channels; c++)
            {
                double sum = 0;
                for (int b = 0; b < batch; b++)
                {
                    for (int q = 0; q < positions; q++)
                    {
                        sum += x[b][q * channels + c];
                    }
                }

                mean[c] = sum / count;
                double squares = 0;
                for (int b = 0; b < batch; b++)
                {
                    for (int q = 0; q < positions; q++)
                    {
                        double d = x[b][q * channels + c] - mean[c];
                        squares += d * d;
                    }
                }

                variance[c] = squares / count;
                if (buffers is not null && count > 1)
                {
                    int m = bufferOffset + c, v = bufferOffset + channels + c;
                    buffers[m] = (1 - layer.Momentum) * buffers[m] + layer.Momentum * mean[c];
                    buffers[v] = (1 - layer.Momentum) * buffers[v] + layer.Momentum * squares / (count - 1);
                }
            }

            if (buffers is not null && count > 1)
            {
                buffers[bufferOffset + 2 * channels]++;
            }
        }
        else
        {
            for (int c = 0; c < channels; c++)
            {
                mean[c] = buffers is null ? 0 : buffers[bufferOffset + c];
                variance[c] = buffers is null ? 1 : buffers[bufferOffset + channels + c];
            }
        }

        var y = new double[batch][];
        for (int b = 0; b < batch; b++)
        {
            var z = new double[x[b].Length];
            for (int k = 0; k < z.Length; k++)
            {
                int c = k % channels;
                z[k] = p[c] * (x[b][k] - mean[c]) / Math.Sqrt(variance[c] + layer.Epsilon) + p[channels + c];
            }

            y[b] = Activate(z, layer.Activation, layer.NegativeSlope);
        }

        return y;
    }

    /// <summary>One sample's layer normalisation: each run of <paramref name="channels"/> values by its own mean and variance.</summary>
    private static double[] LayerNormalization(ReferenceLayerNormalization layer, ReadOnlySpan<double> p, double[] x, int channels)
    {
        var z = new double[x.Length];
        for (int at = 0; at < x.Length; at += channels)
        {
            double mean = 0, variance = 0;
            for (int c = 0; c < channels; c++)
            {
                mean += x[at + c] / channels;
            }

            for (int c = 0; c < channels; c++)
            {
                variance += (x[at + c] - mean) * (x[at + c] - mean) / channels;
            }

            for (int c = 0; c < channels; c++)
            {
                z[at + c] = p[c] * (x[at + c] - mean) / Math.Sqrt(variance + layer.Epsilon) + p[channels + c];
            }
        }

        return Activate(z, layer.Activation, layer.NegativeSlope);
    }

    /// <summary>Mean loss over the batch against float targets (OutputSize per sample), in inference mode.</summary>
    public double LossValue(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, int batchSize) =>
        LossValue(parameters, inputs, targets, batchSize, null);

    /// <summary>
    /// Mean loss over the batch, plus the layers' L2 penalties (<see cref="Penalty"/>); with <paramref name="training"/>,
    /// dropout applies that step's masks and batch normalisation the batch's statistics; without, batch normalisation reads <paramref name="buffers"/> (as <see cref="Forward(ReadOnlySpan{double}, ReadOnlySpan{double}, int, ReferenceTraining?, double[])"/>).
    /// </summary>
    public double LossValue(
        ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, int batchSize, ReferenceTraining? training,
        double[]? buffers = null)
    {
        return MeanLoss(Forward(parameters, inputs, batchSize, training, buffers), targets, batchSize) + Penalty(parameters);
    }

    /// <summary>The layers' L2 penalties, λ·Σw² for each weight or bias that declares one, as Keras adds them to the loss.</summary>
    public double Penalty(ReadOnlySpan<double> parameters)
    {
        double penalty = 0;
        foreach (Node node in _nodes)
        {
            if (node.Layer is IReferencePenalised layer)
            {
                int biases = layer.BiasCount(node.ParameterCount), weights = node.ParameterCount - biases;
                penalty += layer.KernelL2 * SumOfSquares(parameters.Slice(node.ParameterOffset, weights)) +
                    layer.BiasL2 * SumOfSquares(parameters.Slice(node.ParameterOffset + weights, biases));
            }
        }

        return penalty;

        static double SumOfSquares(ReadOnlySpan<double> values)
        {
            double sum = 0;
            foreach (double value in values)
            {
                sum += value * value;
            }

            return sum;
        }
    }

    private double MeanLoss(double[] y, ReadOnlySpan<double> targets, int batchSize)
    {
        double sum = 0;
        switch (Loss)
        {
            case Loss.MeanSquaredError:
                for (int i = 0; i < y.Length; i++)
                {
                    sum += (y[i] - targets[i]) * (y[i] - targets[i]);
                }

                return sum / y.Length;
            case Loss.BinaryCrossEntropy:
                for (int i = 0; i < y.Length; i++)
                {
                    sum -= targets[i] * Math.Log(Math.Max(y[i], Epsilon)) + (1 - targets[i]) * Math.Log(Math.Max(1 - y[i], Epsilon));
                }

                return sum / y.Length;
            case Loss.CategoricalCrossEntropy:
            case Loss.SparseCategoricalCrossEntropy:
                for (int i = 0; i < y.Length; i++)
                {
                    if (targets[i] != 0)
                    {
                        sum -= targets[i] * Math.Log(Math.Max(y[i], Epsilon));
                    }
                }

                return sum / batchSize;
            default:
                throw new InvalidOperationException($"No reference for {Loss}.");
        }
    }

    /// <summary>
    /// Central finite difference of the mean loss with respect to parameter <paramref name="index"/>; Normalization layers
    /// (and batch normalisation in inference mode) read <paramref name="buffers"/> (null: <see cref="InitialBuffers"/>).
    /// </summary>
    public double NumericGradient(
        double[] parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, int batchSize, int index,
        double step = 1e-5, ReferenceTraining? training = null, double[]? buffers = null)
    {
        double saved = parameters[index];
        parameters[index] = saved + step;
        double plus = LossValue(parameters, inputs, targets, batchSize, training, buffers);
        parameters[index] = saved - step;
        double minus = LossValue(parameters, inputs, targets, batchSize, training, buffers);
        parameters[index] = saved;
        return (plus - minus) / (2 * step);
    }

    /// <summary>Integer labels as the targets GenNet trains on: one-hot rows, or the label itself for one output.</summary>
    public double[] TargetsFromLabels(ReadOnlySpan<int> labels)
    {
        var targets = new double[labels.Length * OutputSize];
        for (int b = 0; b < labels.Length; b++)
        {
            if (OutputSize == 1)
            {
                targets[b] = labels[b];
            }
            else
            {
                targets[b * OutputSize + labels[b]] = 1;
            }
        }

        return targets;
    }

    /// <summary>Output size and the padding before the first element along one dimension (Keras's / TensorFlow's rule).</summary>
    public static (int Size, int Before) Window(int size, int window, int stride, Padding padding)
    {
        if (padding == Padding.Valid)
        {
            return ((size - window) / stride + 1, 0);
        }

        int output = (size + stride - 1) / stride;
        int total = Math.Max((output - 1) * stride + window - size, 0);
        return (output, total / 2);
    }

    private static int PoolStride(int pool, int stride) => stride == 0 ? pool : stride;

    private static int Size(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    /// <summary>
    /// One declaration resolved: the earlier declarations it reads (indices, in merge order), its output shape, where its
    /// parameters start and how many it has, and its index among its kind (dense_k, conv_k, the k-th dropout).
    /// </summary>
    private sealed record Node(ReferenceNetworkLayer Layer, int[] Sources, int[] Shape, int ParameterOffset, int ParameterCount, int Ordinal)
    {
        public int BufferOffset { get; init; }

        public int BufferCount { get; init; }
    }

    /// <summary>Resolves names and shapes in declaration order; a name can only be read after its declaration.</summary>
    private static Node[] Plan(ReferenceNetworkLayer[] declarations)
    {
        var nodes = new Node[declarations.Length];
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        int offset = 0, bufferOffset = 0, dense = 0, conv = 0, dropout = 0, normalization = 0, layerNormalization = 0, firstInput = -1;
        int conv1d = 0, depthwise = 0, separable = 0, adapted = 0, lstm = 0, gru = 0, simpleRnn = 0, embedding = 0;
        bool anyLayer = false;
        for (int i = 0; i < declarations.Length; i++)
        {
            ReferenceNetworkLayer layer = declarations[i];
            int Find(string name) => names.TryGetValue(name, out int at)
                ? at
                : throw new InvalidOperationException($"{layer} reads \"{name}\", which no earlier declaration names.");
            int Previous() => layer.From is { } from ? Find(from)
                : anyLayer ? i - 1
                : firstInput >= 0 ? firstInput
                : throw new InvalidOperationException($"{layer} has no input declared before it.");

            int[] sources, shape;
            int count = 0, ordinal = 0;
            switch (layer)
            {
                case ReferenceInput input:
                    if (layer.From is not null || input.Shape.Length == 0 || input.Shape.Any(d => d <= 0))
                    {
                        throw new InvalidOperationException($"{layer}: an input has a positive shape and reads nothing.");
                    }

                    firstInput = firstInput < 0 ? i : firstInput;
                    sources = [];
                    shape = input.Shape;
                    break;
                case ReferenceMerge merge:
                    sources = merge.Names.Length switch
                    {
                        0 => throw new InvalidOperationException($"{layer} merges nothing."),
                        1 => [Previous(), Find(merge.Names[0])],
                        _ when layer.From is null => merge.Names.Select(Find).ToArray(),
                        _ => throw new InvalidOperationException($"{layer}: a merge of two or more names reads exactly those, so From has no meaning."),
                    };
                    shape = MergeShape(merge, sources.Select(s => nodes[s].Shape).ToArray());
                    anyLayer = true;
                    break;
                default:
                    sources = [Previous()];
                    int[] x = nodes[sources[0]].Shape;
                    shape = ShapeAfter(layer, x);
                    count = ParameterCountOf(layer, x);
                    ordinal = layer switch
                    {
                        ReferenceLayer => dense++,
                        ReferenceConv2D => conv++,
                        ReferenceConv1D => conv1d++,
                        ReferenceLSTM => lstm++,
                        ReferenceGRU => gru++,
                        ReferenceSimpleRNN => simpleRnn++,
                        ReferenceEmbedding => embedding++,
                        ReferenceDropout => dropout++,
                        ReferenceBatchNormalization => normalization++,
                        ReferenceLayerNormalization => layerNormalization++,
                        ReferenceNormalization => adapted++,
                        ReferenceDepthwiseConv2D => depthwise++,
                        ReferenceSeparableConv2D => separable++,
                        _ => 0,
                    };
                    anyLayer = true;
                    break;
            }

            if (layer.Name is { } name && !names.TryAdd(name, i))
            {
                throw new InvalidOperationException($"{layer}: the name \"{name}\" is already taken.");
            }

            int buffers = layer switch
            {
                ReferenceBatchNormalization => 2 * shape[^1] + 1,
                ReferenceNormalization => 2 * shape[^1],
                _ => 0,
            };
            nodes[i] = new Node(layer, sources, shape, offset, count, ordinal) { BufferOffset = bufferOffset, BufferCount = buffers };
            offset += count;
            bufferOffset += buffers;
        }

        return nodes;
    }

    /// <summary>Add and Multiply: equal shapes. Concatenate: equal but for the last dimension, which adds up.</summary>
    private static int[] MergeShape(ReferenceMerge merge, int[][] shapes)
    {
        int[] first = shapes[0];
        string all = string.Join(" and ", shapes.Select(s => $"[{string.Join(", ", s)}]"));
        if (merge is ReferenceConcatenate)
        {
            if (shapes.Any(s => s.Length != first.Length || !s.AsSpan(0, s.Length - 1).SequenceEqual(first.AsSpan(0, first.Length - 1))))
            {
                throw new InvalidOperationException($"{merge} cannot concatenate {all} along the last axis.");
            }

            first = [.. first[..^1], shapes.Sum(s => s[^1])];
        }
        else if (shapes.Any(s => !s.SequenceEqual(first)))
        {
            throw new InvalidOperationException($"{merge} needs equal shapes, not {all}.");
        }

        if (merge.Activation == Activation.Softmax && first.Length != 1)
        {
            throw new InvalidOperationException($"No reference for Softmax on [{string.Join(", ", first)}].");
        }

        return first;
    }

    /// <summary>The merged values, activated: sum, product, or per position (all but the last axis) the inputs' last axes in order.</summary>
    private static double[] Merge(ReferenceMerge merge, double[][] xs, int[][] shapes)
    {
        double[] z;
        switch (merge)
        {
            case ReferenceAdd:
                z = new double[xs[0].Length];
                foreach (double[] x in xs)
                {
                    for (int k = 0; k < z.Length; k++)
                    {
                        z[k] += x[k];
                    }
                }

                break;
            case ReferenceMultiply:
                z = Enumerable.Repeat(1.0, xs[0].Length).ToArray();
                foreach (double[] x in xs)
                {
                    for (int k = 0; k < z.Length; k++)
                    {
                        z[k] *= x[k];
                    }
                }

                break;
            case ReferenceConcatenate:
                int width = shapes.Sum(s => s[^1]), positions = xs[0].Length / shapes[0][^1];
                z = new double[positions * width];
                for (int p = 0; p < positions; p++)
                {
                    int at = p * width;
                    for (int j = 0; j < xs.Length; j++)
                    {
                        int c = shapes[j][^1];
                        Array.Copy(xs[j], p * c, z, at, c);
                        at += c;
                    }
                }

                break;
            default:
                throw new InvalidOperationException($"No reference for {merge}.");
        }

        return Activate(z, merge.Activation, merge.NegativeSlope);
    }

    private static int[] ShapeAfter(ReferenceNetworkLayer layer, int[] shape)
    {
        switch (layer)
        {
            case ReferenceLayer d:
                RequireRank(layer, shape, 1);
                return [d.Units];
            case ReferenceConv2D c:
                RequireRank(layer, shape, 3);
                if (c.Activation == Activation.Softmax)
                {
                    throw new InvalidOperationException("No reference for Softmax on a convolution.");
                }

                return [Window(shape[0], c.KernelHeight, c.Stride, c.Padding).Size, Window(shape[1], c.KernelWidth, c.Stride, c.Padding).Size, c.Filters];
            case ReferenceDepthwiseConv2D d:
                RequireRank(layer, shape, 3);
                if (d.Activation == Activation.Softmax)
                {
                    throw new InvalidOperationException("No reference for Softmax on a convolution.");
                }

                return [Window(shape[0], d.KernelHeight, d.Stride, d.Padding).Size, Window(shape[1], d.KernelWidth, d.Stride, d.Padding).Size, shape[2] * d.Multiplier];
            case ReferenceSeparableConv2D sc:
                RequireRank(layer, shape, 3);
                if (sc.Activation == Activation.Softmax)
                {
                    throw new InvalidOperationException("No reference for Softmax on a convolution.");
                }

                return [Window(shape[0], sc.KernelHeight, sc.Stride, sc.Padding).Size, Window(shape[1], sc.KernelWidth, sc.Stride, sc.Padding).Size, sc.Filters];
            case ReferenceMaxPool2D p:
                return PoolShape(layer, shape, p.PoolSize, PoolStride(p.PoolSize, p.Stride), p.Padding);
            case ReferenceAveragePool2D p:
                return PoolShape(layer, shape, p.PoolSize, PoolStride(p.PoolSize, p.Stride), p.Padding);
            case ReferenceGlobalMaxPool2D or ReferenceGlobalAveragePool2D:
                RequireRank(layer, shape, 3);
                return [shape[2]];
            case ReferenceEmbedding e:
                RequireRank(layer, shape, 1);
                return [shape[0], e.Dimensions];
            case ReferenceRecurrent r:
                RequireRank(layer, shape, 2);
                return r.ReturnSequences ? [shape[0], r.Units] : [r.Units];
            case ReferenceConv1D c:
                RequireRank(layer, shape, 2);
                return [ShapeAfter(c.AsImage, [1, .. shape])[1], c.Filters];
            case ReferenceMaxPool1D p:
                RequireRank(layer, shape, 2);
                return [Window(shape[0], p.PoolSize, PoolStride(p.PoolSize, p.Stride), p.Padding).Size, shape[1]];
            case ReferenceAveragePool1D p:
                RequireRank(layer, shape, 2);
                return [Window(shape[0], p.PoolSize, PoolStride(p.PoolSize, p.Stride), p.Padding).Size, shape[1]];
            case ReferenceGlobalMaxPool1D or ReferenceGlobalAveragePool1D:
                RequireRank(layer, shape, 2);
                return [shape[1]];
            case ReferenceFlatten:
                return [shape.Aggregate(1, (a, b) => a * b)];
            case ReferenceDropout:
                return shape;
            case ReferenceMasking:
                RequireRank(layer, shape, 2);
                return shape;
            case ReferenceBatchNormalization n:
                if (n.Activation == Activation.Softmax)
                {
                    throw new InvalidOperationException("No reference for Softmax on a normalisation.");
                }

                return shape;
            case ReferenceLayerNormalization n:
                if (n.Activation == Activation.Softmax)
                {
                    throw new InvalidOperationException("No reference for Softmax on a normalisation.");
                }

                return shape;
            case ReferenceNormalization:
                return shape;
            default:
                throw new InvalidOperationException($"No reference for {layer}.");
        }
    }

    private static int[] PoolShape(ReferenceNetworkLayer layer, int[] shape, int pool, int stride, Padding padding)
    {
        RequireRank(layer, shape, 3);
        return [Window(shape[0], pool, stride, padding).Size, Window(shape[1], pool, stride, padding).Size, shape[2]];
    }

    private static void RequireRank(ReferenceNetworkLayer layer, int[] shape, int rank)
    {
        if (shape.Length != rank || shape.Any(d => d <= 0))
        {
            throw new InvalidOperationException($"{layer} needs a rank-{rank} input, not [{string.Join(", ", shape)}].");
        }
    }

    private static int ParameterCountOf(ReferenceNetworkLayer layer, int[] shape) => layer switch
    {
        ReferenceLayer d => shape[0] * d.Units + d.Units,
        ReferenceConv2D c => c.Filters * shape[2] * c.KernelHeight * c.KernelWidth + c.Filters,
        ReferenceConv1D c => c.Filters * shape[1] * c.KernelSize + c.Filters,
        ReferenceRecurrent r => r.Gates * r.Units * (shape[1] + r.Units + 2),
        ReferenceEmbedding e => e.Vocabulary * e.Dimensions,
        ReferenceBatchNormalization => 2 * shape[^1],
        ReferenceLayerNormalization => 2 * shape[^1],
        ReferenceDepthwiseConv2D d => shape[2] * d.Multiplier * (d.KernelHeight * d.KernelWidth + 1),
        ReferenceSeparableConv2D sc => shape[2] * sc.Multiplier * (sc.KernelHeight * sc.KernelWidth + sc.Filters) + sc.Filters,
        _ => 0,
    };

    /// <summary>
    /// One sample's recurrent layer over x [steps, features], step by step from h = c = 0, with the tensors weight_ih,
    /// weight_hh, bias_ih, bias_hh from <paramref name="p"/>[0] in PyTorch's layout and gate order.
    /// </summary>
    /// <summary>
    /// Sample <paramref name="b"/>'s step mask carried by node <paramref name="node"/>'s output (true: a real step), or null:
    /// an Embedding with MaskZero makes one from its ids, a recurrent layer returning sequences passes its source's on.
    /// </summary>
    private bool[]? StepMask(int node, int b, double[][][] values) => _nodes[node].Layer switch
    {
        ReferenceEmbedding { MaskZero: true } => values[_nodes[node].Sources[0]][b].Select(id => id != 0).ToArray(),
        ReferenceRecurrent { ReturnSequences: true } => StepMask(_nodes[node].Sources[0], b, values),
        ReferenceMasking m => MaskingMask(m, values[_nodes[node].Sources[0]][b], _nodes[node].Shape[1]),
        _ => null,
    };

    private static bool[] MaskingMask(ReferenceMasking layer, double[] x, int features) =>
        Enumerable.Range(0, x.Length / features).Select(t => x.Skip(t * features).Take(features).Any(v => v != layer.Value)).ToArray();

    private static double[] Recurrent(ReferenceRecurrent layer, ReadOnlySpan<double> p, double[] x, int[] shape, bool[]? mask)
    {
        int steps = shape[0], features = shape[1], units = layer.Units, rows = layer.Gates * units;
        ReadOnlySpan<double> weightIh = p.Slice(0, rows * features), weightHh = p.Slice(rows * features, rows * units);
        ReadOnlySpan<double> biasIh = p.Slice(rows * (features + units), rows), biasHh = p.Slice(rows * (features + units + 1), rows);
        var h = new double[units];
        var c = new double[units];
        var sequence = new double[steps * units];
        var input = new double[rows];
        var recurrent = new double[rows];
        for (int t = 0; t < steps; t++)
        {
            if (mask is not null && !mask[t])
            {
                continue; // padding: the state stays, the sequence output is zero
            }

            for (int j = 0; j < rows; j++)
            {
                double sumX = biasIh[j], sumH = biasHh[j];
                for (int k = 0; k < features; k++)
                {
                    sumX += weightIh[j * features + k] * x[t * features + k];
                }

                for (int k = 0; k < units; k++)
                {
                    sumH += weightHh[j * units + k] * h[k];
                }

                input[j] = sumX;
                recurrent[j] = sumH;
            }

            for (int u = 0; u < units; u++)
            {
                switch (layer)
                {
                    case ReferenceLSTM:
                        double i = Sigmoid(input[u] + recurrent[u]), f = Sigmoid(input[units + u] + recurrent[units + u]);
                        double g = Math.Tanh(input[2 * units + u] + recurrent[2 * units + u]), o = Sigmoid(input[3 * units + u] + recurrent[3 * units + u]);
                        c[u] = f * c[u] + i * g;
                        h[u] = o * Math.Tanh(c[u]);
                        break;
                    case ReferenceGRU:
                        double r = Sigmoid(input[u] + recurrent[u]), z = Sigmoid(input[units + u] + recurrent[units + u]);
                        double n = Math.Tanh(input[2 * units + u] + r * recurrent[2 * units + u]);
                        h[u] = (1 - z) * n + z * h[u];
                        break;
                    default:
                        h[u] = Math.Tanh(input[u] + recurrent[u]);
                        break;
                }
            }

            h.CopyTo(sequence, t * units);
        }

        return layer.ReturnSequences ? sequence : h;
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>Weight [units, inputs] then bias [units], starting at <paramref name="p"/>[0].</summary>
    private static double[] Dense(ReadOnlySpan<double> p, double[] x, ReferenceLayer layer)
    {
        var z = new double[layer.Units];
        for (int o = 0; o < layer.Units; o++)
        {
            double sum = p[layer.Units * x.Length + o]; // bias
            for (int i = 0; i < x.Length; i++)
            {
                sum += p[o * x.Length + i] * x[i];
            }

            z[o] = sum;
        }

        return Activate(z, layer.Activation, layer.NegativeSlope);
    }

    /// <summary>Weight [filters, channels, kh, kw] then bias [filters], starting at <paramref name="p"/>[0].</summary>
    private static double[] Conv2D(ReadOnlySpan<double> p, double[] x, int[] shape, ReferenceConv2D layer)
    {
        int h = shape[0], w = shape[1], c = shape[2];
        int kh = layer.KernelHeight, kw = layer.KernelWidth, s = layer.Stride, filters = layer.Filters;
        (int oh, int top) = Window(h, kh, s, layer.Padding);
        (int ow, int left) = Window(w, kw, s, layer.Padding);
        int biasAt = filters * c * kh * kw;
        var z = new double[oh * ow * filters];
        for (int oy = 0; oy < oh; oy++)
        {
            for (int ox = 0; ox < ow; ox++)
            {
                for (int o = 0; o < filters; o++)
                {
                    double sum = p[biasAt + o];
                    for (int ch = 0; ch < c; ch++)
                    {
                        for (int ky = 0; ky < kh; ky++)
                        {
                            for (int kx = 0; kx < kw; kx++)
                            {
                                int y = oy * s + ky - top, xx = ox * s + kx - left;
                                if (y >= 0 && y < h && xx >= 0 && xx < w)
                                {
                                    sum += p[((o * c + ch) * kh + ky) * kw + kx] * x[(y * w + xx) * c + ch];
                                }
                            }
                        }
                    }

                    z[(oy * ow + ox) * filters + o] = sum;
                }
            }
        }

        return Activate(z, layer.Activation, layer.NegativeSlope);
    }

    /// <summary>
    /// The depthwise convolution's pre-activations [oh, ow, c·M]: weight [c·M, 1, kh, kw] at <paramref name="p"/>[0], then
    /// (with <paramref name="bias"/>) its bias [c·M].
    /// </summary>
    private static double[] Depthwise(ReadOnlySpan<double> p, double[] x, int[] shape, int kh, int kw, int multiplier, int s, Padding padding, bool bias)
    {
        int h = shape[0], w = shape[1], c = shape[2], channels = c * multiplier;
        (int oh, int top) = Window(h, kh, s, padding);
        (int ow, int left) = Window(w, kw, s, padding);
        var z = new double[oh * ow * channels];
        for (int oy = 0; oy < oh; oy++)
        {
            for (int ox = 0; ox < ow; ox++)
            {
                for (int o = 0; o < channels; o++)
                {
                    double sum = bias ? p[channels * kh * kw + o] : 0;
                    for (int ky = 0; ky < kh; ky++)
                    {
                        for (int kx = 0; kx < kw; kx++)
                        {
                            int y = oy * s + ky - top, xx = ox * s + kx - left;
                            if (y >= 0 && y < h && xx >= 0 && xx < w)
                            {
                                sum += p[(o * kh + ky) * kw + kx] * x[(y * w + xx) * c + o / multiplier];
                            }
                        }
                    }

                    z[(oy * ow + ox) * channels + o] = sum;
                }
            }
        }

        return z;
    }

    /// <summary>Depthwise weight [c·M, 1, kh, kw], pointwise weight [filters, c·M, 1, 1], pointwise bias [filters], from <paramref name="p"/>[0].</summary>
    private static double[] SeparableConv2D(ReadOnlySpan<double> p, double[] x, int[] shape, ReferenceSeparableConv2D layer)
    {
        double[] d = Depthwise(p, x, shape, layer.KernelHeight, layer.KernelWidth, layer.Multiplier, layer.Stride, layer.Padding, bias: false);
        int channels = shape[2] * layer.Multiplier, pixels = d.Length / channels, filters = layer.Filters;
        ReadOnlySpan<double> pointwise = p.Slice(channels * layer.KernelHeight * layer.KernelWidth);
        var z = new double[pixels * filters];
        for (int q = 0; q < pixels; q++)
        {
            for (int f = 0; f < filters; f++)
            {
                double sum = pointwise[filters * channels + f];
                for (int k = 0; k < channels; k++)
                {
                    sum += pointwise[f * channels + k] * d[q * channels + k];
                }

                z[q * filters + f] = sum;
            }
        }

        return Activate(z, layer.Activation, layer.NegativeSlope);
    }

    /// <summary>Max or mean per channel over each window's in-image elements (a sequence's: the image [1, steps, c] under a 1×k window).</summary>
    private static double[] Pool(double[] x, int[] shape, int poolHeight, int poolWidth, int stride, Padding padding, bool max)
    {
        int h = shape[0], w = shape[1], c = shape[2], s = PoolStride(poolWidth, stride);
        (int oh, int top) = Window(h, poolHeight, s, padding);
        (int ow, int left) = Window(w, poolWidth, s, padding);
        var result = new double[oh * ow * c];
        for (int oy = 0; oy < oh; oy++)
        {
            for (int ox = 0; ox < ow; ox++)
            {
                for (int ch = 0; ch < c; ch++)
                {
                    double best = double.NegativeInfinity, sum = 0;
                    int count = 0;
                    for (int ky = 0; ky < poolHeight; ky++)
                    {
                        for (int kx = 0; kx < poolWidth; kx++)
                        {
                            int y = oy * s + ky - top, xx = ox * s + kx - left;
                            if (y >= 0 && y < h && xx >= 0 && xx < w)
                            {
                                double v = x[(y * w + xx) * c + ch];
                                best = Math.Max(best, v);
                                sum += v;
                                count++;
                            }
                        }
                    }

                    result[(oy * ow + ox) * c + ch] = max ? best : sum / count;
                }
            }
        }

        return result;
    }

    /// <summary>Max or mean per channel over all h·w positions of a channels-last image.</summary>
    private static double[] GlobalPool(double[] x, int[] shape, bool max)
    {
        int pixels = shape[0] * shape[1], c = shape[2];
        var result = new double[c];
        for (int ch = 0; ch < c; ch++)
        {
            double best = double.NegativeInfinity, sum = 0;
            for (int p = 0; p < pixels; p++)
            {
                double v = x[p * c + ch];
                best = Math.Max(best, v);
                sum += v;
            }

            result[ch] = max ? best : sum / pixels;
        }

        return result;
    }

    /// <summary>Channels-last [h, w, c] with c &gt; 1 to channel-major (PyTorch's NCHW flatten); anything else unchanged.</summary>
    private static double[] Flatten(double[] x, int[] shape)
    {
        if (shape.Length != 3 || shape[2] == 1)
        {
            return x;
        }

        int h = shape[0], w = shape[1], c = shape[2];
        var result = new double[x.Length];
        for (int ch = 0; ch < c; ch++)
        {
            for (int y = 0; y < h; y++)
            {
                for (int xx = 0; xx < w; xx++)
                {
                    result[ch * h * w + y * w + xx] = x[(y * w + xx) * c + ch];
                }
            }
        }

        return result;
    }

    private static double[] Activate(double[] z, Activation activation, double negativeSlope)
    {
        switch (activation)
        {
            case Activation.Linear:
                return z;
            case Activation.ReLU:
                return z.Select(v => Math.Max(v, 0)).ToArray();
            case Activation.Sigmoid:
                return z.Select(v => 1 / (1 + Math.Exp(-v))).ToArray();
            case Activation.Tanh:
                return z.Select(Math.Tanh).ToArray();
            case Activation.LeakyReLU:
                return z.Select(v => v > 0 ? v : negativeSlope * v).ToArray();
            case Activation.Gelu:
                return z.Select(v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)))).ToArray();
            case Activation.Softmax:
                double max = z.Max();
                double[] e = z.Select(v => Math.Exp(v - max)).ToArray();
                double total = e.Sum();
                return e.Select(v => v / total).ToArray();
            default:
                throw new InvalidOperationException($"No reference for {activation}.");
        }
    }
}
