using System;
using System.Collections.Generic;
using System.Linq;

namespace GenNet.Tests;

/// <summary>Any layer of the reference network.</summary>
public abstract record ReferenceNetworkLayer;

/// <summary>One dense layer of the reference network: <c>y = act(W·x + b)</c>, W [units, inputs]. Its input must be one-dimensional.</summary>
public sealed record ReferenceLayer(int Units, Activation Activation, double NegativeSlope = 0.01) : ReferenceNetworkLayer;

/// <summary>
/// A 2-D convolution of a channels-last image [h, w, c]:
/// <c>y[oy, ox, o] = act(b[o] + Σ W[o, ch, ky, kx] · x[oy·s + ky − top, ox·s + kx − left, ch])</c>, zero outside the image.
/// </summary>
public sealed record ReferenceConv2D(
    int Filters, int KernelHeight, int KernelWidth, Activation Activation,
    int Stride = 1, Padding Padding = Padding.Valid, double NegativeSlope = 0.01) : ReferenceNetworkLayer;

/// <summary>Max pooling per channel over windows clipped to the image; <c>Stride</c> 0 means the pool size.</summary>
public sealed record ReferenceMaxPool2D(int PoolSize, int Stride = 0, Padding Padding = Padding.Valid) : ReferenceNetworkLayer;

/// <summary>Average pooling per channel over the in-image part of each window; <c>Stride</c> 0 means the pool size.</summary>
public sealed record ReferenceAveragePool2D(int PoolSize, int Stride = 0, Padding Padding = Padding.Valid) : ReferenceNetworkLayer;

/// <summary>To one dimension; a channels-last image with more than one channel goes to PyTorch's channel-major order.</summary>
public sealed record ReferenceFlatten : ReferenceNetworkLayer;

/// <summary>Inverted dropout: the identity at inference; in training <c>y = x · mask</c> with GenNet's reproducible masks.</summary>
public sealed record ReferenceDropout(double Rate) : ReferenceNetworkLayer;

/// <summary>Which dropout masks a training-mode loss uses: those of <c>InitializeParameters(Seed)</c> at training step <c>Step</c>.</summary>
public readonly record struct ReferenceTraining(int Seed, long Step = 0);

/// <summary>
/// A plain float64 implementation of a network and its losses, written from the textbook formulas and sharing no code
/// with GenNet (except the dropout mask function, which defines the masks). It reads parameters in PyTorch's layout:
/// layers in declaration order, each dense layer's weight [out, in] then bias, each convolution's weight
/// [filters, channels, kh, kw] then bias. Images are channels-last: element (y, x, ch) of an [h, w, c] sample is at
/// <c>(y·w + x)·c + ch</c>.
/// </summary>
public sealed class ReferenceNetwork
{
    private const double Epsilon = 1e-7; // GenNet clamps probabilities inside logs here, as Keras does

    /// <summary>A dense network on a one-dimensional input.</summary>
    public ReferenceNetwork(int inputSize, Loss loss, params ReferenceLayer[] layers)
        : this([inputSize], loss, layers)
    {
    }

    /// <summary>Any network; <paramref name="inputShape"/> as in <c>[Input(...)]</c>, [h, w, c] for an image.</summary>
    public ReferenceNetwork(int[] inputShape, Loss loss, params ReferenceNetworkLayer[] layers)
    {
        InputShape = inputShape;
        InputSize = inputShape.Aggregate(1, (a, b) => a * b);
        Loss = loss;
        Layers = layers;
        int[] shape = inputShape;
        foreach (ReferenceNetworkLayer layer in layers)
        {
            ParameterCount += ParameterCountOf(layer, shape);
            shape = ShapeAfter(layer, shape);
        }

        OutputShape = shape;
        OutputSize = shape.Aggregate(1, (a, b) => a * b);
    }

    public int[] InputShape { get; }

    public int InputSize { get; }

    public int OutputSize { get; }

    /// <summary>The shape of one output sample: [h, w, c] for an image, [n] after Flatten or Dense.</summary>
    public int[] OutputShape { get; }

    public int ParameterCount { get; }

    public Loss Loss { get; }

    public IReadOnlyList<ReferenceNetworkLayer> Layers { get; }

    /// <summary>(name, shape, offset) of every tensor, as GenNet must lay them out.</summary>
    public IEnumerable<(string Name, int[] Shape, int Offset)> Tensors()
    {
        int offset = 0, dense = 0, conv = 0;
        int[] shape = InputShape;
        foreach (ReferenceNetworkLayer layer in Layers)
        {
            switch (layer)
            {
                case ReferenceLayer d:
                    yield return ($"dense_{dense}.weight", [d.Units, shape[0]], offset);
                    offset += d.Units * shape[0];
                    yield return ($"dense_{dense}.bias", [d.Units], offset);
                    offset += d.Units;
                    dense++;
                    break;
                case ReferenceConv2D c:
                    yield return ($"conv_{conv}.weight", [c.Filters, shape[2], c.KernelHeight, c.KernelWidth], offset);
                    offset += c.Filters * shape[2] * c.KernelHeight * c.KernelWidth;
                    yield return ($"conv_{conv}.bias", [c.Filters], offset);
                    offset += c.Filters;
                    conv++;
                    break;
            }

            shape = ShapeAfter(layer, shape);
        }
    }

