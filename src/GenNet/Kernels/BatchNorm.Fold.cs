using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace GenNet.Kernels;

/// <summary>
/// Batch normalisation folded into the Dense or Conv2D layer before it, for inference-only networks. At inference a
/// normalisation is an affine map per channel, so after a layer without activation
/// <c>BN(W·x + b) = W'·x + b'</c> with, per output <c>o</c>,
/// <c>s = γ[o] / √(running_var[o] + ε)</c>, <c>W'[o, ·] = W[o, ·] · s</c> and <c>b'[o] = (b[o] − running_mean[o]) · s + β[o]</c>.
/// The folded weight and bias are a derived copy, like a convolution's reordered kernel: the parameters and buffers keep
/// PyTorch's unfolded values (what is saved and loaded), and a refresh recomputes the copy only when one of the values it
/// was computed from has changed, bit for bit, since the last refresh.
/// </summary>
public static partial class BatchNorm
{
    /// <summary>
    /// Brings <paramref name="folded"/> — the Dense layer's weight [units, inputs] with the normalisation folded in, then its
    /// bias [units] — up to date with the layer's <paramref name="weight"/> and <paramref name="bias"/> and the
    /// normalisation's <paramref name="gamma"/>, <paramref name="beta"/>, <paramref name="runningMean"/> and
    /// <paramref name="runningVar"/>. <paramref name="foldedFrom"/> (units · inputs + 5 · units floats) keeps those six as
    /// they were when <paramref name="folded"/> was computed; when they are unchanged nothing is recomputed.
    /// </summary>
    public static void RefreshFoldedDense(
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> foldedFrom, Span<float> folded,
        int units, int inputs, float epsilon) =>
        RefreshFolded(weight, bias, gamma, beta, runningMean, runningVar, foldedFrom, folded, units, inputs, kernelHeight: 1, kernelWidth: 1, epsilon);

    /// <summary>
    /// As <see cref="RefreshFoldedDense"/> for a convolution: <paramref name="folded"/> is its weight reordered to
    /// [filters, kh, kw, channels] (the order of <see cref="Conv.Im2ColChannelsLast"/>'s columns, which for one channel is
    /// PyTorch's own) with the normalisation folded in, then its bias [filters].
    /// </summary>
    public static void RefreshFoldedConv(
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> foldedFrom, Span<float> folded,
        int filters, int channels, int kernelHeight, int kernelWidth, float epsilon) =>
        RefreshFolded(weight, bias, gamma, beta, runningMean, runningVar, foldedFrom, folded, filters, channels, kernelHeight, kernelWidth, epsilon);

    private static void RefreshFolded(
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> foldedFrom, Span<float> folded,
        int outputs, int channels, int kernelHeight, int kernelWidth, float epsilon)
    {
        int window = kernelHeight * kernelWidth, patch = channels * window;
        int weights = CheckFold(weight.Length, folded.Length, foldedFrom.Length, outputs, patch);
        CheckPerOutput(outputs, bias.Length, nameof(bias));
        CheckPerOutput(outputs, gamma.Length, nameof(gamma));
        CheckPerOutput(outputs, beta.Length, nameof(beta));
        CheckPerOutput(outputs, runningMean.Length, nameof(runningMean));
        CheckPerOutput(outputs, runningVar.Length, nameof(runningVar));
        if (Matches(foldedFrom, weight, bias, gamma, beta, runningMean, runningVar))
        {
            return;
        }

        Span<float> foldedWeight = folded.Slice(0, weights);
        Span<float> foldedBias = folded.Slice(weights, outputs);
        for (int o = 0; o < outputs; o++)
        {
            // In double, so the folded layer rounds once where the unfolded pair rounds twice.
            double scale = gamma[o] / Math.Sqrt((double)runningVar[o] + epsilon);
            ReadOnlySpan<float> from = weight.Slice(o * patch, patch);
            Span<float> to = foldedWeight.Slice(o * patch, patch);

            // Every value is written from the source alone, never read back: threads that refresh at once write the same
            // values in any interleaving. [channels, kh·kw] in PyTorch's order becomes [kh·kw, channels] (the same for one
            // channel or a 1×1 window).
            for (int t = 0; t < window; t++)
            {
                for (int c = 0; c < channels; c++)
                {
                    to[t * channels + c] = (float)(from[c * window + t] * scale);
                }
            }

            foldedBias[o] = (float)((bias[o] - (double)runningMean[o]) * scale + beta[o]);
        }

        // The record is written only after the folded copy is complete: an inference-only network's other threads take a
        // matching record to mean the copy is ready, and a thread that sees a stale or half-written record computes the
        // same values again.
        Thread.MemoryBarrier();
        Record(foldedFrom, weight, bias, gamma, beta, runningMean, runningVar);
    }

    /// <summary>Whether <paramref name="record"/> holds the six spans one after the other, bit for bit.</summary>
    private static bool Matches(
        ReadOnlySpan<float> record, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar)
    {
        int at = 0;
        static bool Next(ReadOnlySpan<float> record, ReadOnlySpan<float> part, ref int at)
        {
            bool same = MemoryMarshal.AsBytes(record.Slice(at, part.Length)).SequenceEqual(MemoryMarshal.AsBytes(part));
            at += part.Length;
            return same;
        }

        return Next(record, weight, ref at) && Next(record, bias, ref at) && Next(record, gamma, ref at) &&
               Next(record, beta, ref at) && Next(record, runningMean, ref at) && Next(record, runningVar, ref at);
    }

    private static void Record(
        Span<float> record, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar)
    {
        weight.CopyTo(record);
        int at = weight.Length;
        bias.CopyTo(record.Slice(at));
        gamma.CopyTo(record.Slice(at += bias.Length));
        beta.CopyTo(record.Slice(at += gamma.Length));
        runningMean.CopyTo(record.Slice(at += beta.Length));
        runningVar.CopyTo(record.Slice(at + runningMean.Length));
    }

    private static int CheckFold(int weightLength, int foldedLength, int recordLength, int outputs, int patch)
    {
        long weights = (long)outputs * patch;
        if (outputs <= 0 || patch <= 0 || weightLength != weights || foldedLength != weights + outputs || recordLength != weights + 5L * outputs)
        {
            throw new ArgumentException(
                $"Folding a normalisation into {outputs} outputs of {patch} inputs needs a weight of {weights} floats, a folded copy of " +
                $"{weights + outputs} and a record of {weights + 5L * outputs} (weight {weightLength}, folded {foldedLength}, record {recordLength}).");
        }

        return (int)weights;
    }

    private static void CheckPerOutput(int outputs, int length, string name)
    {
        if (length != outputs)
        {
            throw new ArgumentException($"Folding a normalisation into {outputs} outputs needs {outputs} floats of {name}, not {length}.", name);
        }
    }
}
