using System;

namespace GenNet;

/// <summary>
/// A fully connected layer: <c>y = activation(x · Wᵀ + b)</c> with <c>W</c> of shape [units, inputs]
/// (PyTorch's <c>nn.Linear</c> layout, stored as <c>dense_N.weight</c> and <c>dense_N.bias</c>).
/// Its input must be one-dimensional; put <see cref="FlattenAttribute"/> before it otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>Declares a dense layer with <paramref name="units"/> outputs.</summary>
    public DenseAttribute(int units, Activation activation = Activation.Linear)
    {
        Units = units;
        Activation = activation;
    }

    /// <summary>The number of outputs.</summary>
    public int Units { get; }

    /// <summary>The activation applied to the outputs.</summary>
    public Activation Activation { get; }

    /// <summary>The slope for negative inputs when <see cref="Activation"/> is <see cref="GenNet.Activation.LeakyReLU"/>;
    /// 0.01 by default (PyTorch's). Must be in [0, 1).</summary>
    public float NegativeSlope { get; set; } = 0.01f;

    /// <summary>
    /// How <c>InitializeParameters</c> fills the weight; <see cref="Initializer.GlorotUniform"/> by default (Keras's).
    /// The fans are inputs (in) and units (out); each formula is on <see cref="Initializer"/>.
    /// </summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>How <c>InitializeParameters</c> fills the bias; <see cref="Initializer.Zeros"/> by default (Keras's).</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;

    /// <summary>
    /// λ of an L2 penalty on the weight, Keras's <c>kernel_regularizer=l2(λ)</c>: <c>λ·Σw²</c> is added to the batch's
    /// mean loss that <c>ComputeGradients</c>, <c>Fit</c> and <c>Evaluate</c> report, and <c>2λ·w</c> to the weight's
    /// gradient. 0 (the default) adds nothing. Must be finite and not negative.
    /// </summary>
    public float KernelRegularizerL2 { get; set; }

    /// <summary>λ of an L2 penalty on the bias, Keras's <c>bias_regularizer=l2(λ)</c>, as <see cref="KernelRegularizerL2"/> is on the weight.</summary>
    public float BiasRegularizerL2 { get; set; }
}
