using System;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace GenNet.Kernels;

/// <summary>
/// Inverted dropout, called by generated code during training steps only. A sample's mask depends on the network's seed,
/// the training step, the dropout layer and the sample's place in the batch — never on which thread computes it — so a
/// run is reproducible at any thread count.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Dropout
{
    /// <summary>
    /// Fills <paramref name="mask"/> for one sample: each element 0 with probability <paramref name="rate"/>, else
    /// <c>1 / (1 − rate)</c>.
    /// </summary>
    public static void Mask(int seed, long step, int layer, int sample, float rate, Span<float> mask)
    {
        var random = new SeededRandom(StreamSeed(seed, step, layer, sample));
        float scale = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = random.NextSingle() < rate ? 0f : scale;
        }
    }

    /// <summary>
    /// Training forward for <paramref name="batchSize"/> samples of <paramref name="width"/> values, the first being
    /// sample <paramref name="firstSample"/> of the whole batch: draws the masks into <paramref name="mask"/> and writes
    /// <c>y = x · mask</c>.
    /// </summary>
    public static void Forward(
        ReadOnlySpan<float> x, Span<float> mask, Span<float> y, int batchSize, int width,
        int seed, long step, int layer, int firstSample, float rate)
    {
        for (int b = 0; b < batchSize; b++)
        {
            Mask(seed, step, layer, firstSample + b, rate, mask.Slice(b * width, width));
        }

        TensorPrimitives.Multiply(x, mask, y);
    }

    /// <summary><c>dx = dy · mask</c>, in place.</summary>
    public static void Backward(ReadOnlySpan<float> mask, Span<float> gradient) => TensorPrimitives.Multiply(gradient, mask, gradient);

    private static long StreamSeed(int seed, long step, int layer, int sample)
    {
        ulong h = Mix((ulong)(uint)seed);
        h = Mix(h ^ (ulong)step);
        h = Mix(h ^ (uint)layer);
        h = Mix(h ^ (uint)sample);
        return unchecked((long)h);
    }

    // SplitMix64's finaliser: every input bit affects every output bit.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
