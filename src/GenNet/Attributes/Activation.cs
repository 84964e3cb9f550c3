namespace GenNet;

/// <summary>The activation a layer applies to its output.</summary>
/// <remarks>The numeric values are part of the generator's contract; append new members at the end.</remarks>
public enum Activation
{
    /// <summary>Identity: <c>f(x) = x</c>.</summary>
    Linear = 0,

    /// <summary>Rectified linear unit: <c>f(x) = max(x, 0)</c>.</summary>
    ReLU = 1,

    /// <summary>Logistic sigmoid: <c>f(x) = 1 / (1 + e^-x)</c>.</summary>
    Sigmoid = 2,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 3,

    /// <summary>Softmax over the layer's outputs (subtracts the maximum first).</summary>
    Softmax = 4,

    /// <summary>Leaky ReLU: <c>f(x) = x</c> for <c>x &gt; 0</c>, otherwise <c>NegativeSlope · x</c> (see <see cref="DenseAttribute.NegativeSlope"/>).</summary>
    LeakyReLU = 5,

    /// <summary>Gaussian error linear unit in its tanh form (PyTorch's <c>GELU(approximate="tanh")</c>).</summary>
    Gelu = 6,
}
