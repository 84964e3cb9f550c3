using System;
using System.Collections.Generic;
using System.Linq;

namespace GenNet;

/// <summary>
/// Keras's <c>Normalization.adapt</c> for generated networks: sets a <see cref="NormalizationAttribute"/> layer's mean
/// and variance from data, so the network standardises raw features itself and keeps doing so after it is saved, loaded
/// or compiled in.
/// </summary>
/// <remarks>
/// <para>
/// Each feature's (the last axis's) mean and population variance (divided by n, as Keras's and NumPy's <c>var</c>) are
/// computed in double over every sample and every position of an image or a sequence, in two passes — the mean, then
/// the deviations from it with the correction <c>σ² = (Σd² − (Σd)²/n) / n</c> (Chan, Golub and LeVeque) — so features
/// far from zero (1e6 ± 1) lose nothing to cancellation; then rounded to float into <see cref="INetwork.Buffers"/>.
/// </para>
/// <para>
/// Call it after <see cref="INetwork.InitializeParameters"/>, which resets every Normalization to mean 0 and variance 1,
/// and before training, on the training data only (never the test data). Not while another thread uses the network.
/// </para>
/// </remarks>
public static class NetworkAdaptation
{
    /// <summary>
    /// Adapts the network's Normalization layer that reads its input (the first layer, as a rule) to
    /// <paramref name="data"/>'s features: Keras's <c>normalization.adapt(x_train)</c>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The samples do not fit the network's input, there are none, or a value is not finite.</exception>
    /// <exception cref="InvalidOperationException">
    /// No Normalization layer, or more than one, reads the network's input directly; name the one to adapt with
    /// <see cref="Adapt(INetwork, string, ReadOnlySpan{float}, int)"/>.
    /// </exception>
    public static void Adapt(this INetwork network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        NormalizationLayout layer = OnInput(network);
        if (data.SampleSize != network.InputSize)
        {
            throw new ArgumentException(
                $"The dataset's samples have {data.SampleSize} features (shape [{string.Join(", ", data.SampleShape)}]); the network's input has {network.InputSize}.", nameof(data));
        }

        var sample = new float[data.SampleSize];
        var moments = new Moments(layer);
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < data.Count; i++)
            {
                data.CopyFeatures(i, sample);
                moments.Add(pass, sample.AsSpan(layer.InputOffset, layer.SourceSize), i);
            }

