using System;

namespace GenNet;

/// <summary>
/// What every layer attribute has: a name for its output and, when it should not read the layer declared just before it,
/// the name of the output it reads. Together they declare any directed acyclic graph of layers, as Keras's functional API
/// does; a plain list of layers stays a chain.
/// </summary>
/// <example>
/// A residual block: the third layer's output is added to the first one's.
/// <code>
/// [Network]
/// [Input(64)]
/// [Dense(64, Activation.ReLU, Name = "h")]
/// [Dense(64, Activation.ReLU)]
/// [Dense(64)]
/// [Add("h", Activation = Activation.ReLU)]
/// [Dense(10, Activation.Softmax)]
/// public partial class ResidualMlp;
/// </code>
/// </example>
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// Names this layer's output, so that a later layer can read it (<see cref="From"/>, or a merge's inputs). A layer with
    /// parameters also stores them under this name (<c>Name = "encoder"</c> gives <c>encoder.weight</c> and
    /// <c>encoder.bias</c>), so PyTorch's state_dict keys can be matched (dots are allowed: <c>"block.conv1"</c>).
    /// Unnamed layers are called as Keras and earlier GenNet versions call them: <c>dense_0</c>, <c>conv_1</c>, <c>flatten</c>.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// The earlier output this layer reads: a layer's or an input's name. By default a layer reads the layer or
    /// <see cref="InputAttribute"/> declared just before it.
    /// </summary>
    public string? From { get; set; }
}
