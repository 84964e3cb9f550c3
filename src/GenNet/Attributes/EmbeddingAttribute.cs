using System;

namespace GenNet;

/// <summary>
/// A lookup table of token vectors, as Keras's <c>Embedding(vocabulary, dimensions)</c> and PyTorch's
/// <c>nn.Embedding(vocabulary, dimensions)</c>: it reads token ids and writes, for each step t, row <c>x[t]</c> of its weight,
/// <c>y[t, :] = W[x[t], :]</c>. The output is the sequence [steps, dimensions] that recurrent and 1-D layers read.
/// </summary>
/// <remarks>
/// <para>
/// Token ids are declared as an input of one dimension, <c>[Input(steps)]</c>, and given as floats holding whole numbers in
/// [0, vocabulary) (every integer below 2²⁴ is exact in a float); the Embedding must read that input directly (GN0008
/// otherwise: ids come from the data, so nothing before them learns). An id that is not a whole number in [0, vocabulary) —
/// a fraction, a negative, one too large, NaN — makes <c>Forward</c> or the training step throw an
/// <see cref="ArgumentException"/> naming the network, the sample (its index in the batch) and the step; the table is
/// never read or written outside its rows.
/// </para>
/// <para>
/// Its tensor is <c>embedding.weight</c> [vocabulary, dimensions], PyTorch's name and layout, so a state_dict loads as it
/// is. <c>InitializeParameters</c> draws it from U(−0.05, 0.05), Keras's default (PyTorch draws N(0, 1)). Its gradient
/// adds each step's incoming gradient into the row of that step's token (a scatter-add): rows of tokens absent from the
/// batch get none. The default names are Keras's: <c>embedding</c>, <c>embedding_1</c>, ….
/// </para>
/// </remarks>
/// <example>
/// <code>
/// [Network]
/// [Input(40)]                  // 40 token ids per sample
/// [Embedding(5000, 32)]        // → [40, 32]
/// [GRU(64)]
/// [Dense(2, Activation.Softmax)]
/// public partial class Sentiment;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EmbeddingAttribute : LayerAttribute
{
    /// <summary>Declares a table of <paramref name="vocabulary"/> rows of <paramref name="dimensions"/> values.</summary>
    public EmbeddingAttribute(int vocabulary, int dimensions)
    {
        Vocabulary = vocabulary;
        Dimensions = dimensions;
    }

    /// <summary>The number of distinct token ids: ids run from 0 to vocabulary − 1.</summary>
    public int Vocabulary { get; }

    /// <summary>The length of each token's vector.</summary>
    public int Dimensions { get; }

    /// <summary>
    /// Token id 0 is padding (Keras's <c>mask_zero</c>): the layer's output carries a step mask, 0 where the id is 0, and the
    /// LSTM, GRU or SimpleRNN that reads it skips those steps — a padded step carries the state over unchanged and its
    /// sequence output is zero, so sequences of any length up to the declared one, padded with 0 before or after, give the
    /// outputs and gradients they would give alone. Real tokens then use ids 1 … vocabulary − 1. The layer after the
    /// Embedding must be a recurrent layer (GN0030 otherwise); a recurrent layer with <c>ReturnSequences</c> passes the mask
    /// on to a recurrent layer after it. Default false.
    /// </summary>
    public bool MaskZero { get; set; }
}
