using System;

namespace GenNet;

/// <summary>
/// Keras's <c>Masking(mask_value)</c> for float sequences padded up to the declared length: a step whose every feature equals
/// <see cref="Value"/> is padding. The layer passes real steps through, outputs zero at padded ones, and its output carries
/// a step mask that the LSTM, GRU or SimpleRNN right after it reads: a padded step carries the state over unchanged and its
/// sequence output is zero, so a sequence padded before, after or between its steps gives the outputs and gradients it
/// would give alone.
/// </summary>
/// <remarks>
/// It reads a sequence [steps, features] and must be followed directly by a recurrent layer (GN0030 otherwise), which
/// passes the mask on through <c>ReturnSequences</c> to a recurrent layer after it. No parameters; its gradient is the
/// incoming one at real steps and zero at padded ones. The default names are Keras's: <c>masking</c>, <c>masking_1</c>, ….
/// For token ids use <c>[Embedding(…, MaskZero = true)]</c> instead.
/// </remarks>
/// <example>
/// <code>
/// [Network]
/// [Input(50, 3)]       // up to 50 steps of 3 features, padded with zeros
/// [Masking]
/// [GRU(32)]
/// [Dense(1, Activation.Sigmoid)]
/// public partial class Trajectories;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaskingAttribute : LayerAttribute
{
    /// <summary>Declares masking of steps whose features are all 0, Keras's default.</summary>
    public MaskingAttribute()
    {
    }

    /// <summary>Declares masking of steps whose features all equal <paramref name="value"/> (a finite number).</summary>
    public MaskingAttribute(float value) => Value = value;

    /// <summary>The value that marks a padded step when every feature of the step has it.</summary>
    public float Value { get; }
}