            moments.EndPass(pass);
        }

        moments.Store(network);
    }

    /// <summary>
    /// Adapts the network's Normalization layer that reads its input to <paramref name="count"/> samples of the network's
    /// input, row-major (as <see cref="INetwork.Forward(ReadOnlySpan{float}, Span{float}, int)"/> takes them).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputs"/> does not hold <paramref name="count"/> samples, <paramref name="count"/> is not positive, or a value is not finite.</exception>
    /// <exception cref="InvalidOperationException">No Normalization layer, or more than one, reads the network's input directly.</exception>
    public static void Adapt(this INetwork network, ReadOnlySpan<float> inputs, int count)
    {
        ArgumentNullException.ThrowIfNull(network);
        NormalizationLayout layer = OnInput(network);
        Adapt(network, layer, inputs, count, network.InputSize, layer.InputOffset, nameof(inputs));
    }

    /// <summary>
    /// Adapts the Normalization layer named <paramref name="layer"/> to <paramref name="count"/> samples of what it reads,
    /// row-major: the network's input for a layer on an input (of a network with several inputs, that input's part of a
    /// sample), or the output of the layer before it for one deeper in the network.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="layer"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// No Normalization layer has that name, <paramref name="values"/> does not hold <paramref name="count"/> samples of its
    /// input, <paramref name="count"/> is not positive, or a value is not finite.
    /// </exception>
    public static void Adapt(this INetwork network, string layer, ReadOnlySpan<float> values, int count)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(layer);
        IReadOnlyList<NormalizationLayout> all = LayersOf(network);
        NormalizationLayout named = all.FirstOrDefault(l => l.Name == layer) ?? throw new ArgumentException(
            all.Count == 0
                ? $"{Name(network)} has no Normalization layer, so none named \"{layer}\"."
                : $"{Name(network)} has no Normalization layer named \"{layer}\"; its Normalization layers are {string.Join(", ", all.Select(l => $"\"{l.Name}\""))}.",
            nameof(layer));
        Adapt(network, named, values, count, named.SourceSize, 0, nameof(values));
    }

    private static void Adapt(INetwork network, NormalizationLayout layer, ReadOnlySpan<float> values, int count, int rowWidth, int offset, string parameter)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (values.Length != (long)count * rowWidth)
        {
            throw new ArgumentException(
                $"{count} samples of {rowWidth} floats are {(long)count * rowWidth} floats; {parameter} has {values.Length}.", parameter);
        }

        var moments = new Moments(layer);
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < count; i++)
            {
                moments.Add(pass, values.Slice(i * rowWidth + offset, layer.SourceSize), i);
            }

            moments.EndPass(pass);
        }

        moments.Store(network);
    }

    /// <summary>The one Normalization layer that reads the network's input directly.</summary>
    private static NormalizationLayout OnInput(INetwork network)
    {
        IReadOnlyList<NormalizationLayout> all = LayersOf(network);
        NormalizationLayout[] onInput = all.Where(l => l.InputOffset >= 0).ToArray();
        return onInput.Length switch
        {
            1 => onInput[0],
            0 when all.Count == 0 => throw new InvalidOperationException(
                $"{Name(network)} has no Normalization layer to adapt: declare [Normalization] after its [Input(…)]."),
            0 => throw new InvalidOperationException(
                $"No Normalization layer of {Name(network)} reads its input directly (it has {string.Join(", ", all.Select(l => $"\"{l.Name}\""))}): " +
                "adapt one by name with Adapt(layer, values, count), from the values that layer reads."),
            _ => throw new InvalidOperationException(
                $"{onInput.Length} Normalization layers of {Name(network)} read its inputs ({string.Join(", ", onInput.Select(l => $"\"{l.Name}\""))}): " +
                "adapt each by name with Adapt(layer, values, count), from its input's values."),
        };
    }

    private static IReadOnlyList<NormalizationLayout> LayersOf(INetwork network) =>
        network is NetworkBase generated ? generated.Normalizations : [];

    private static string Name(INetwork network) => network.GetType().Name;

    /// <summary>Per feature: the mean (first pass), then Σd and Σd² of the deviations from it (second pass), in double.</summary>
    private sealed class Moments(NormalizationLayout layer)
    {
        private readonly double[] _mean = new double[layer.Features];
        private readonly double[] _deviation = new double[layer.Features];
        private readonly double[] _square = new double[layer.Features];
        private long _values; // per feature: samples × positions

        public void Add(int pass, ReadOnlySpan<float> sample, int index)
        {
            int features = layer.Features;
            for (int at = 0; at < sample.Length; at += features)
            {
                ReadOnlySpan<float> row = sample.Slice(at, features);
                if (pass == 0)
                {
                    for (int f = 0; f < features; f++)
                    {
                        if (!float.IsFinite(row[f]))
                        {
                            throw new ArgumentException(
                                $"Sample {index} holds {row[f]} at feature {f}{(sample.Length > features ? $" of position {at / features}" : "")}: {layer.Name} can only adapt to finite values.");
                        }

                        _mean[f] += row[f];
                    }

                    _values++;
                }
                else
                {
                    for (int f = 0; f < features; f++)
                    {
                        double d = row[f] - _mean[f];
                        _deviation[f] += d;
                        _square[f] += d * d;
                    }
                }
            }
        }

        public void EndPass(int pass)
        {
            if (pass == 0)
            {
                for (int f = 0; f < _mean.Length; f++)
                {
                    _mean[f] /= _values;
                }
            }
        }

        public void Store(INetwork network)
        {
            Span<float> mean = network.Buffers.Slice(layer.Mean, layer.Features);
            Span<float> variance = network.Buffers.Slice(layer.Variance, layer.Features);
            for (int f = 0; f < layer.Features; f++)
            {
                mean[f] = (float)(_mean[f] + _deviation[f] / _values);
                variance[f] = (float)Math.Max((_square[f] - _deviation[f] * _deviation[f] / _values) / _values, 0);
            }
        }
    }
}
