// Networks over sequences [steps, channels] for the gradient and forward checks (their references: SequenceCases.cs):
// Conv1D with both paddings, strides 1 and 2, kernels of 1, 3 and 5 steps, channels 1, 3 and 17, sequences of 1, 7 and 29
// steps; MaxPool1D and AveragePool1D with default, explicit and same-padded strides, on the input itself too (nothing before
// it learns); both global pools; Flatten after them; default names (conv1d, conv1d_1).
using GenNet;

namespace GenNet.Tests.Networks;

/// <summary>[29, 3] → Conv1D(4, 5, tanh, stride 2, same: 2 before) → [15, 4] → max pool 2 → [7, 4] → Flatten → Dense(2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(29, 3)]
[Conv1D(4, 5, Activation.Tanh, Stride = 2, Padding = Padding.Same)]
[MaxPool1D(2)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class SequenceStridedSame;

/// <summary>
/// [7, 1] → Conv1D(3, 3, GELU, valid) → [5, 3] → average pool 2 at stride 1 → [4, 3] → Conv1D(2, 1) (a 1-step kernel: no
/// im2col) → [4, 2] → Flatten → Dense(3, softmax).
/// </summary>
[Network(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(7, 1)]
[Conv1D(3, 3, Activation.Gelu)]
[AveragePool1D(2, Stride = 1)]
[Conv1D(2, 1, Activation.Linear)]
[Flatten]
[Dense(3, Activation.Softmax)]
public partial class SequenceOneChannel;

/// <summary>
/// [7, 17] → Conv1D(17, 3, tanh, same) → [7, 17] → max pool 3 at stride 2, same → [4, 17] → average pool 3, same (clipped
/// windows) → [2, 17] → global max → [17] → Dense(1, sigmoid).
/// </summary>
[Network(Loss = Loss.BinaryCrossEntropy)]
[Input(7, 17)]
[Conv1D(17, 3, Activation.Tanh, Padding = Padding.Same)]
[MaxPool1D(3, Stride = 2, Padding = Padding.Same)]
[AveragePool1D(3, Padding = Padding.Same)]
[GlobalMaxPooling1D]
[Dense(1, Activation.Sigmoid)]
public partial class SequenceSeventeen;

/// <summary>A one-step sequence [1, 3]: a same-padded 3-step kernel sees one real step; pooling keeps [1, 5]; global average.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(1, 3)]
[Conv1D(5, 3, Activation.LeakyReLU, NegativeSlope = 0.2f, Padding = Padding.Same)]
[MaxPool1D(2, Padding = Padding.Same)]
[GlobalAveragePooling1D]
[Dense(2, Activation.Linear)]
public partial class SequenceOneStep;

/// <summary>
/// Max pooling of the raw input [29, 1] (no backward pass), Conv1D(1, 5, stride 2, same) → [14, 1], average pool 2 → [7, 1],
/// then a valid Conv1D(3, 7) as long as the sequence → [1, 3] → Flatten → Dense(2).
/// </summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(29, 1)]
[MaxPool1D(2, Stride = 1)]
[Conv1D(1, 5, Activation.Tanh, Stride = 2, Padding = Padding.Same)]
[AveragePool1D(2)]
[Conv1D(3, 7, Activation.Tanh)]
[Flatten]
[Dense(2, Activation.Linear)]
public partial class SequencePooledInput;

/// <summary>Two 1-D branches over [7, 3] concatenated along channels, then global average pooling: [7, 3] → [7, 4] → [4].</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7, 3, Name = "signal")]
[Conv1D(2, 3, Activation.Tanh, Padding = Padding.Same, Name = "wide")]
[Conv1D(2, 1, Activation.Tanh, From = "signal")]
[Concatenate("wide")]
[GlobalAveragePooling1D]
[Dense(2, Activation.Linear)]
public partial class SequenceBranches;
