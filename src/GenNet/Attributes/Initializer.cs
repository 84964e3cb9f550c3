namespace GenNet;

/// <summary>
/// How <c>InitializeParameters</c> fills a layer's weight or bias (Keras's <c>kernel_initializer</c> and
/// <c>bias_initializer</c>), chosen per layer with <c>KernelInitializer</c> and <c>BiasInitializer</c>. The fans are Keras's:
/// a Dense weight [units, inputs] has <c>fanIn</c> = inputs and <c>fanOut</c> = units; a convolution's
/// [filters, channels, kh, kw] has <c>fanIn</c> = channels·kh·kw and <c>fanOut</c> = filters·kh·kw; a bias [n] has both
/// equal to n. The normal variants draw from a normal distribution truncated at two of its standard deviations, scaled so
/// that the standard deviation after truncation is the one named (Keras's <c>VarianceScaling</c>); see
/// <see cref="Initializers"/> for each formula.
/// </summary>
public enum Initializer
{
    /// <summary>U(−l, l) with <c>l = √(6 / (fanIn + fanOut))</c>: Keras's default for kernels, and GenNet's.</summary>
    GlorotUniform = 0,

    /// <summary>Truncated normal with standard deviation <c>√(2 / (fanIn + fanOut))</c>.</summary>
    GlorotNormal = 1,

    /// <summary>Truncated normal with standard deviation <c>√(2 / fanIn)</c>, for ReLU layers.</summary>
    HeNormal = 2,

    /// <summary>U(−l, l) with <c>l = √(6 / fanIn)</c>.</summary>
    HeUniform = 3,

    /// <summary>Truncated normal with standard deviation <c>√(1 / fanIn)</c>.</summary>
    LeCunNormal = 4,

    /// <summary>Every value 0: Keras's default for biases, and GenNet's.</summary>
    Zeros = 5,

    /// <summary>Every value 1.</summary>
    Ones = 6,
}
