namespace GenNet.Tests.Networks;

// Networks compiled from ONNX files (docs/onnx-import.md): tests/fixtures/onnx/gennet_NAME.onnx is what SaveOnnx writes
// for the gradient suite's network NAME with OnnxImportTests.FixtureSeed's parameters (OnnxImportTests checks the files
// are current). The inference-only ones are imported as they come; the others with Training = true, which is also the
// declaration of their source, so that both run the same code (an inference-only network folds a BatchNorm into the
// layer before it, which rounds differently).

[Network(Onnx = "../fixtures/onnx/gennet_MnistMlp.onnx")]
public partial class ImportedMnistMlp;

[Network(Onnx = "../fixtures/onnx/gennet_MnistConvSmall.onnx")]
public partial class ImportedMnistConvSmall;

[Network(Onnx = "../fixtures/onnx/gennet_BatchNormResidual.onnx", Training = true)]
public partial class ImportedBatchNormResidual;

[Network(Onnx = "../fixtures/onnx/gennet_GraphConcatenateBranches.onnx", Training = true)]
public partial class ImportedGraphConcatenateBranches;

[Network(Onnx = "../fixtures/onnx/gennet_GraphMultiplyGate.onnx", Training = true)]
public partial class ImportedGraphMultiplyGate;

[Network(Onnx = "../fixtures/onnx/gennet_GraphTwoInputs.onnx", Training = true)]
public partial class ImportedGraphTwoInputs;

[Network(Onnx = "../fixtures/onnx/gennet_LstmSeventeen.onnx", Training = true)]
public partial class ImportedLstmSeventeen;

[Network(Onnx = "../fixtures/onnx/gennet_GruAfterConv.onnx", Training = true)]
public partial class ImportedGruAfterConv;

[Network(Onnx = "../fixtures/onnx/gennet_RnnStacked.onnx", Training = true)]
public partial class ImportedRnnStacked;

[Network(Onnx = "../fixtures/onnx/gennet_EmbeddingLstm.onnx", Training = true)]
public partial class ImportedEmbeddingLstm;

[Network(Onnx = "../fixtures/onnx/gennet_SequenceSeventeen.onnx", Training = true)]
public partial class ImportedSequenceSeventeen;

[Network(Onnx = "../fixtures/onnx/gennet_DepthwiseSameStrideTwo.onnx", Training = true)]
public partial class ImportedDepthwiseSameStrideTwo;

[Network(Onnx = "../fixtures/onnx/gennet_LayerNormResidual.onnx", Training = true)]
public partial class ImportedLayerNormResidual;

[Network(Onnx = "../fixtures/onnx/gennet_GeluMse17.onnx", Training = true)]
public partial class ImportedGeluMse17;

[Network(Onnx = "../fixtures/onnx/gennet_LeakyReLUMse17.onnx", Training = true)]
public partial class ImportedLeakyReLUMse17;

[Network(Onnx = "../fixtures/onnx/gennet_GlobalPoolResidual.onnx", Training = true)]
public partial class ImportedGlobalPoolResidual;

[Network(Onnx = "../fixtures/onnx/gennet_AdaptedImage.onnx", Training = true)]
public partial class ImportedAdaptedImage;

[Network(Onnx = "../fixtures/onnx/gennet_AdaptedEnds.onnx", Training = true)]
public partial class ImportedAdaptedEnds;

[Network(Onnx = "../fixtures/onnx/gennet_SeparableSameStrideTwo.onnx", Training = true)]
public partial class ImportedSeparableSameStrideTwo;

[Network(Onnx = "../fixtures/onnx/gennet_SeparableSeventeen.onnx", Training = true)]
public partial class ImportedSeparableSeventeen;
