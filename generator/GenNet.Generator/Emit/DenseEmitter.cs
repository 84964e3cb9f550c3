using GenNet.Generator.Model;

namespace GenNet.Generator.Emit;

/// <summary>Writes a Dense layer: its forward/backward method pair and the calls that wire it in.</summary>
internal static class DenseEmitter
{
    internal const string Kernels = "global::GenNet.Kernels";

    public static void EmitMethods(SourceWriter w, LayerPlan layer, bool training)
    {
        string name = LayerNames.Pascal(layer);
        string inputs = Format.Int(layer.InputSize);
        string outputs = Format.Int(layer.OutputSize);
        string weight = $"parameters.Slice({LayerNames.Weight(layer)}, {outputs} * {inputs})";
        string bias = $"parameters.Slice({LayerNames.Bias(layer)}, {outputs})";
        string weightGradient = $"gradients.Slice({LayerNames.Weight(layer)}, {outputs} * {inputs})";
        string biasGradient = $"gradients.Slice({LayerNames.Bias(layer)}, {outputs})";
        bool gelu = layer.Activation == ActivationKind.Gelu;

        w.Line($"// {layer.Name}: {Format.Shape(layer.InputShape)} → {Format.Shape(layer.OutputShape)}, {Format.Activation(layer.Activation)}. " +
               $"weight [{outputs}, {inputs}], bias [{outputs}]; x [batch, {inputs}], y [batch, {outputs}].");
        string forwardSignature = gelu
            ? $"private void {name}Forward(global::System.ReadOnlySpan<float> x, global::System.Span<float> z, global::System.Span<float> y, int batchSize)"
            : $"private void {name}Forward(global::System.ReadOnlySpan<float> x, global::System.Span<float> y, int batchSize)";
        using (w.Block(forwardSignature))
        {
            w.Line("global::System.ReadOnlySpan<float> parameters = ParameterValues;");
            string target = gelu ? "z" : "y";
            w.Line($"{Kernels}.Dense.Forward(x, {weight}, {bias}, {target}, batchSize, {inputs}, {outputs});");
            EmitActivation(w, layer);
        }

        if (!training)
        {
            return;
        }

        w.Line();
        w.Line(BackwardComment(layer));
        string backwardSignature = $"private void {name}Backward(global::System.ReadOnlySpan<float> x, " +
            (Saved(layer) is { } savedName ? $"global::System.ReadOnlySpan<float> {savedName}, " : "") +
            "global::System.Span<float> dy, " +
            (layer.NeedsInputGradient ? "global::System.Span<float> dx, " : "") +
            "int batchSize, global::System.Span<float> gradients)";
        using (w.Block(backwardSignature))
        {
            if (layer.NeedsInputGradient)
            {
                w.Line("global::System.ReadOnlySpan<float> parameters = ParameterValues;");
            }

            EmitActivationBackward(w, layer);
            w.Line($"{Kernels}.Dense.BackwardWeights(dy, x, {weightGradient}, {biasGradient}, batchSize, {inputs}, {outputs});");
            if (layer.NeedsInputGradient)
            {
                w.Line($"{Kernels}.Dense.BackwardInput(dy, {weight}, dx, batchSize, {inputs}, {outputs});");
            }
        }
    }

    /// <summary>The call in <c>Propagate</c>; <paramref name="input"/> names the span holding this layer's input.</summary>
    public static void EmitForwardCall(SourceWriter w, LayerPlan layer, string input)
    {
        string outputs = Format.Int(layer.OutputSize);
        w.Line($"global::System.Span<float> {layer.Variable} = scratch.Slice({LayerNames.Output(layer)} * batchSize, {outputs} * batchSize);");
        if (layer.Activation == ActivationKind.Gelu)
        {
            w.Line($"{LayerNames.Pascal(layer)}Forward({input}, scratch.Slice({LayerNames.PreActivation(layer)} * batchSize, {outputs} * batchSize), {layer.Variable}, batchSize);");
        }
        else
        {
            w.Line($"{LayerNames.Pascal(layer)}Forward({input}, {layer.Variable}, batchSize);");
        }
    }

