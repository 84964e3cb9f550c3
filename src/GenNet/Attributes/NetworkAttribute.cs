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
}
