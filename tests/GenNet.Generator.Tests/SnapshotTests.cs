using System.Linq;
using Xunit;

namespace GenNet.Generator.Tests;

/// <summary>The generated code, read and committed: the seed's MNIST MLP and a network using every activation.</summary>
public sealed class SnapshotTests
{
    [Fact]
    public void Mnist_mlp()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples;

            [Network]
            [Input(28, 28)]
            [Flatten]
            [Dense(128, Activation.ReLU)]
            [Dense(10, Activation.Softmax)]
            public partial class MnistMlp;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("MnistMlp", run.Source("Samples.MnistMlp.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Mnist_mlp_inference_only_with_weights_loaded_at_run_time()
    {
        // No compiled-in weights: the float arena, which Load fills; the large first layer keeps panels of it
        // (NetworkBase.DensePanels), the 1,280 weights of the second are read as rows.
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples;

            [Network(Training = false)]
            [Input(28, 28)]
            [Flatten]
            [Dense(128, Activation.ReLU)]
            [Dense(10, Activation.Softmax)]
            public partial class MnistMlpInference;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("MnistMlpInference", run.Source("Samples.MnistMlpInference.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Mnist_convnet()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples;

            [Network]
            [Input(28, 28, 1)]
            [Conv2D(32, 3, Activation.ReLU)]
            [MaxPool2D(2)]
            [Conv2D(64, 3, Activation.ReLU)]
            [MaxPool2D(2)]
            [Flatten]
            [Dropout(0.5)]
            [Dense(10, Activation.Softmax)]
            public partial class MnistConvNet;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("MnistConvNet", run.Source("Samples.MnistConvNet.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Initializers_and_l2_penalties()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples;

            [Network]
            [Input(8, 8, 2)]
            [Conv2D(4, 3, Activation.ReLU, KernelInitializer = Initializer.HeNormal, KernelRegularizerL2 = 1e-4f)]
            [Flatten]
            [Dense(16, Activation.ReLU, KernelInitializer = Initializer.HeUniform, BiasInitializer = Initializer.Ones, KernelRegularizerL2 = 0.001f, BiasRegularizerL2 = 0.0005f)]
            [Dense(8, Activation.Tanh, KernelInitializer = Initializer.LeCunNormal)]
            [Dense(3, Activation.Softmax, KernelInitializer = Initializer.GlorotNormal, BiasInitializer = Initializer.Zeros)]
            public partial class Regularized;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("Regularized", run.Source("Samples.Regularized.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Every_convolution_and_pooling_form_inference_only()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Vision;

            [Network(Training = false, Loss = Loss.MeanSquaredError)]
            [Input(9, 7, 3)]
            [Conv2D(8, 3, Activation.Gelu, Stride = 2, Padding = Padding.Same)]
            [Conv2D(6, 1, Activation.LeakyReLU, NegativeSlope = 0.2f)]
            [Conv2D(5, 2, 3, Activation.Tanh, Padding = Padding.Same)]
            [MaxPool2D(3, Stride = 1, Padding = Padding.Same)]
            [AveragePool2D(2)]
            [Dropout(0.25)]
            [Flatten]
            [Dense(4)]
            public partial class ConvolutionZoo;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("ConvolutionZoo", run.Source("Samples.Vision.ConvolutionZoo.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Every_convolution_form_trained()
    {
        // The zoo's layers with training: reordered kernels for the multi-channel convolutions (the first without dx, the
        // last reusing its columns), a 1×1 convolution without im2col, GELU's saved pre-activations, both poolings' backward.
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Vision;

            [Network(Loss = Loss.MeanSquaredError)]
            [Input(9, 7, 3)]
            [Conv2D(8, 3, Activation.Gelu, Stride = 2, Padding = Padding.Same)]
            [Conv2D(6, 1, Activation.LeakyReLU, NegativeSlope = 0.2f)]
            [Conv2D(5, 2, 3, Activation.Tanh, Padding = Padding.Same)]
            [MaxPool2D(3, Stride = 1, Padding = Padding.Same)]
            [AveragePool2D(2)]
            [Dropout(0.25)]
            [Flatten]
            [Dense(4)]
            public partial class TrainedZoo;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("TrainedZoo", run.Source("Samples.Vision.TrainedZoo.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Global_pooling_heads_trained()
    {
        // Both global poolings of one feature map, concatenated, under their default names: the max remembers where each
        // channel's maximum was for its backward pass, the average shares each gradient among the 35 positions.
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Vision;

            [Network(Loss = Loss.SparseCategoricalCrossEntropy)]
            [Input(7, 5, 3)]
            [Conv2D(17, 3, Activation.ReLU, Padding = Padding.Same, Name = "features")]
            [GlobalMaxPooling2D]
            [GlobalAveragePooling2D(From = "features")]
            [Concatenate("global_max_pooling2d")]
            [Dense(10, Activation.Softmax)]
            public partial class GlobalPoolingHeads;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("GlobalPoolingHeads", run.Source("Samples.Vision.GlobalPoolingHeads.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Sequence_classifier_trained()
    {
        // A [29, 3] sequence: a same-padded Conv1D (3 channels, so its im2col is channels-last against a reordered kernel),
        // max pooling, a strided valid Conv1D of 17 filters, average pooling with same padding, then both heads: Flatten
        // (a view: the sequence stays step-major) and global average pooling, concatenated.
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Signals;

            [Network(Loss = Loss.SparseCategoricalCrossEntropy)]
            [Input(29, 3)]
            [Conv1D(8, 5, Activation.ReLU, Padding = Padding.Same)]
            [MaxPool1D(2)]
            [Conv1D(17, 3, Activation.Tanh, Stride = 2)]
            [AveragePool1D(3, Stride = 1, Padding = Padding.Same, Name = "features")]
            [Flatten]
            [GlobalAveragePooling1D(From = "features")]
            [Concatenate("flatten")]
            [Dense(4, Activation.Softmax)]
            public partial class SequenceClassifier;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("SequenceClassifier", run.Source("Samples.Signals.SequenceClassifier.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Recurrent_layers_trained()
    {
        // Rows of a 28×28 image as 28 steps: an LSTM returning its sequence (step-major buffers, the output copied back to
        // [batch, steps, units], dL/dh gathered step by step), a GRU over it returning its last state (the output is h's last
        // slot: no copy; the incoming gradient serves as dL/dh) whose input gradient flows back through time into the LSTM,
        // and a SimpleRNN on a second, named input that nothing before learns (no dx).
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Sequences;

            [Network(Loss = Loss.SparseCategoricalCrossEntropy)]
            [Input(28, 28, Name = "rows")]
            [Input(5, 2, Name = "events")]
            [LSTM(32, ReturnSequences = true, From = "rows")]
            [GRU(16, Name = "summary")]
            [SimpleRNN(3, From = "events")]
            [Concatenate("summary")]
            [Dense(10, Activation.Softmax)]
            public partial class RowReader;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("RowReader", run.Source("Samples.Sequences.RowReader.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Recurrent_layer_inference_only()
    {
        // An inference-only LSTM keeps no gradients of its own: only the forward method, the same buffers.
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Sequences;

            [Network(Training = false)]
            [Input(7, 3)]
            [LSTM(17)]
            [Dense(2, Activation.Softmax)]
            public partial class LstmInference;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("LstmInference", run.Source("Samples.Sequences.LstmInference.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Embedding_into_a_gru()
    {
        // Token ids as [Input(12)] floats: the lookup names the network, the layer and the shard's first sample for a bad id,
        // and its backward pass is a scatter-add with no dx; the GRU reads the embedded sequence and passes it no gradient
        // beyond the table's.
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Text;

            [Network]
            [Input(12)]
            [Embedding(30, 8)]
            [GRU(16)]
            [Dense(30, Activation.Softmax)]
            public partial class NextCharacter;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("NextCharacter", run.Source("Samples.Text.NextCharacter.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Padded_tokens_into_stacked_lstms()
    {
        // Embedding(MaskZero): the ids' step mask, written beside the lookup and read by both LSTMs (the first passes it on
        // with its sequence, zero at padded steps); the masked step kernels, and ONNX's sequence_lens from the mask.
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Text;

            [Network]
            [Input(12)]
            [Embedding(30, 8, MaskZero = true)]
            [LSTM(16, ReturnSequences = true)]
            [LSTM(4)]
            [Dense(2, Activation.Softmax)]
            public partial class PaddedReviews;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("PaddedReviews", run.Source("Samples.Text.PaddedReviews.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Masked_float_sequences_into_a_gru()
    {
        // Masking(−1): steps whose features are all −1 are padding; the mask is written beside the zeroed copy, read by the
        // GRU, and the backward pass stops at the masking layer (nothing before it learns).
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Tracks;

            [Network]
            [Input(20, 3)]
            [Masking(-1f)]
            [GRU(8)]
            [Dense(1, Activation.Sigmoid)]
            public partial class Trajectories;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("Trajectories", run.Source("Samples.Tracks.Trajectories.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Layer_normalization_after_a_convolution_and_in_a_pre_norm_block()
    {
        // Each pixel's 8 channels normalised over themselves, then a transformer's pre-norm residual block over 16 features
        // (default names ln_1, ln_2, counting the named one): the mean and 1/σ each row keeps for backward, and GELU's
        // pre-activation on the last normalisation.
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Normalized;

            [Network]
            [Input(6, 6, 2)]
            [Conv2D(8, 3, Activation.Linear, Padding = Padding.Same, Name = "stem")]
            [LayerNormalization(Activation = Activation.ReLU, Name = "stem.ln")]
            [GlobalAveragePooling2D]
            [Dense(16, Name = "h")]
            [LayerNormalization]
            [Dense(16, Activation.Gelu)]
            [Add("h")]
            [LayerNormalization(Epsilon = 1e-6f, Activation = Activation.Gelu)]
            [Dense(10, Activation.Softmax)]
            public partial class LayerNormBlocks;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("LayerNormBlocks", run.Source("Samples.Normalized.LayerNormBlocks.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Layer_normalization_in_an_inference_only_network_keeps_no_statistics()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Normalized;

            [Network(Training = false)]
            [Input(5)]
            [LayerNormalization(Epsilon = 1e-3f)]
            [Dense(3, Activation.Sigmoid)]
            public partial class LayerNormalizedInputs;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("LayerNormalizedInputs", run.Source("Samples.Normalized.LayerNormalizedInputs.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Normalization_of_raw_features_and_of_a_hidden_layer()
    {
        // Keras's Normalization on the raw input (the tabular classifier's first layer: no backward pass, nothing before it
        // learns) and on a hidden layer (the gradient passes through, divided in place); their statistics are buffers, and
        // the layout lists both for Adapt, the first reading the input at offset 0.
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Tabular;

            [Network]
            [Input(13)]
            [Normalization]
            [Dense(16, Activation.ReLU)]
            [Normalization(Name = "hidden.norm")]
            [Dense(3, Activation.Softmax)]
            public partial class AdaptedTabular;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("AdaptedTabular", run.Source("Samples.Tabular.AdaptedTabular.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Depthwise_and_separable_convolutions_trained()
    {
        // A MobileNet-style block: a depthwise convolution with stride 2 downsamples each channel alone, a separable one
        // (depthwise with two filters per channel into its own buffer, then the 1×1 product) mixes the channels.
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Vision;

            [Network(Loss = Loss.SparseCategoricalCrossEntropy)]
            [Input(12, 12, 3)]
            [Conv2D(8, 3, Activation.ReLU, Padding = Padding.Same)]
            [DepthwiseConv2D(3, Activation.ReLU, Stride = 2, Padding = Padding.Same)]
            [SeparableConv2D(16, 3, Activation.ReLU, DepthMultiplier = 2, Padding = Padding.Same)]
            [GlobalAveragePooling2D]
            [Dense(10, Activation.Softmax)]
            public partial class DepthwiseBlock;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("DepthwiseBlock", run.Source("Samples.Vision.DepthwiseBlock.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Graph_with_two_inputs_a_fork_and_merges()
    {
        // Two inputs split out of each packed sample, a fork read by two layers (their gradients add), Add with an
        // activation, Concatenate of an image branch and a feature branch, and the typed multi-input overloads.
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Graphs;

            [Network(Loss = Loss.BinaryCrossEntropy)]
            [Input(6, 6, 2, Name = "image")]
            [Input(5, Name = "features")]
            [Conv2D(4, 3, Activation.ReLU, From = "image", Padding = Padding.Same, Name = "stem")]
            [Conv2D(4, 3, Activation.Linear, Padding = Padding.Same)]
            [Add("stem", Activation = Activation.ReLU)]
            [Flatten(Name = "pixels")]
            [Dense(8, Activation.Tanh, From = "features")]
            [Concatenate("pixels")]
            [Dense(1, Activation.Sigmoid, Name = "head")]
            public partial class TwoInputResidual;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("TwoInputResidual", run.Source("Samples.Graphs.TwoInputResidual.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Batch_normalization_in_a_residual_block_and_after_a_dense_layer()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Normalized;

            [Network]
            [Input(8, 8, 1)]
            [Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "stem")]
            [BatchNormalization(Activation = Activation.ReLU, Name = "stem.bn")]
            [Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv")]
            [BatchNormalization(Momentum = 0.01f, Name = "block.bn")]
            [Add("stem.bn", Activation = Activation.ReLU)]
            [MaxPool2D(2)]
            [Flatten]
            [Dense(16)]
            [BatchNormalization(Activation = Activation.Gelu)]
            [Dense(10, Activation.Softmax)]
            public partial class ResidualBatchNorm;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("ResidualBatchNorm", run.Source("Samples.Normalized.ResidualBatchNorm.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    /// <summary>
    /// ResidualBatchNorm inference only: each normalisation folds into the convolution or Dense layer it reads (the first
    /// convolution's weight kept in PyTorch's order, as one channel needs no reordering; the second's reordered in its folded
    /// copy; the Dense layer takes GELU with its pre-activation) and has no pass of its own.
    /// </summary>
    [Fact]
    public void Batch_normalization_folded_into_the_layers_before_it_in_an_inference_only_network()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Normalized;

            [Network(Training = false)]
            [Input(8, 8, 1)]
            [Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "stem")]
            [BatchNormalization(Activation = Activation.ReLU, Name = "stem.bn")]
            [Conv2D(4, 3, Activation.Linear, Padding = Padding.Same, Name = "block.conv")]
            [BatchNormalization(Momentum = 0.01f, Name = "block.bn")]
            [Add("stem.bn", Activation = Activation.ReLU)]
            [MaxPool2D(2)]
            [Flatten]
            [Dense(16)]
            [BatchNormalization(Activation = Activation.Gelu)]
            [Dense(10, Activation.Softmax)]
            public partial class FoldedBatchNorm;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("FoldedBatchNorm", run.Source("Samples.Normalized.FoldedBatchNorm.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Batch_normalization_in_an_inference_only_network_reads_the_running_statistics()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Normalized;

            [Network(Training = false)]
            [Input(5)]
            [BatchNormalization(Epsilon = 1e-3f)]
            [Dense(3, Activation.Sigmoid)]
            public partial class NormalizedInputs;
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("NormalizedInputs", run.Source("Samples.Normalized.NormalizedInputs.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Every_activation()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            namespace Samples.Zoo
            {
                [Network(Loss = Loss.CategoricalCrossEntropy)]
                [Input(4, 3)]
                [Flatten]
                [Dense(9, Activation.ReLU)]
                [Dense(8, Activation.Sigmoid)]
                [Dense(7, Activation.Tanh)]
                [Dense(6, Activation.LeakyReLU, NegativeSlope = 0.1f)]
                [Dense(5, Activation.Gelu)]
                [Dense(4)]
                [Dense(3, Activation.Softmax)]
                internal sealed partial class EveryActivation
                {
                    public int UserMember() => 42;
                }
            }
            """);

        Assertions.CleanRun(run);
        Snapshot.Match("EveryActivation", run.Source("Samples.Zoo.EveryActivation.g.cs"));
        Assertions.SecondRunIsCached(run);
    }

    [Fact]
    public void Mean_squared_error_through_softmax_in_the_global_namespace_nested_in_a_partial_type()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using GenNet;

            public static partial class Models
            {
                [Network(Loss = Loss.MeanSquaredError)]
                [Input(3)]
                [Dense(2, Activation.Softmax)]
                public partial class Tiny;
            }
            """);

        // MSE on softmax probabilities is legal and generated, with a warning that it learns slowly.
        Assert.Null(run.Result.Results.Single().Exception);
        Assert.Equal("GN0013", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Empty(run.CompilationDiagnostics);
        Snapshot.Match("NestedTiny", run.Source("Models.Tiny.g.cs"));
        Assertions.SecondRunIsCached(run);
    }
}
