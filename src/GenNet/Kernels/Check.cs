using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

namespace GenNet.Kernels;

/// <summary>Argument checks for generated code; each failure names the network and the numbers involved.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Check
{
    /// <summary>Checks one sample's input and output spans.</summary>
    public static void Sample(string network, ReadOnlySpan<float> input, Span<float> output, int inputSize, int outputSize)
    {
        if (input.Length != inputSize)
        {
            Throw($"{network} takes {inputSize} input floats per sample, but the input span has {input.Length}.", nameof(input));
        }

        if (output.Length != outputSize)
        {
            Throw($"{network} writes {outputSize} output floats per sample, but the output span has {output.Length}.", nameof(output));
        }
    }

    /// <summary>Checks a batch's size and its input span.</summary>
    public static void Batch(string network, ReadOnlySpan<float> inputs, int batchSize, int inputSize)
    {
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"{network}: the batch size must be positive.");
        }

        long expected = (long)batchSize * inputSize;
        if (inputs.Length != expected)
        {
            Throw($"{network} needs batchSize × InputSize = {batchSize} × {inputSize} = {expected} input floats, but the inputs span has {inputs.Length}.", nameof(inputs));
        }
    }

    /// <summary>Checks a per-sample span (outputs or targets) against the batch size.</summary>
    public static void PerSample(string network, int length, int batchSize, int width, string parameterName)
    {
        long expected = (long)batchSize * width;
        if (length != expected)
        {
            Throw($"{network} needs batchSize × {width} = {batchSize} × {width} = {expected} floats in {parameterName}, but the span has {length}.", parameterName);
        }
    }

    /// <summary>Checks that there is one label per sample and each is in [0, <paramref name="classes"/>).</summary>
    public static void Labels(string network, ReadOnlySpan<int> labels, int batchSize, int classes)
    {
        if (labels.Length != batchSize)
        {
            Throw($"{network} needs one label per sample: {batchSize}, but the labels span has {labels.Length}.", nameof(labels));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i],
                    $"{network}: label {labels[i]} of sample {i} is outside [0, {classes - 1}].");
            }
        }
    }

    [DoesNotReturn]
    private static void Throw(string message, string parameterName) => throw new ArgumentException(message, parameterName);
}