    /// <summary>The call in <c>Backpropagate</c>: <paramref name="dy"/> holds dL/dy; <paramref name="dx"/> receives dL/dx.</summary>
    public static void EmitBackwardCall(SourceWriter w, LayerPlan layer, string input, string dy, string dx)
    {
        string outputs = Format.Int(layer.OutputSize);
        string saved = Saved(layer) switch
        {
            "z" => $"scratch.Slice({LayerNames.PreActivation(layer)} * batchSize, {outputs} * batchSize), ",
            "y" => $"scratch.Slice({LayerNames.Output(layer)} * batchSize, {outputs} * batchSize), ",
            _ => "",
        };
        string dyArgument = $"{dy}.Slice(0, {outputs} * batchSize)";
        string dxArgument = layer.NeedsInputGradient ? $"{dx}.Slice(0, {Format.Int(layer.InputSize)} * batchSize), " : "";
        w.Line($"{LayerNames.Pascal(layer)}Backward({input}, {saved}{dyArgument}, {dxArgument}batchSize, gradients);");
    }

    /// <summary>What the activation's backward reads: "y" (the outputs), "z" (GELU's pre-activations) or nothing.</summary>
    internal static string? Saved(LayerPlan layer) =>
        layer.FusedWithLoss || layer.Activation == ActivationKind.Linear ? null :
        layer.Activation == ActivationKind.Gelu ? "z" : "y";

    internal static void EmitActivation(SourceWriter w, LayerPlan layer)
    {
        string outputs = Format.Int(layer.OutputSize);
        switch (layer.Activation)
        {
            case ActivationKind.ReLU: w.Line($"{Kernels}.Activations.Relu(y);"); break;
            case ActivationKind.Sigmoid: w.Line($"{Kernels}.Activations.Sigmoid(y);"); break;
            case ActivationKind.Tanh: w.Line($"{Kernels}.Activations.Tanh(y);"); break;
            case ActivationKind.Softmax: w.Line($"{Kernels}.Activations.Softmax(y, {outputs});"); break;
            case ActivationKind.LeakyReLU: w.Line($"{Kernels}.Activations.LeakyRelu(y, {Format.Float(layer.NegativeSlope)});"); break;
            case ActivationKind.Gelu: w.Line($"{Kernels}.Activations.Gelu(z, y);"); break;
        }
    }

    internal static void EmitActivationBackward(SourceWriter w, LayerPlan layer)
    {
        if (layer.FusedWithLoss)
        {
            return; // the loss already wrote dL/dz = (p − t) / n
        }

        string outputs = Format.Int(layer.OutputSize);
        switch (layer.Activation)
        {
            case ActivationKind.ReLU: w.Line($"{Kernels}.Activations.ReluBackward(y, dy);"); break;
            case ActivationKind.Sigmoid: w.Line($"{Kernels}.Activations.SigmoidBackward(y, dy);"); break;
            case ActivationKind.Tanh: w.Line($"{Kernels}.Activations.TanhBackward(y, dy);"); break;
            case ActivationKind.Softmax: w.Line($"{Kernels}.Activations.SoftmaxBackward(y, dy, {outputs});"); break;
            case ActivationKind.LeakyReLU: w.Line($"{Kernels}.Activations.LeakyReluBackward(y, dy, {Format.Float(layer.NegativeSlope)});"); break;
            case ActivationKind.Gelu: w.Line($"{Kernels}.Activations.GeluBackward(z, dy);"); break;
        }
    }

    internal static string ActivationBackwardComment(LayerPlan layer) =>
        layer.FusedWithLoss
            ? $"dy arrives as dL/dz: the loss fused {Format.Activation(layer.Activation)}'s gradient (p − t)"
            : layer.Activation == ActivationKind.Linear
                ? "dy is dL/dz (linear)"
                : $"dy (dL/dy) becomes dL/dz in place through {Format.Activation(layer.Activation)}'";

    private static string BackwardComment(LayerPlan layer)
    {
        string activation = ActivationBackwardComment(layer);
        string rest = layer.NeedsInputGradient
            ? "then dW += dzᵀ·x, db += Σ dz, dx = dz·W"
            : "then dW += dzᵀ·x, db += Σ dz (first layer: no dx)";
        return $"// {layer.Name} backward: {activation}; {rest}.";
    }
}
