using GenNet.Generator.Model;

namespace GenNet.Generator.Emit;

/// <summary>Writes MaxPool2D and AveragePool2D layers: a forward/backward pair that calls the pooling kernels with constant geometry.</summary>
internal static class PoolEmitter
{
    private const string Kernels = DenseEmitter.Kernels;

    public static void EmitMethods(SourceWriter w, LayerPlan layer, bool training)
    {
        WindowPlan window = layer.Window!;
        string name = LayerNames.Pascal(layer);
        bool max = layer.Kind == LayerKind.MaxPool2D;
        string geometry = ConvEmitter.Geometry(window);
        string what = max ? "maximum" : "mean";
        string remembers = max && training ? "; remembers where each maximum was" : "";
        w.Line($"// {layer.Name}: {Format.Shape(layer.InputShape)} → {Format.Shape(layer.OutputShape)}, the {what} of each {ConvEmitter.Describe(window, "window")}{remembers}.");
        if (max)
        {
            w.Line($"private static void {name}Forward(global::System.ReadOnlySpan<float> x, global::System.Span<float> y, global::System.Span<int> argmax, int batchSize) =>");
            w.Line($"    {Kernels}.Pool.MaxForward(x, y, argmax, {geometry});");
        }
        else
        {
            w.Line($"private static void {name}Forward(global::System.ReadOnlySpan<float> x, global::System.Span<float> y, int batchSize) =>");
            w.Line($"    {Kernels}.Pool.AverageForward(x, y, {geometry});");
        }

        if (!training || !layer.NeedsInputGradient)
        {
            return;
        }

        w.Line();
        if (max)
        {
            w.Line($"// {layer.Name} backward: each gradient goes to the input that held its window's maximum.");
            w.Line($"private static void {name}Backward(global::System.ReadOnlySpan<float> dy, global::System.ReadOnlySpan<int> argmax, global::System.Span<float> dx, int batchSize) =>");
            w.Line($"    {Kernels}.Pool.MaxBackward(dy, argmax, dx, batchSize, {Format.Int(layer.InputSize)}, {Format.Int(layer.OutputSize)});");
        }
        else
        {
            w.Line($"// {layer.Name} backward: each gradient is shared equally by the inputs of its window.");
            w.Line($"private static void {name}Backward(global::System.ReadOnlySpan<float> dy, global::System.Span<float> dx, int batchSize) =>");
            w.Line($"    {Kernels}.Pool.AverageBackward(dy, dx, {geometry});");
        }
    }

    /// <summary>The call in <c>Propagate</c>.</summary>
    public static void EmitForwardCall(SourceWriter w, LayerPlan layer, string input)
    {
        w.Line($"global::System.Span<float> {layer.Variable} = scratch.Slice({LayerNames.Output(layer)} * batchSize, {Format.Int(layer.OutputSize)} * batchSize);");
        string argmax = layer.Kind != LayerKind.MaxPool2D ? "" : layer.SavedOffset >= 0 ? $"{Argmax(layer)}, " : "argmax: default, ";
        w.Line($"{LayerNames.Pascal(layer)}Forward({input}, {layer.Variable}, {argmax}batchSize);");
    }

    /// <summary>The call in <c>Backpropagate</c>.</summary>
    public static void EmitBackwardCall(SourceWriter w, LayerPlan layer, string dy, string dx)
    {
        string argmax = layer.Kind == LayerKind.MaxPool2D ? $"{Argmax(layer)}, " : "";
        w.Line($"{LayerNames.Pascal(layer)}Backward({dy}.Slice(0, {Format.Int(layer.OutputSize)} * batchSize), {argmax}{dx}.Slice(0, {Format.Int(layer.InputSize)} * batchSize), batchSize);");
    }

    private static string Argmax(LayerPlan layer) =>
        $"global::System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(scratch.Slice({LayerNames.Saved(layer)} * batchSize, {Format.Int(layer.OutputSize)} * batchSize))";
}
