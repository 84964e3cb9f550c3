using System;

namespace GenNet;

/// <summary>
/// Dropout: while training (<c>ComputeGradients</c>, and so <c>Fit</c>) each value is zeroed with probability
/// <see cref="Rate"/> and the rest are scaled by <c>1 / (1 − rate)</c> ("inverted" dropout, as in Keras and PyTorch), so
/// <c>Forward</c>, <c>Evaluate</c> and <c>Predict</c> pass values through unchanged. The masks are reproducible: they follow
/// from the seed given to <c>InitializeParameters</c>, the number of training steps taken since, and each sample's place in
/// its batch, whatever the thread count.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Declares dropout of the given fraction of values, in [0, 1).</summary>
    public DropoutAttribute(double rate) => Rate = rate;

    /// <summary>The fraction of values zeroed during training.</summary>
    public double Rate { get; }
}
