// Recurrent and embedding networks for the gradient and forward checks (their references: RecurrentCases.cs): LSTM, GRU and SimpleRNN
// over 1, 2 and 7 steps of 1 and 3 features with 1, 3 and 17 units; the last state and whole sequences; two recurrent
// layers stacked (the first one's input gradient through time); a Conv1D before a GRU and a global pool after a sequence;
// embeddings of token ids (vocabularies of 3, 5, 6 and 17, dimensions 1, 2, 3 and 17) before recurrent layers, before Flatten
// (ids repeated, so rows gather several steps' gradients) and on one of two inputs.
using GenNet;

namespace GenNet.Tests.Networks;

/// <summary>[7, 3] → LSTM(17) → [17] → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7, 3)]
[LSTM(17)]
[Dense(2, Activation.Linear)]
public partial class LstmSeventeen;

/// <summary>[2, 1] → LSTM(3, sequences) → [2, 3] → LSTM(1) → [1] → Dense(2, softmax).</summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(2, 1)]
[LSTM(3, ReturnSequences = true)]
[LSTM(1)]
[Dense(2, Activation.Softmax)]
public partial class LstmStacked;

/// <summary>[1, 3] → LSTM(1, sequences) → [1, 1] → Flatten → Dense(1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(1, 3)]
[LSTM(1, ReturnSequences = true)]
[Flatten]
[Dense(1, Activation.Linear)]
public partial class LstmOneStep;

/// <summary>[7, 1] → GRU(17) → [17] → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7, 1)]
[GRU(17)]
[Dense(2, Activation.Linear)]
public partial class GruSeventeen;

/// <summary>[7, 3] → GRU(3, sequences) → [7, 3] → GRU(1) → [1] → Dense(1, sigmoid).</summary>
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(7, 3)]
[GRU(3, ReturnSequences = true)]
[GRU(1)]
[Dense(1, Activation.Sigmoid)]
public partial class GruStacked;

/// <summary>[2, 3] → Conv1D(3, 1, tanh) → [2, 3] → GRU(1, sequences) → [2, 1] → Flatten → Dense(1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2, 3)]
[Conv1D(3, 1, Activation.Tanh)]
[GRU(1, ReturnSequences = true)]
[Flatten]
[Dense(1, Activation.Linear)]
public partial class GruAfterConv;

/// <summary>[7, 3] → SimpleRNN(17, sequences) → [7, 17] → global average → [17] → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7, 3)]
[SimpleRNN(17, ReturnSequences = true)]
[GlobalAveragePooling1D]
[Dense(2, Activation.Linear)]
public partial class RnnSeventeen;

/// <summary>[2, 1] → SimpleRNN(3, sequences) → [2, 3] → SimpleRNN(1) → [1] → Dense(1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2, 1)]
[SimpleRNN(3, ReturnSequences = true)]
[SimpleRNN(1)]
[Dense(1, Activation.Linear)]
public partial class RnnStacked;

/// <summary>[1, 3] → SimpleRNN(1) → [1] → Dense(2, softmax); named, so its tensors are encoder.weight_ih_l0, ….</summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(1, 3)]
[SimpleRNN(1, Name = "encoder")]
[Dense(2, Activation.Softmax)]
public partial class RnnOneStep;

/// <summary>7 token ids of a vocabulary of 17 → Embedding(17, 3) → [7, 3] → LSTM(3) → Dense(2, softmax).</summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(7)]
[Embedding(17, 3)]
[LSTM(3)]
[Dense(2, Activation.Softmax)]
public partial class EmbeddingLstm;

/// <summary>2 token ids of 3 → Embedding(3, 1) → [2, 1] → GRU(17) → Dense(1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2)]
[Embedding(3, 1)]
[GRU(17)]
[Dense(1, Activation.Linear)]
public partial class EmbeddingGru;

/// <summary>3 token ids of 5 (repeated within and across samples: the scatter-add) → Embedding(5, 17) → Flatten → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(3)]
[Embedding(5, 17, Name = "words")]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class EmbeddingFlat;

/// <summary>Two inputs: 4 token ids of 6 → Embedding(6, 2) → SimpleRNN(3), concatenated with 2 plain features → Dense(1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(4, Name = "tokens")]
[Input(2, Name = "extra")]
[Embedding(6, 2, From = "tokens")]
[SimpleRNN(3)]
[Concatenate("extra")]
[Dense(1, Activation.Linear)]
public partial class EmbeddingBesideFeatures;
