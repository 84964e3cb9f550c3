using System;
using System.ComponentModel;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace GenNet.Kernels;

/// <summary>
/// Activation functions and their backward steps, called by generated code. Forward functions work in
/// place on a layer's outputs; backward functions turn the gradient with respect to a layer's outputs
/// (<c>dy</c>) into the gradient with respect to its pre-activations, in place, reading the saved outputs.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Activations
{
    /// <summary><c>y = max(y, 0)</c>.</summary>
    /// <remarks>
    /// Still TensorPrimitives: GenNet's <c>Simd.Map</c> with a select gave the same bits with seven fewer methods to compile on a
    /// network's first call, but ran 1.4–1.6× slower over 32,768 values (ElementwiseKernelBenchmarks, docs/performance.md, Cold start).
    /// </remarks>
    public static void Relu(Span<float> values) => TensorPrimitives.Max(values, 0f, values);

    /// <summary><c>dy *= (y &gt; 0)</c>.</summary>
    public static void ReluBackward(ReadOnlySpan<float> outputs, Span<float> gradient) =>
        Simd.Map(new ReluBackwardOperator(), outputs, gradient);

    /// <summary><c>y = 1 / (1 + e^-y)</c>.</summary>
    public static void Sigmoid(Span<float> values) => TensorPrimitives.Sigmoid(values, values);

    /// <summary><c>dy *= y (1 − y)</c>.</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> outputs, Span<float> gradient) =>
        Simd.Map(new SigmoidBackwardOperator(), outputs, gradient);

    /// <summary><c>y = tanh(y)</c>.</summary>
    public static void Tanh(Span<float> values) => TensorPrimitives.Tanh(values, values);

    /// <summary><c>dy *= 1 − y²</c>.</summary>
    public static void TanhBackward(ReadOnlySpan<float> outputs, Span<float> gradient) =>
        Simd.Map(new TanhBackwardOperator(), outputs, gradient);

    /// <summary><c>y = y &gt; 0 ? y : slope · y</c>.</summary>
    public static void LeakyRelu(Span<float> values, float negativeSlope) =>
        Simd.Map(new LeakyReluOperator(negativeSlope), values);

    /// <summary><c>dy *= y &gt; 0 ? 1 : slope</c> (for a slope ≥ 0, y &gt; 0 exactly where x &gt; 0).</summary>
    public static void LeakyReluBackward(ReadOnlySpan<float> outputs, Span<float> gradient, float negativeSlope) =>
        Simd.Map(new LeakyReluBackwardOperator(negativeSlope), outputs, gradient);

    // Rows up to this wide (a classifier's classes) take the scalar loop below; wider ones TensorPrimitives' vector code.
    private const int ScalarSoftmaxWidth = 32;

    /// <summary>Softmax of each row of <paramref name="width"/> values: subtract the row maximum, exponentiate, normalise.</summary>
    /// <remarks>
    /// A row of up to 32 values takes its maximum, subtraction, sum and scaling in plain loops and only the exponential
    /// from TensorPrimitives: for so few values its vector code is no faster, and its generic instantiations for
    /// <c>Max</c>, <c>Subtract</c>, <c>Sum</c> and <c>Multiply</c> were a fifth of a network's first-call compilation
    /// (docs/performance.md, Cold start).
    /// </remarks>
    public static void Softmax(Span<float> values, int width)
    {
        if (width <= ScalarSoftmaxWidth)
        {
            SoftmaxRows(values, width);
            return;
        }

        for (int start = 0; start < values.Length; start += width)
        {
            Span<float> row = values.Slice(start, width);
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, row);
            TensorPrimitives.Exp(row, row);
            TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum(row), row);
        }
    }

    private static void SoftmaxRows(Span<float> values, int width)
    {
        for (int start = 0; start < values.Length; start += width)
        {
            Span<float> row = values.Slice(start, width);
            float max = float.NegativeInfinity;
            foreach (float value in row)
            {
                max = MathF.Max(max, value); // NaN in, NaN out, as TensorPrimitives.Max
            }

            for (int i = 0; i < row.Length; i++)
            {
                row[i] -= max;
            }

            TensorPrimitives.Exp(row, row); // its vector exp: MathF.Exp one value at a time was a third slower
            float sum = 0f;
            foreach (float value in row)
            {
                sum += value;
            }

            float scale = 1f / sum;
            for (int i = 0; i < row.Length; i++)
            {
                row[i] *= scale;
            }
        }
    }

    /// <summary>Softmax's Jacobian per row: <c>dx = y ⊙ (dy − Σ dy ⊙ y)</c>.</summary>
    public static void SoftmaxBackward(ReadOnlySpan<float> outputs, Span<float> gradient, int width)
    {
        for (int start = 0; start < gradient.Length; start += width)
        {
            ReadOnlySpan<float> y = outputs.Slice(start, width);
            Span<float> dy = gradient.Slice(start, width);
            float dot = TensorPrimitives.Dot(y, dy);
            TensorPrimitives.Subtract(dy, dot, dy);
            TensorPrimitives.Multiply(dy, y, dy);
        }
    }

    private const float GeluScale = 0.7978845608028654f; // √(2/π)
    private const float GeluCubic = 0.044715f;

    /// <summary><c>y = ½ x (1 + tanh(√(2/π) (x + 0.044715 x³)))</c>, from the saved pre-activations <paramref name="inputs"/>.</summary>
    public static void Gelu(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        TensorPrimitives.Multiply(inputs, inputs, outputs);                 // x²
        TensorPrimitives.Multiply(outputs, GeluCubic, outputs);
        TensorPrimitives.Add(outputs, 1f, outputs);                         // 1 + c x²
        TensorPrimitives.Multiply(outputs, inputs, outputs);                // x + c x³
        TensorPrimitives.Multiply(outputs, GeluScale, outputs);             // u
        TensorPrimitives.Tanh(outputs, outputs);                            // t
        TensorPrimitives.Add(outputs, 1f, outputs);                         // 1 + t
        TensorPrimitives.Multiply(outputs, inputs, outputs);                // x (1 + t)
        TensorPrimitives.Multiply(outputs, 0.5f, outputs);
    }

    /// <summary><c>dy *= ½ (1 + t) + ½ x (1 − t²) √(2/π) (1 + 3 · 0.044715 x²)</c> with <c>t = tanh(u)</c>.</summary>
    public static void GeluBackward(ReadOnlySpan<float> inputs, Span<float> gradient)
    {
        if (inputs.Length != gradient.Length)
        {
            throw new ArgumentException($"Spans differ in length: {inputs.Length} and {gradient.Length}.");
        }

        for (int i = 0; i < gradient.Length; i++)
        {
            float x = inputs[i];
            float t = MathF.Tanh(GeluScale * (x + GeluCubic * x * x * x));
            float derivative = 0.5f * (1f + t) + 0.5f * x * (1f - t * t) * GeluScale * (1f + 3f * GeluCubic * x * x);
            gradient[i] *= derivative;
        }
    }

    private readonly struct ReluBackwardOperator : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Invoke<TVector, TWidth>(TVector y, TVector dy)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector> =>
            TWidth.ConditionalSelect(TWidth.GreaterThan(y, TWidth.Zero), dy, TWidth.Zero);
    }

    private readonly struct SigmoidBackwardOperator : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Invoke<TVector, TWidth>(TVector y, TVector dy)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector> =>
            TWidth.Multiply(TWidth.Multiply(dy, y), TWidth.Subtract(TWidth.One, y));
    }

    private readonly struct TanhBackwardOperator : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Invoke<TVector, TWidth>(TVector y, TVector dy)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector> =>
            TWidth.Multiply(dy, TWidth.Subtract(TWidth.One, TWidth.Multiply(y, y)));
    }

    private readonly struct LeakyReluOperator(float slope) : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Invoke<TVector, TWidth>(TVector x)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector> =>
            TWidth.ConditionalSelect(TWidth.GreaterThan(x, TWidth.Zero), x, TWidth.Multiply(x, TWidth.Broadcast(slope)));
    }

    private readonly struct LeakyReluBackwardOperator(float slope) : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Invoke<TVector, TWidth>(TVector y, TVector dy)
            where TVector : struct
            where TWidth : struct, IVectorWidth<TVector> =>
            TWidth.ConditionalSelect(TWidth.GreaterThan(y, TWidth.Zero), dy, TWidth.Multiply(dy, TWidth.Broadcast(slope)));
    }
}
