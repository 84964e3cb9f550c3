using System;

namespace GenNet;

/// <summary>
/// Marks a <c>partial class</c> as a network: GenNet's generator reads the layer attributes on it,
/// in the order written, and generates the forward pass, the backward pass and the parameter layout.
/// </summary>
/// <example>
/// <code>
/// [Network]
/// [Input(28, 28)]
/// [Flatten]
/// [Dense(128, Activation.ReLU)]
/// [Dense(10, Activation.Softmax)]
/// public partial class MnistMlp;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>The loss that <c>ComputeGradients</c> minimises. <see cref="GenNet.Loss.Auto"/> by default.</summary>
    public Loss Loss { get; set; } = Loss.Auto;

    /// <summary>
    /// False for an inference-only network: no backward pass, no gradient arena, and the class implements
    /// <see cref="INetwork"/> but not <see cref="ITrainableNetwork"/>. True by default, except for a network imported from
    /// <see cref="Onnx"/>, which is inference-only unless this is set to true.
    /// </summary>
    public bool Training { get; set; } = true;

    /// <summary>
    /// A safetensors file whose weights the class carries compiled in, such as <c>"mnist.safetensors"</c>: list it in the
    /// project as <c>&lt;GenNetWeights Include="mnist.safetensors" /&gt;</c>. The build checks its tensors against the
    /// declaration; at run time the network starts with these weights and needs no file.
    /// </summary>
    public string? Weights { get; set; }

    /// <summary>
    /// An ONNX model to compile into this class, such as <c>"model.onnx"</c>: list it in the project as
    /// <c>&lt;GenNetOnnx Include="model.onnx" /&gt;</c> and leave the class empty (no [Input] or layer attributes). The build
    /// reads the file, and the generator emits the network it describes with its weights compiled in, as
    /// <see cref="Weights"/> does. Imported networks are inference-only unless <see cref="Training"/> is set to true, which
    /// makes them fine-tunable. docs/onnx-import.md lists the operators GenNet imports.
    /// </summary>
    public string? Onnx { get; set; }

    /// <summary>
    /// The precision in which an inference-only network's compiled-in Dense and convolution weights are stored and multiplied:
    /// <see cref="WeightPrecision.Float32"/> by default. Any other value needs <c>Training = false</c> and a
    /// <see cref="Weights"/> file whose weight matrices have that dtype (write one with
    /// <c>network.Save(path, WeightPrecision.BFloat16)</c>); the build checks both (GN0029 for a trainable network or one
    /// without compiled-in weights, GN0019 for a weight stored in another dtype).
    /// </summary>
    public WeightPrecision WeightPrecision { get; set; } = WeightPrecision.Float32;
}
