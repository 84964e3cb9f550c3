using System;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace GenNet.Kernels;

/// <summary>
/// The fully connected layer's three products, called by generated code with constant sizes.
/// <c>x</c> is [batch, inputs], <c>weight</c> [outputs, inputs] (PyTorch's layout), <c>y</c> and <c>dy</c> [batch, outputs].
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Dense
{
    /// <summary><c>y = x · Wᵀ + b</c>.</summary>
    public static void Forward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
        int batchSize, int inputs, int outputs)
    {
        for (int b = 0; b < batchSize; b++)
        {
            ReadOnlySpan<float> xRow = x.Slice(b * inputs, inputs);
            Span<float> yRow = y.Slice(b * outputs, outputs);
            for (int o = 0; o < outputs; o++)
            {
                yRow[o] = bias[o] + TensorPrimitives.Dot(xRow, weight.Slice(o * inputs, inputs));
            }
        }
    }

    /// <summary>Accumulates <c>dW += dyᵀ · x</c> and <c>db += Σ_batch dy</c>.</summary>
    /// <remarks>Output-major, so each weight-gradient row stays in L1 while the batch streams past it.</remarks>
    public static void BackwardWeights(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> weightGradient, Span<float> biasGradient,
        int batchSize, int inputs, int outputs)
    {
        for (int o = 0; o < outputs; o++)
        {
            Span<float> row = weightGradient.Slice(o * inputs, inputs);
            float biasSum = 0f;
            for (int b = 0; b < batchSize; b++)
            {
                float g = dy[b * outputs + o];
                if (g == 0f)
                {
                    continue; // common after ReLU; adds nothing
                }

                TensorPrimitives.MultiplyAdd(x.Slice(b * inputs, inputs), g, row, row);
                biasSum += g;
            }

            biasGradient[o] += biasSum;
        }
    }

    /// <summary>Writes <c>dx = dy · W</c>.</summary>
    public static void BackwardInput(
        ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, Span<float> dx,
        int batchSize, int inputs, int outputs)
    {
        for (int b = 0; b < batchSize; b++)
        {
            ReadOnlySpan<float> dyRow = dy.Slice(b * outputs, outputs);
            Span<float> dxRow = dx.Slice(b * inputs, inputs);
            dxRow.Clear();
            for (int o = 0; o < outputs; o++)
            {
                float g = dyRow[o];
                if (g != 0f)
                {
                    TensorPrimitives.MultiplyAdd(weight.Slice(o * inputs, inputs), g, dxRow, dxRow);
                }
            }
        }
    }
}