    /// <summary>Inference: dropout is the identity.</summary>
    public double[] Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, int batchSize) =>
        Forward(parameters, inputs, batchSize, null);

    /// <summary>The outputs, with dropout active when <paramref name="training"/> is given.</summary>
    public double[] Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, int batchSize, ReferenceTraining? training)
    {
        var outputs = new double[batchSize * OutputSize];
        for (int b = 0; b < batchSize; b++)
        {
            double[] x = inputs.Slice(b * InputSize, InputSize).ToArray();
            int[] shape = InputShape;
            int offset = 0, dropoutLayer = 0;
            foreach (ReferenceNetworkLayer layer in Layers)
            {
                switch (layer)
                {
                    case ReferenceLayer d:
                        x = Dense(parameters.Slice(offset), x, d);
                        break;
                    case ReferenceConv2D c:
                        x = Conv2D(parameters.Slice(offset), x, shape, c);
                        break;
                    case ReferenceMaxPool2D p:
                        x = Pool(x, shape, p.PoolSize, p.Stride, p.Padding, max: true);
                        break;
                    case ReferenceAveragePool2D p:
                        x = Pool(x, shape, p.PoolSize, p.Stride, p.Padding, max: false);
                        break;
                    case ReferenceFlatten:
                        x = Flatten(x, shape);
                        break;
                    case ReferenceDropout r:
                        if (training is { } t)
                        {
                            var mask = new float[x.Length];
                            GenNet.Kernels.Dropout.Mask(t.Seed, t.Step, dropoutLayer, b, (float)r.Rate, mask);
                            for (int i = 0; i < x.Length; i++)
                            {
                                x[i] *= mask[i];
                            }
                        }

                        dropoutLayer++;
                        break;
                    default:
                        throw new InvalidOperationException($"No reference for {layer}.");
                }

                offset += ParameterCountOf(layer, shape);
                shape = ShapeAfter(layer, shape);
            }

            x.CopyTo(outputs, b * OutputSize);
        }

        return outputs;
    }

    /// <summary>Mean loss over the batch against float targets (OutputSize per sample), in inference mode.</summary>
    public double LossValue(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, int batchSize) =>
        LossValue(parameters, inputs, targets, batchSize, null);

    /// <summary>Mean loss over the batch; with <paramref name="training"/>, dropout applies that step's masks.</summary>
    public double LossValue(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, int batchSize, ReferenceTraining? training)
    {
        double[] y = Forward(parameters, inputs, batchSize, training);
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

    /// <summary>Central finite difference of the mean loss with respect to parameter <paramref name="index"/>.</summary>
    public double NumericGradient(
        double[] parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, int batchSize, int index,
        double step = 1e-5, ReferenceTraining? training = null)
    {
        double saved = parameters[index];
        parameters[index] = saved + step;
        double plus = LossValue(parameters, inputs, targets, batchSize, training);
        parameters[index] = saved - step;
        double minus = LossValue(parameters, inputs, targets, batchSize, training);
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
            case ReferenceMaxPool2D p:
                return PoolShape(layer, shape, p.PoolSize, PoolStride(p.PoolSize, p.Stride), p.Padding);
            case ReferenceAveragePool2D p:
                return PoolShape(layer, shape, p.PoolSize, PoolStride(p.PoolSize, p.Stride), p.Padding);
            case ReferenceFlatten:
                return [shape.Aggregate(1, (a, b) => a * b)];
            case ReferenceDropout:
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
        _ => 0,
    };

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

    /// <summary>Max or mean per channel over each window's in-image elements.</summary>
    private static double[] Pool(double[] x, int[] shape, int pool, int stride, Padding padding, bool max)
    {
        int h = shape[0], w = shape[1], c = shape[2], s = PoolStride(pool, stride);
        (int oh, int top) = Window(h, pool, s, padding);
        (int ow, int left) = Window(w, pool, s, padding);
        var result = new double[oh * ow * c];
        for (int oy = 0; oy < oh; oy++)
        {
            for (int ox = 0; ox < ow; ox++)
            {
                for (int ch = 0; ch < c; ch++)
                {
                    double best = double.NegativeInfinity, sum = 0;
                    int count = 0;
                    for (int ky = 0; ky < pool; ky++)
                    {
                        for (int kx = 0; kx < pool; kx++)
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
