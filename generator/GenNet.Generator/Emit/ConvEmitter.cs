using GenNet.Generator.Model;

namespace GenNet.Generator.Emit;

/// <summary>
/// Writes a Conv2D layer as im2col feeding the Dense GEMM tiles: each output position's window becomes a row of a
/// [batch·positions, channels·kh·kw] matrix in the weight's own (channel, ky, kx) order, so <c>y = columns · Wᵀ + b</c>
/// is exactly a Dense layer over the positions, and its backward is the Dense backward followed by col2im.
/// A 1×1 kernel at stride 1 without padding needs no im2col: the image already is that matrix.
/// </summary>
internal static class ConvEmitter
{
    private const string Kernels = DenseEmitter.Kernels;

    /// <param name="columnsFresh">The backward pass finds the im2col matrix as the forward pass left it (the last convolution).</param>
    public static void EmitMethods(SourceWriter w, LayerPlan layer, bool training, bool columnsFresh)
    {
        WindowPlan window = layer.Window!;
        string name = LayerNames.Pascal(layer);
        string filters = Format.Int(layer.Units);
        string patch = Format.Int(window.PatchSize);
        string rows = $"batchSize * {Format.Int(window.Pixels)}";
        string weight = $"parameters.Slice({LayerNames.Weight(layer)}, {filters} * {patch})";
        string bias = $"parameters.Slice({LayerNames.Bias(layer)}, {filters})";
        string weightGradient = $"gradients.Slice({LayerNames.Weight(layer)}, {filters} * {patch})";
        string biasGradient = $"gradients.Slice({LayerNames.Bias(layer)}, {filters})";
        bool gelu = layer.Activation == ActivationKind.Gelu;
        bool im2col = !window.InputIsColumns;
        bool reordered = layer.KernelOffset >= 0;
        string columns = im2col ? "columns" : "x";
        string im2colKernel = reordered ? "Im2ColChannelsLast" : "Im2Col";
        string col2imKernel = reordered ? "Col2ImChannelsLast" : "Col2Im";
        string kernel = reordered ? $"global::System.MemoryExtensions.AsSpan(_kernels, {LayerNames.Kernel(layer)}, {filters} * {patch})" : weight;

        w.Line($"// {layer.Name}: {Format.Shape(layer.InputShape)} → {Format.Shape(layer.OutputShape)}, {Format.Activation(layer.Activation)}; " +
               $"{Describe(window, "kernel")}. weight [{string.Join(", ", layer.WeightShape)}], bias [{filters}].");
        w.Line(!im2col
            ? $"// As a product: the 1×1 kernel makes x itself the matrix [batch·{Format.Int(window.Pixels)}, {patch}]; y = x · Wᵀ + b, no im2col."
            : reordered
                ? $"// As a product: columns [batch·{Format.Int(window.Pixels)}, {patch}] (im2col: a row per output position in the image's (ky, kx, channel) order, a copy per window row) · the reordered Wᵀ → y [batch·{Format.Int(window.Pixels)}, {filters}]."
                : $"// As a product: columns [batch·{Format.Int(window.Pixels)}, {patch}] (im2col: a row per output position, in the weight's (channel, ky, kx) order) · Wᵀ → y [batch·{Format.Int(window.Pixels)}, {filters}].");
        string forwardSignature = $"private void {name}Forward(global::System.ReadOnlySpan<float> x, " +
            (im2col ? "global::System.Span<float> columns, " : "") +
            (gelu ? "global::System.Span<float> z, " : "") +
            "global::System.Span<float> y, int batchSize)";
        using (w.Block(forwardSignature))
        {
            w.Line("global::System.ReadOnlySpan<float> parameters = ParameterValues;");
            if (im2col)
            {
                w.Line($"{Kernels}.Conv.{im2colKernel}(x, columns, {Geometry(window)});");
            }

            w.Line($"{Kernels}.Dense.Forward({columns}, {kernel}, {bias}, {(gelu ? "z" : "y")}, {rows}, {patch}, {filters});");
            DenseEmitter.EmitActivation(w, layer);
        }

        if (!training)
        {
            return;
        }

        w.Line();
        string columnsNote = columnsFresh ? "the columns are still those of the forward pass (no convolution ran since); " : "the columns are rebuilt from x; ";
        string rest = layer.NeedsInputGradient
            ? im2col
                ? columnsNote + "dW += dzᵀ·columns, db += Σ dz; dcolumns = dz·W (into the same buffer), dx = col2im(dcolumns)"
                : "dW += dzᵀ·x, db += Σ dz, dx = dz·W"
            : im2col
                ? columnsNote + "dW += dzᵀ·columns, db += Σ dz (first layer: no dx)"
                : "dW += dzᵀ·x, db += Σ dz (first layer: no dx)";
        if (reordered)
        {
            rest = rest.Replace("dW += dzᵀ·columns", "dW' = dzᵀ·columns (reordered) is added to dW in PyTorch's layout").Replace("dz·W", "dz·W'");
        }

        w.Line($"// {layer.Name} backward: {DenseEmitter.ActivationBackwardComment(layer)}; {rest}.");
        string backwardSignature = $"private void {name}Backward(" + (im2col && columnsFresh ? "" : "global::System.ReadOnlySpan<float> x, ") +
            (DenseEmitter.Saved(layer) is { } savedName ? $"global::System.ReadOnlySpan<float> {savedName}, " : "") +
            "global::System.Span<float> dy, " +
            (im2col ? "global::System.Span<float> columns, " : "") +
            (layer.NeedsInputGradient ? "global::System.Span<float> dx, " : "") +
            (reordered ? "global::System.Span<float> kernelGradient, " : "") +
            "int batchSize, global::System.Span<float> gradients)";
        using (w.Block(backwardSignature))
        {
            if (layer.NeedsInputGradient && !reordered)
            {
                w.Line("global::System.ReadOnlySpan<float> parameters = ParameterValues;");
            }

            DenseEmitter.EmitActivationBackward(w, layer);
            if (im2col && !columnsFresh)
            {
                w.Line($"{Kernels}.Conv.{im2colKernel}(x, columns, {Geometry(window)});");
            }

            if (reordered)
            {
                w.Line("kernelGradient.Clear();");
                w.Line($"{Kernels}.Dense.BackwardWeights(dy, {columns}, kernelGradient, {biasGradient}, {rows}, {patch}, {filters});");
                w.Line($"{Kernels}.Conv.AddFromChannelsLastKernel(kernelGradient, {weightGradient}, {filters}, {Format.Int(window.Channels)}, {Format.Int(window.WindowHeight)}, {Format.Int(window.WindowWidth)});");
            }
            else
            {
                w.Line($"{Kernels}.Dense.BackwardWeights(dy, {columns}, {weightGradient}, {biasGradient}, {rows}, {patch}, {filters});");
            }

            if (layer.NeedsInputGradient && im2col)
            {
                w.Line($"{Kernels}.Dense.BackwardInput(dy, {kernel}, columns, {rows}, {patch}, {filters});");
                w.Line($"{Kernels}.Conv.{col2imKernel}(columns, dx, {Geometry(window)});");
            }
            else if (layer.NeedsInputGradient)
            {
                w.Line($"{Kernels}.Dense.BackwardInput(dy, {weight}, dx, {rows}, {patch}, {filters});");
            }
        }
    }

