using System;
using System.Runtime.CompilerServices;

namespace GenNet.Kernels;

/// <summary>
/// The recurrent steps under a step mask, for sequences padded up to the declared length. <c>mask</c> is [steps, batch]
/// (step-major, as the layers' blocks): 1 where a sample's step is real, 0 where it is padding (see <see cref="Masking"/>).
/// A padded step carries the state over unchanged (Keras's semantics): its slot of h (and c) is a copy of the slot before,
/// so the last slot holds each sample's state after its last real step, a leading pad leaves the zero initial state, and a
/// fully padded sample ends at zero. Its sequence output is zero (PyTorch's <c>pad_packed_sequence</c>, Keras's
/// <c>zero_output_for_mask</c>), so a padded step changes neither the outputs at real steps nor any gradient.
/// </summary>
public static partial class Recurrent
{
    /// <summary>
    /// LSTM step <paramref name="step"/> as the unmasked overload computes it, then, for each sample whose
    /// <paramref name="mask"/> is 0 at this step, h and c of slot step + 1 copied from slot step.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void LstmStep(
        ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, Span<float> gates, Span<float> projection, Span<float> h, Span<float> c,
        ReadOnlySpan<float> mask, int step, int batchSize, int units)
    {
        LstmStep(weightHh, biasHh, gates, projection, h, c, step, batchSize, units);
        ReadOnlySpan<float> stepMask = StepMask(mask, step, batchSize);
        Carry(stepMask, h, step, batchSize, units);
        Carry(stepMask, c, step, batchSize, units);
    }

    /// <summary>GRU step <paramref name="step"/>, then a padded sample's h carried over (see <see cref="LstmStep(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, Span{float}, ReadOnlySpan{float}, int, int, int)"/>).</summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void GruStep(
        ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, Span<float> gates, Span<float> projection, Span<float> h,
        ReadOnlySpan<float> mask, int step, int batchSize, int units)
    {
        GruStep(weightHh, biasHh, gates, projection, h, step, batchSize, units);
        Carry(StepMask(mask, step, batchSize), h, step, batchSize, units);
    }

    /// <summary>SimpleRNN step <paramref name="step"/>, then a padded sample's h carried over.</summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void RnnStep(
        ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, Span<float> gates, Span<float> projection, Span<float> h,
        ReadOnlySpan<float> mask, int step, int batchSize, int units)
    {
        RnnStep(weightHh, biasHh, gates, projection, h, step, batchSize, units);
        Carry(StepMask(mask, step, batchSize), h, step, batchSize, units);
    }

    /// <summary>
    /// <see cref="ToSampleMajor(ReadOnlySpan{float}, Span{float}, int, int, int)"/> of every step's h with zero where
    /// <paramref name="mask"/> [steps, batch] is 0: a sequence output under a mask.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not fit the sizes.</exception>
    public static void ToSampleMajor(ReadOnlySpan<float> xs, Span<float> x, ReadOnlySpan<float> mask, int batchSize, int steps, int width)
    {
        ToSampleMajor(xs, x, batchSize, steps, width);
        CheckLength(nameof(mask), mask.Length, (long)steps * batchSize);
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                if (mask[t * batchSize + b] == 0f)
                {
                    x.Slice((b * steps + t) * width, width).Clear();
                }
            }
        }
    }

    /// <summary><see cref="AddStep(ReadOnlySpan{float}, Span{float}, int, int, int, int)"/> for the samples whose step is real: a padded step's output is a constant zero.</summary>
    /// <exception cref="ArgumentException">A span's length does not fit the sizes.</exception>
    public static void AddStep(ReadOnlySpan<float> dy, Span<float> dh, ReadOnlySpan<float> mask, int step, int batchSize, int steps, int units)
    {
        CheckLength(nameof(dy), dy.Length, (long)batchSize * steps * units);
        CheckLength(nameof(dh), dh.Length, (long)batchSize * units);
        ReadOnlySpan<float> stepMask = StepMask(mask, step, batchSize);
        for (int b = 0; b < batchSize; b++)
        {
            if (stepMask[b] != 0f)
            {
                Span<float> row = dh.Slice(b * units, units);
                System.Numerics.Tensors.TensorPrimitives.Add(row, dy.Slice((b * steps + step) * units, units), row);
            }
        }
    }

    /// <summary>The batch's mask values at <paramref name="step"/>, from a [steps, batch] mask.</summary>
    private static ReadOnlySpan<float> StepMask(ReadOnlySpan<float> mask, int step, int batchSize)
    {
        if (mask.Length < (long)(step + 1) * batchSize)
        {
            throw new ArgumentException($"Recurrent: mask has {mask.Length} floats, too few for step {step} of a batch of {batchSize}.", nameof(mask));
        }

        return mask.Slice(step * batchSize, batchSize);
    }

    /// <summary>For each padded sample: its state after <paramref name="step"/> is its state before.</summary>
    private static void Carry(ReadOnlySpan<float> stepMask, Span<float> state, int step, int batchSize, int units)
    {
        int rows = batchSize * units;
        for (int b = 0; b < batchSize; b++)
        {
            if (stepMask[b] == 0f)
            {
                state.Slice(step * rows + b * units, units).CopyTo(state.Slice((step + 1) * rows + b * units, units));
            }
        }
    }
}
