using GenNet.Tests.Networks;

namespace GenNet.Tests;

/// <summary>
/// The masked networks of MaskedNetworks.cs with their float64 references; concatenated into <see cref="NetworkCases.All"/>.
/// Their inputs draw ids below a vocabulary of 2 or 3, so a third to a half of the steps are padding (id 0) wherever they
/// fall — before, between and after real ones — and at 1 and 2 steps many samples are padding throughout.
/// </summary>
public static class MaskedCases
{
    private const Loss Mse = Loss.MeanSquaredError;

    public static readonly NetworkCase[] All =
    [
        new("MaskedLstmSeventeen", () => new MaskedLstmSeventeen(), new ReferenceNetwork([7], Loss.SparseCategoricalCrossEntropy,
            new ReferenceEmbedding(3, 2) { MaskZero = true },
            new ReferenceLSTM(17),
            new ReferenceLayer(2, Activation.Softmax)), Targets.Labels) { Inputs = Tokens(3) },
        new("MaskedGruStacked", () => new MaskedGruStacked(), new ReferenceNetwork([2], Mse,
            new ReferenceEmbedding(3, 1) { MaskZero = true },
            new ReferenceGRU(3, ReturnSequences: true),
            new ReferenceGRU(1),
            new ReferenceLayer(1, Activation.Linear)), Targets.Regression) { Inputs = Tokens(3) },
        new("MaskedRnnSequence", () => new MaskedRnnSequence(), new ReferenceNetwork([7], Mse,
            new ReferenceEmbedding(3, 3) { MaskZero = true },
            new ReferenceSimpleRNN(3, ReturnSequences: true),
            new ReferenceFlatten(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression) { Inputs = Tokens(3) },
        new("MaskedLstmOneStep", () => new MaskedLstmOneStep(), new ReferenceNetwork([1], Mse,
            new ReferenceEmbedding(2, 3) { MaskZero = true },
            new ReferenceLSTM(1, ReturnSequences: true),
            new ReferenceFlatten(),
            new ReferenceLayer(1, Activation.Linear)), Targets.Regression) { Inputs = Tokens(2) },
        new("MaskedGruSeventeen", () => new MaskedGruSeventeen(), new ReferenceNetwork([7], Mse,
            new ReferenceEmbedding(3, 1) { MaskZero = true },
            new ReferenceGRU(17, ReturnSequences: true),
            new ReferenceSimpleRNN(1),
            new ReferenceLayer(1, Activation.Linear)), Targets.Regression) { Inputs = Tokens(3) },
        new("MaskedRnnSeventeen", () => new MaskedRnnSeventeen(), new ReferenceNetwork([2], Mse,
            new ReferenceEmbedding(3, 2) { MaskZero = true },
            new ReferenceSimpleRNN(17),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression) { Inputs = Tokens(3) },
        new("MaskedFloats", () => new MaskedFloats(), new ReferenceNetwork([7, 3], Mse,
            new ReferenceMasking(),
            new ReferenceLSTM(3, ReturnSequences: true),
            new ReferenceGRU(17),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression) { Inputs = PaddedSteps(3) },
        new("MaskedAfterConv", () => new MaskedAfterConv(), new ReferenceNetwork([2, 1], Mse,
            new ReferenceConv1D(1, 1, Activation.Linear),
            new ReferenceMasking(-1f),
            new ReferenceSimpleRNN(1),
            new ReferenceLayer(1, Activation.Linear)), Targets.Regression),
        new("MaskedMinusOne", () => new MaskedMinusOne(), new ReferenceNetwork([7, 1], Mse,
            new ReferenceMasking(-1f),
            new ReferenceSimpleRNN(1, ReturnSequences: true),
            new ReferenceFlatten(),
            new ReferenceLayer(1, Activation.Linear)), Targets.Regression) { Inputs = PaddedSteps(1, padding: -1f) },
    ];

    /// <summary>Values in [−1, 1], but every feature of steps 0, 3, 5 and 6 equal to <paramref name="padding"/>: padding first, between and last.</summary>
    private static System.Func<System.Random, int, float> PaddedSteps(int features, float padding = 0f) =>
        (random, at) => (at / features) is 0 or 3 or 5 or 6 ? padding : (float)(random.NextDouble() * 2 - 1);

    /// <summary>Whole token ids below <paramref name="vocabulary"/>, 0 (padding) among them, at every place of a sample.</summary>
    private static System.Func<System.Random, int, float> Tokens(int vocabulary) => (random, _) => random.Next(vocabulary);
}
