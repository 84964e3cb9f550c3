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
}