    /// <summary>The call in <c>Propagate</c>.</summary>
    public static void EmitForwardCall(SourceWriter w, LayerPlan layer, string input)
    {
        string outputs = Format.Int(layer.OutputSize);
        w.Line($"global::System.Span<float> {layer.Variable} = scratch.Slice({LayerNames.Output(layer)} * batchSize, {outputs} * batchSize);");
        string columns = layer.Window!.InputIsColumns ? "" : $"{ColumnsSlice(layer)}, ";
        string z = layer.Activation == ActivationKind.Gelu ? $"scratch.Slice({LayerNames.PreActivation(layer)} * batchSize, {outputs} * batchSize), " : "";
        w.Line($"{LayerNames.Pascal(layer)}Forward({input}, {columns}{z}{layer.Variable}, batchSize);");
    }

    /// <summary>The call in <c>Backpropagate</c>.</summary>
    public static void EmitBackwardCall(SourceWriter w, LayerPlan layer, string input, string dy, string dx, bool columnsFresh)
    {
        string x = layer.Window!.InputIsColumns || !columnsFresh ? $"{input}, " : "";
        string outputs = Format.Int(layer.OutputSize);
        string saved = DenseEmitter.Saved(layer) switch
        {
            "z" => $"scratch.Slice({LayerNames.PreActivation(layer)} * batchSize, {outputs} * batchSize), ",
            "y" => $"scratch.Slice({LayerNames.Output(layer)} * batchSize, {outputs} * batchSize), ",
            _ => "",
        };
        string columns = layer.Window!.InputIsColumns ? "" : $"{ColumnsSlice(layer)}, ";
        string dxArgument = layer.NeedsInputGradient ? $"{dx}.Slice(0, {Format.Int(layer.InputSize)} * batchSize), " : "";
        string kernelGradient = layer.KernelOffset >= 0 ? $"kernelGradient.Slice(0, {Format.Int(layer.WeightCount)}), " : "";
        w.Line($"{LayerNames.Pascal(layer)}Backward({x}{saved}{dy}.Slice(0, {outputs} * batchSize), {columns}{dxArgument}{kernelGradient}batchSize, gradients);");
    }

    private static string ColumnsSlice(LayerPlan layer) => $"scratch.Slice(Columns * batchSize, {Format.Int(layer.Window!.ColumnsPerSample)} * batchSize)";

    /// <summary>The kernel's geometry arguments: batch, input image, window, stride, padding, output size.</summary>
    public static string Geometry(WindowPlan window) =>
        $"batchSize, {Format.Int(window.Height)}, {Format.Int(window.Width)}, {Format.Int(window.Channels)}, " +
        $"{Format.Int(window.WindowHeight)}, {Format.Int(window.WindowWidth)}, {Format.Int(window.Stride)}, " +
        $"{Format.Int(window.PadTop)}, {Format.Int(window.PadLeft)}, {Format.Int(window.OutHeight)}, {Format.Int(window.OutWidth)}";

    /// <summary>"3×3 kernel, stride 1, valid padding" or, padded, "…, same padding (1 top, 1 left)".</summary>
    public static string Describe(WindowPlan window, string what)
    {
        string padding = window.Padding == PaddingKind.Valid
            ? "valid padding"
            : $"same padding ({Format.Int(window.PadTop)} top, {Format.Int(window.PadLeft)} left)";
        return $"{Format.Int(window.WindowHeight)}×{Format.Int(window.WindowWidth)} {what}, stride {Format.Int(window.Stride)}, {padding}";
    }
}
