using GenNet.Tests.Networks;

namespace GenNet.Tests;

/// <summary>The networks of RecurrentNetworks.cs (recurrent layers and embeddings) with their float64 references; concatenated into <see cref="NetworkCases.All"/>.</summary>
public static class RecurrentCases
{
    private const Loss Mse = Loss.MeanSquaredError;

    public static readonly NetworkCase[] All =
    [
        new("LstmSeventeen", () => new LstmSeventeen(), new ReferenceNetwork([7, 3], Mse,
            new ReferenceLSTM(17),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("LstmStacked", () => new LstmStacked(), new ReferenceNetwork([2, 1], Loss.SparseCategoricalCrossEntropy,
            new ReferenceLSTM(3, ReturnSequences: true),
            new ReferenceLSTM(1),
            new ReferenceLayer(2, Activation.Softmax)), Targets.Labels),
        new("LstmOneStep", () => new LstmOneStep(), new ReferenceNetwork([1, 3], Mse,
            new ReferenceLSTM(1, ReturnSequences: true),
            new ReferenceFlatten(),
            new ReferenceLayer(1, Activation.Linear)), Targets.Regression),
        new("GruSeventeen", () => new GruSeventeen(), new ReferenceNetwork([7, 1], Mse,
            new ReferenceGRU(17),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("GruStacked", () => new GruStacked(), new ReferenceNetwork([7, 3], Loss.BinaryCrossEntropy,
            new ReferenceGRU(3, ReturnSequences: true),
            new ReferenceGRU(1),
            new ReferenceLayer(1, Activation.Sigmoid)), Targets.Probabilities),
        new("GruAfterConv", () => new GruAfterConv(), new ReferenceNetwork([2, 3], Mse,
            new ReferenceConv1D(3, 1, Activation.Tanh),
            new ReferenceGRU(1, ReturnSequences: true),
            new ReferenceFlatten(),
            new ReferenceLayer(1, Activation.Linear)), Targets.Regression),
        new("RnnSeventeen", () => new RnnSeventeen(), new ReferenceNetwork([7, 3], Mse,
            new ReferenceSimpleRNN(17, ReturnSequences: true),
            new ReferenceGlobalAveragePool1D(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression),
        new("RnnStacked", () => new RnnStacked(), new ReferenceNetwork([2, 1], Mse,
            new ReferenceSimpleRNN(3, ReturnSequences: true),
            new ReferenceSimpleRNN(1),
            new ReferenceLayer(1, Activation.Linear)), Targets.Regression),
        new("RnnOneStep", () => new RnnOneStep(), new ReferenceNetwork([1, 3], Loss.SparseCategoricalCrossEntropy,
            new ReferenceSimpleRNN(1) { Name = "encoder" },
            new ReferenceLayer(2, Activation.Softmax)), Targets.Labels),
        new("EmbeddingLstm", () => new EmbeddingLstm(), new ReferenceNetwork([7], Loss.SparseCategoricalCrossEntropy,
            new ReferenceEmbedding(17, 3),
            new ReferenceLSTM(3),
            new ReferenceLayer(2, Activation.Softmax)), Targets.Labels) { Inputs = Tokens(17) },
        new("EmbeddingGru", () => new EmbeddingGru(), new ReferenceNetwork([2], Mse,
            new ReferenceEmbedding(3, 1),
            new ReferenceGRU(17),
            new ReferenceLayer(1, Activation.Linear)), Targets.Regression) { Inputs = Tokens(3) },
        new("EmbeddingFlat", () => new EmbeddingFlat(), new ReferenceNetwork([3], Mse,
            new ReferenceEmbedding(5, 17) { Name = "words" },
            new ReferenceFlatten(),
            new ReferenceLayer(2, Activation.Linear)), Targets.Regression) { Inputs = Tokens(5) },
        new("EmbeddingBesideFeatures", () => new EmbeddingBesideFeatures(), new ReferenceNetwork(Mse,
            new ReferenceInput(4) { Name = "tokens" },
            new ReferenceInput(2) { Name = "extra" },
            new ReferenceEmbedding(6, 2) { From = "tokens" },
            new ReferenceSimpleRNN(3),
            new ReferenceConcatenate("extra"),
            new ReferenceLayer(1, Activation.Linear)), Targets.Regression)
        {
            Inputs = (random, at) => at < 4 ? random.Next(6) : (float)(random.NextDouble() * 2 - 1),
        },
    ];

    /// <summary>Whole token ids below <paramref name="vocabulary"/> at every place of a sample.</summary>
    private static System.Func<System.Random, int, float> Tokens(int vocabulary) => (random, _) => random.Next(vocabulary);
}
