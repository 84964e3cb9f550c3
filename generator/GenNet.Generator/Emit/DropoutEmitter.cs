using GenNet.Generator.Model;

namespace GenNet.Generator.Emit;

/// <summary>
/// Writes a Dropout layer of a trainable network. Forward passes values through (the layer is skipped); a training step
/// draws a mask per sample from the network's seed, the step count, the layer and the sample's place in the batch.
/// </summary>
internal static class DropoutEmitter
{
    private const string Kernels = DenseEmitter.Kernels;

    public static void EmitMethods(SourceWriter w, LayerPlan layer)
    {
        string rate = Format.Float(layer.Rate);
        string shown = layer.Rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        string scale = (1.0 / (1.0 - layer.Rate)).ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
        w.Line($"// {layer.Name}: {Format.Shape(layer.InputShape)}, rate {shown}: in training steps each value is zeroed with probability {shown} and the rest scaled by {scale}; Forward skips it.");
        w.Line($"private void {LayerNames.Pascal(layer)}Forward(global::System.ReadOnlySpan<float> x, global::System.Span<float> mask, global::System.Span<float> y, int batchSize, int firstSample) =>");
        w.Line($"    {Kernels}.Dropout.Forward(x, mask, y, batchSize, {Format.Int(layer.InputSize)}, _dropoutSeed, _dropoutStep, layer: {Format.Int(layer.KindIndex)}, firstSample, {rate});");
    }

    /// <summary>The code in <c>Propagate</c>: the layer acts only in training steps.</summary>
    public static void EmitForwardCall(SourceWriter w, LayerPlan layer, string input)
    {
        string size = Format.Int(layer.InputSize);
        w.Line($"global::System.ReadOnlySpan<float> {layer.Variable} = {input};");
        using (w.Block("if (training)"))
        {
            w.Line($"global::System.Span<float> dropped = scratch.Slice({LayerNames.Output(layer)} * batchSize, {size} * batchSize);");
            w.Line($"{LayerNames.Pascal(layer)}Forward({input}, scratch.Slice({LayerNames.Saved(layer)} * batchSize, {size} * batchSize), dropped, batchSize, firstSample);");
            w.Line($"{layer.Variable} = dropped;");
        }
    }

    /// <summary>The code in <c>Backpropagate</c>: dx = dy · mask, in place.</summary>
    public static void EmitBackwardCall(SourceWriter w, LayerPlan layer, string dy)
    {
        string size = Format.Int(layer.InputSize);
        w.Line($"{Kernels}.Dropout.Backward(scratch.Slice({LayerNames.Saved(layer)} * batchSize, {size} * batchSize), {dy}.Slice(0, {size} * batchSize)); // {layer.Name}: dx = dy · mask");
    }
}
