using System;

namespace GenNet;

/// <summary>
/// What the merge layers share: the outputs they join and an activation applied to the result. With one name the merge
/// joins the output declared just before it with the named one (in that order); with two or more it joins exactly the
/// named outputs, in the order given.
/// </summary>
public abstract class MergeAttribute : LayerAttribute
{
    private protected MergeAttribute(string[] inputs) => Inputs = inputs;

    /// <summary>The names of the outputs joined (besides the previous one when only one is given).</summary>
    public string[] Inputs { get; }

    /// <summary>The activation applied to the merged values; <see cref="GenNet.Activation.Linear"/> by default.</summary>
    public Activation Activation { get; set; } = Activation.Linear;

    /// <summary>The slope for negative inputs when <see cref="Activation"/> is <see cref="GenNet.Activation.LeakyReLU"/>;
    /// 0.01 by default (PyTorch's). Must be in [0, 1).</summary>
    public float NegativeSlope { get; set; } = 0.01f;
}

/// <summary>
/// Adds outputs of the same shape element by element (Keras's <c>Add</c>; a residual connection's <c>x + F(x)</c>).
/// The backward pass hands the gradient to every input unchanged.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AddAttribute : MergeAttribute
{
    /// <summary>Adds the named outputs (to the previous one when one name is given).</summary>
    public AddAttribute(params string[] inputs)
        : base(inputs)
    {
    }
}

/// <summary>
/// Multiplies outputs of the same shape element by element (Keras's <c>Multiply</c>; a gate's <c>σ(a) · b</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MultiplyAttribute : MergeAttribute
{
    /// <summary>Multiplies the named outputs (with the previous one when one name is given).</summary>
    public MultiplyAttribute(params string[] inputs)
        : base(inputs)
    {
    }
}

/// <summary>
/// Joins outputs along their last axis (Keras's <c>Concatenate</c>): vectors end to end, images [h, w, c] channel-wise
/// (their heights and widths must agree). A <see cref="FlattenAttribute"/> after concatenated images orders the values as
/// PyTorch's <c>torch.cat(dim=1)</c> on NCHW followed by <c>nn.Flatten</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConcatenateAttribute : MergeAttribute
{
    /// <summary>Concatenates the named outputs (after the previous one when one name is given).</summary>
    public ConcatenateAttribute(params string[] inputs)
        : base(inputs)
    {
    }
}
