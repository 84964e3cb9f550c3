// Recurrent layers under a step mask (Embedding with MaskZero: token id 0 is padding), for the gradient and forward checks
// (references: MaskedCases.cs) and for MaskingTests, which compares a padded sequence with the same one in a network
// declared at its own length. LSTM, GRU and SimpleRNN over 1, 2 and 7 steps with 1, 3 and 17 units; the last state and
// whole sequences; the mask passed on by a sequence to a second recurrent layer.
using GenNet;

namespace GenNet.Tests.Networks;

/// <summary>7 ids of 3 (0 is padding) → Embedding(3, 2, mask) → LSTM(17) → Dense(2, softmax).</summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(7)]
[Embedding(3, 2, MaskZero = true)]
[LSTM(17)]
[Dense(2, Activation.Softmax)]
public partial class MaskedLstmSeventeen;

/// <summary>2 ids of 3 → Embedding(3, 1, mask) → GRU(3, sequences) → GRU(1), the mask passed on → Dense(1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2)]
[Embedding(3, 1, MaskZero = true)]
[GRU(3, ReturnSequences = true)]
[GRU(1)]
[Dense(1, Activation.Linear)]
public partial class MaskedGruStacked;

/// <summary>7 ids of 3 → Embedding(3, 3, mask) → SimpleRNN(3, sequences: zero at padded steps) → Flatten → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7)]
[Embedding(3, 3, MaskZero = true)]
[SimpleRNN(3, ReturnSequences = true)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class MaskedRnnSequence;

/// <summary>1 id of 2 (half the samples fully padded) → Embedding(2, 3, mask) → LSTM(1, sequences) → Flatten → Dense(1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Embedding(2, 3, MaskZero = true)]
[LSTM(1, ReturnSequences = true)]
[Flatten]
[Dense(1, Activation.Linear)]
public partial class MaskedLstmOneStep;

/// <summary>7 ids of 3 → Embedding(3, 1, mask) → GRU(17, sequences) → SimpleRNN(1) → Dense(1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7)]
[Embedding(3, 1, MaskZero = true)]
[GRU(17, ReturnSequences = true)]
[SimpleRNN(1)]
[Dense(1, Activation.Linear)]
public partial class MaskedGruSeventeen;

/// <summary>2 ids of 3 → Embedding(3, 2, mask) → SimpleRNN(17) → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2)]
[Embedding(3, 2, MaskZero = true)]
[SimpleRNN(17)]
[Dense(2, Activation.Linear)]
public partial class MaskedRnnSeventeen;

// The padding pairs: the same layers declared at 7, 2 and 1 steps; MaskingTests pads a shorter sequence into a longer
// declaration and expects what the declaration at its own length gives.

/// <summary>7 ids of 5 → Embedding(5, 3, mask) → LSTM(3, sequences) → LSTM(2) → Dense(1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7)]
[Embedding(5, 3, MaskZero = true)]
[LSTM(3, ReturnSequences = true)]
[LSTM(2)]
[Dense(1, Activation.Linear)]
public partial class PaddedLstm7;

/// <summary><see cref="PaddedLstm7"/> at 2 steps.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2)]
[Embedding(5, 3, MaskZero = true)]
[LSTM(3, ReturnSequences = true)]
[LSTM(2)]
[Dense(1, Activation.Linear)]
public partial class PaddedLstm2;

/// <summary><see cref="PaddedLstm7"/> at 1 step.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Embedding(5, 3, MaskZero = true)]
[LSTM(3, ReturnSequences = true)]
[LSTM(2)]
[Dense(1, Activation.Linear)]
public partial class PaddedLstm1;

/// <summary>7 ids of 5 → Embedding(5, 3, mask) → GRU(3, sequences) → GRU(2) → Dense(1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7)]
[Embedding(5, 3, MaskZero = true)]
[GRU(3, ReturnSequences = true)]
[GRU(2)]
[Dense(1, Activation.Linear)]
public partial class PaddedGru7;

/// <summary><see cref="PaddedGru7"/> at 2 steps.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2)]
[Embedding(5, 3, MaskZero = true)]
[GRU(3, ReturnSequences = true)]
[GRU(2)]
[Dense(1, Activation.Linear)]
public partial class PaddedGru2;

/// <summary><see cref="PaddedGru7"/> at 1 step.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Embedding(5, 3, MaskZero = true)]
[GRU(3, ReturnSequences = true)]
[GRU(2)]
[Dense(1, Activation.Linear)]
public partial class PaddedGru1;

/// <summary>7 ids of 5 → Embedding(5, 3, mask) → SimpleRNN(3, sequences) → SimpleRNN(2) → Dense(1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7)]
[Embedding(5, 3, MaskZero = true)]
[SimpleRNN(3, ReturnSequences = true)]
[SimpleRNN(2)]
[Dense(1, Activation.Linear)]
public partial class PaddedRnn7;

/// <summary><see cref="PaddedRnn7"/> at 2 steps.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2)]
[Embedding(5, 3, MaskZero = true)]
[SimpleRNN(3, ReturnSequences = true)]
[SimpleRNN(2)]
[Dense(1, Activation.Linear)]
public partial class PaddedRnn2;

/// <summary><see cref="PaddedRnn7"/> at 1 step.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(1)]
[Embedding(5, 3, MaskZero = true)]
[SimpleRNN(3, ReturnSequences = true)]
[SimpleRNN(2)]
[Dense(1, Activation.Linear)]
public partial class PaddedRnn1;

/// <summary>7 ids of 5 → Embedding(5, 3, mask) → LSTM(3, sequences): the sequence output itself, [7, 3].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7)]
[Embedding(5, 3, MaskZero = true)]
[LSTM(3, ReturnSequences = true)]
public partial class PaddedLstmSequence7;

/// <summary><see cref="PaddedLstmSequence7"/> at 2 steps.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2)]
[Embedding(5, 3, MaskZero = true)]
[LSTM(3, ReturnSequences = true)]
public partial class PaddedLstmSequence2;

/// <summary>[7, 3] floats, steps of all 0 padding → Masking → LSTM(3, sequences) → GRU(17) → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7, 3)]
[Masking]
[LSTM(3, ReturnSequences = true)]
[GRU(17)]
[Dense(2, Activation.Linear)]
public partial class MaskedFloats;

/// <summary>[2, 1] → Conv1D(1, 1) → Masking(−1): steps the convolution maps to −1 are padding → SimpleRNN(1) → Dense(1); dx through the mask.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2, 1)]
[Conv1D(1, 1, Activation.Linear)]
[Masking(-1f)]
[SimpleRNN(1)]
[Dense(1, Activation.Linear)]
public partial class MaskedAfterConv;

/// <summary>[7, 1] floats, −1 as padding → Masking(−1) → SimpleRNN(1, sequences) → Flatten → Dense(1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7, 1)]
[Masking(-1f)]
[SimpleRNN(1, ReturnSequences = true)]
[Flatten]
[Dense(1, Activation.Linear)]
public partial class MaskedMinusOne;
