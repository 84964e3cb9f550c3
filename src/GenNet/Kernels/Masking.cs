using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace GenNet.Kernels;

/// <summary>
/// Step masks for sequences padded up to the declared length: <c>mask</c> is [steps, batch] (step-major, as the recurrent
/// layers' blocks; see <see cref="Recurrent"/>), 1 where a sample's step is real and 0 where it is padding.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Masking
{
    /// <summary>
    /// The mask of token ids with 0 as padding (Keras's <c>mask_zero</c>): <c>mask[t, b] = ids[b, t] ≠ 0 ? 1 : 0</c>.
    /// <paramref name="ids"/>: [batchSize, steps].
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not fit the sizes.</exception>
    public static void FromIds(ReadOnlySpan<float> ids, Span<float> mask, int batchSize, int steps)
    {
        CheckLength(nameof(ids), ids.Length, (long)batchSize * steps);
        CheckLength(nameof(mask), mask.Length, (long)batchSize * steps);
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                mask[t * batchSize + b] = ids[b * steps + t] != 0f ? 1f : 0f;
            }
        }
    }

    /// <summary>
    /// Keras's <c>Masking(value)</c>: a step is padding when every one of its features equals <paramref name="value"/>;
    /// <c>mask[t, b]</c> says so, and <c>y[b, t, :] = x[b, t, :]·mask[t, b]</c> (a padded step's output is zero).
    /// <paramref name="x"/>, <paramref name="y"/>: [batchSize, steps, features].
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not fit the sizes.</exception>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float value, int batchSize, int steps, int features)
    {
        CheckLength(nameof(x), x.Length, (long)batchSize * steps * features);
        CheckLength(nameof(y), y.Length, (long)batchSize * steps * features);
        CheckLength(nameof(mask), mask.Length, (long)batchSize * steps);
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                ReadOnlySpan<float> row = x.Slice((b * steps + t) * features, features);
                bool real = row.ContainsAnyExcept(value);
                mask[t * batchSize + b] = real ? 1f : 0f;
                if (real)
                {
                    row.CopyTo(y.Slice((b * steps + t) * features, features));
                }
                else
                {
                    y.Slice((b * steps + t) * features, features).Clear();
                }
            }
        }
    }

    /// <summary><c>dx[b, t, :] = dy[b, t, :]·mask[t, b]</c>: a padded step's input gets no gradient.</summary>
    /// <exception cref="ArgumentException">A span's length does not fit the sizes.</exception>
    public static void Backward(ReadOnlySpan<float> dy, Span<float> dx, ReadOnlySpan<float> mask, int batchSize, int steps, int features)
    {
        CheckLength(nameof(dy), dy.Length, (long)batchSize * steps * features);
        CheckLength(nameof(dx), dx.Length, (long)batchSize * steps * features);
        CheckLength(nameof(mask), mask.Length, (long)batchSize * steps);
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                Span<float> row = dx.Slice((b * steps + t) * features, features);
                if (mask[t * batchSize + b] != 0f)
                {
                    dy.Slice((b * steps + t) * features, features).CopyTo(row);
                }
                else
                {
                    row.Clear();
                }
            }
        }
    }

    private static void CheckLength(string name, int length, long expected)
    {
        if (length != expected)
        {
            throw new ArgumentException($"Masking: {name} has {length} floats where the sizes need {expected}.", nameof(name));
        }
    }
}
