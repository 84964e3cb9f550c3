namespace GenNet.Generator.Layers;

/// <summary>
/// A step mask that a layer's output carries, for sequences padded up to the declared length: a block of [steps, batch]
/// floats in the activation arena (1 a real step, 0 padding) that its producer writes in its forward pass and a
/// recurrent layer reads (see GenNet.Kernels.Masking).
/// </summary>
/// <param name="Constant">The generated scratch constant of the block: <c>Embedding0Mask</c>.</param>
/// <param name="Producer">The name of the layer that computes it, for comments and messages.</param>
/// <param name="Variable">The producer's variable: <c>{Variable}Mask</c> is the mask's value in the ONNX description.</param>
/// <param name="Rule">What makes a step padding, for comments: "token id 0".</param>
/// <param name="PassedOn">Carried on by a recurrent layer's sequence output, which is zero at padded steps: any layer may read
/// it then, and only a recurrent one reads its mask. A mask straight from its producer must reach a recurrent layer (GN0030).</param>
internal sealed record StepMask(string Constant, string Producer, string Variable, string Rule, bool PassedOn = false)
{
    /// <summary>The mask's span in a method over <c>scratch</c>, with a comment.</summary>
    public string Declaration(int steps) =>
        $"{Emit.Format.ReadOnlySpan} mask = scratch.Slice({Constant} * batchSize, {Emit.Format.Int(steps)} * batchSize); // {Producer}'s step mask [{Emit.Format.Int(steps)}, batch]: 0 where padding ({Rule})";

    /// <summary>The ONNX description's value of the mask, [batch, steps] floats.</summary>
    public string OnnxValue => Variable + "Mask";
}
