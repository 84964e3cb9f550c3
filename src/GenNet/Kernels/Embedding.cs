using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace GenNet.Kernels;

/// <summary>
/// The embedding lookup and its gradient. <c>ids</c> is [batch, steps] of floats holding token ids, <c>table</c>
/// [vocabulary, dimensions] (PyTorch's <c>nn.Embedding.weight</c>), <c>y</c> and <c>dy</c> [batch, steps, dimensions].
/// Every id is checked before its row is touched: one that is not a whole number in [0, vocabulary) throws, naming the
/// sample and the step, so the table is never read or written outside its rows.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Embedding
{
    /// <summary><c>y[b, t, :] = table[ids[b, t], :]</c>.</summary>
    /// <param name="network">The network's name, for the message of a bad id.</param>
    /// <param name="layer">The layer's name, likewise.</param>
    /// <param name="ids">[batchSize, steps] token ids.</param>
    /// <param name="table">[vocabulary, dimensions].</param>
    /// <param name="y">[batchSize, steps, dimensions].</param>
    /// <param name="batchSize">Samples in this call.</param>
    /// <param name="firstSample">The index of the first of them in the caller's batch (a thread's shard starts past 0), for messages.</param>
    /// <param name="steps">Ids per sample.</param>
    /// <param name="dimensions">Values per token.</param>
    /// <param name="vocabulary">Rows of the table.</param>
    /// <exception cref="ArgumentException">An id is not a whole number in [0, vocabulary), or a span's length does not fit the sizes.</exception>
    public static void Forward(
        string network, string layer, ReadOnlySpan<float> ids, ReadOnlySpan<float> table, Span<float> y,
        int batchSize, int firstSample, int steps, int dimensions, int vocabulary)
    {
        CheckLengths(ids.Length, table.Length, y.Length, batchSize, steps, dimensions, vocabulary);
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                int id = Id(network, layer, ids[b * steps + t], firstSample + b, t, vocabulary);
                table.Slice(id * dimensions, dimensions).CopyTo(y.Slice((b * steps + t) * dimensions, dimensions));
            }
        }
    }

    /// <summary>
    /// <c>tableGradient[ids[b, t], :] += dy[b, t, :]</c> for every sample and step (a scatter-add). The ids are those
    /// <see cref="Forward"/> checked; each is checked again, so no row outside the table is ever written.
    /// </summary>
    /// <exception cref="ArgumentException">An id is not a whole number in [0, vocabulary), or a span's length does not fit the sizes.</exception>
    public static void Backward(ReadOnlySpan<float> ids, ReadOnlySpan<float> dy, Span<float> tableGradient, int batchSize, int steps, int dimensions, int vocabulary)
    {
        CheckLengths(ids.Length, tableGradient.Length, dy.Length, batchSize, steps, dimensions, vocabulary);
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                int id = Id(nameof(Embedding), "the table", ids[b * steps + t], b, t, vocabulary);
                Span<float> row = tableGradient.Slice(id * dimensions, dimensions);
                TensorPrimitives.Add(row, dy.Slice((b * steps + t) * dimensions, dimensions), row);
            }
        }
    }

    /// <summary>The id a float holds, or an exception naming where it was found.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Id(string network, string layer, float value, int sample, int step, int vocabulary)
    {
        // A float in [0, vocabulary) converts exactly; anything else (a fraction, NaN, ±∞, out of range) fails one test.
        if (!(value >= 0f && value < vocabulary) || (int)value != value)
        {
            ThrowBadId(network, layer, value, sample, step, vocabulary);
        }

        return (int)value;
    }

    [DoesNotReturn]
    private static void ThrowBadId(string network, string layer, float value, int sample, int step, int vocabulary) =>
        throw new ArgumentException(
            $"{network}: sample {sample}, step {step} gives {layer} the token id {value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, " +
            $"which is not a whole number in [0, {vocabulary}).", "inputs");

    private static void CheckLengths(int ids, int table, int values, int batchSize, int steps, int dimensions, int vocabulary)
    {
        if (batchSize < 0 || steps <= 0 || dimensions <= 0 || vocabulary <= 0 ||
            ids != (long)batchSize * steps || table != (long)vocabulary * dimensions || values != (long)batchSize * steps * dimensions)
        {
            throw new ArgumentException(
                $"Embedding: spans of {ids} ids, {table} table and {values} values do not fit batch {batchSize} × {steps} steps, " +
                $"a table of {vocabulary} × {dimensions}.");
        }
    }
}
