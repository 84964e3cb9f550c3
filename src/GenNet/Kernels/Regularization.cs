using System;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace GenNet.Kernels;

/// <summary>
/// Weight penalties for generated networks (Keras's <c>kernel_regularizer=l2(λ)</c>): the penalty <c>λ·Σw²</c> joins the
/// loss and its gradient <c>2λ·w</c> the weight's gradient.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Regularization
{
    /// <summary>The L2 penalty <c>λ·Σw²</c> of <paramref name="weights"/>.</summary>
    public static float L2(ReadOnlySpan<float> weights, float lambda) => lambda * TensorPrimitives.SumOfSquares(weights);

    /// <summary>Adds the L2 penalty's gradient <c>2λ·w</c> to <paramref name="gradient"/> and returns the penalty <c>λ·Σw²</c>.</summary>
    public static float AddL2(ReadOnlySpan<float> weights, Span<float> gradient, float lambda)
    {
        if (gradient.Length != weights.Length)
        {
            throw new ArgumentException($"The gradient has {gradient.Length} floats for {weights.Length} weights.", nameof(gradient));
        }

        TensorPrimitives.MultiplyAdd(weights, 2f * lambda, gradient, gradient);
        return L2(weights, lambda);
    }
}
