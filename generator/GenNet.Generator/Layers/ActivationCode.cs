using GenNet.Generator.Emit;
using GenNet.Generator.Model;

namespace GenNet.Generator.Layers;

/// <summary>
/// An activation applied in place to a layer's output <c>y</c> (GELU from its saved input <c>z</c>), and its backward step
/// turning dL/dy into dL/dz in place: the code Dense, Conv2D and the merges share.
/// </summary>
/// <param name="FusedWithLoss">The loss writes dL/dz = p − t directly, so the backward step is skipped.</param>
internal sealed record ActivationCode(ActivationKind Kind, float NegativeSlope, bool FusedWithLoss = false)
{
    private const string Kernels = Format.Kernels;

    /// <summary>What the backward step reads: "y" (the outputs), "z" (GELU's pre-activations) or nothing.</summary>
    public string? Saved =>
        FusedWithLoss || Kind == ActivationKind.Linear ? null :
        Kind == ActivationKind.Gelu ? "z" : "y";

    /// <summary>GELU's backward needs its input, kept in a buffer of its own.</summary>
    public bool NeedsPreActivation => Kind == ActivationKind.Gelu;

    /// <summary><c>y = f(y)</c> (or <c>y = f(z)</c>) for <paramref name="width"/> values per row.</summary>
    public void EmitForward(SourceWriter w, int width)
    {
        switch (Kind)
        {
            case ActivationKind.ReLU: w.Line($"{Kernels}.Activations.Relu(y);"); break;
            case ActivationKind.Sigmoid: w.Line($"{Kernels}.Activations.Sigmoid(y);"); break;
            case ActivationKind.Tanh: w.Line($"{Kernels}.Activations.Tanh(y);"); break;
            case ActivationKind.Softmax: w.Line($"{Kernels}.Activations.Softmax(y, {Format.Int(width)});"); break;
            case ActivationKind.LeakyReLU: w.Line($"{Kernels}.Activations.LeakyRelu(y, {Format.Float(NegativeSlope)});"); break;
            case ActivationKind.Gelu: w.Line($"{Kernels}.Activations.Gelu(z, y);"); break;
        }
    }

    /// <summary>dy (dL/dy) becomes dL/dz in place.</summary>
    public void EmitBackward(SourceWriter w, int width)
    {
        if (FusedWithLoss)
        {
            return; // the loss already wrote dL/dz = (p − t) / n
        }

        switch (Kind)
        {
            case ActivationKind.ReLU: w.Line($"{Kernels}.Activations.ReluBackward(y, dy);"); break;
            case ActivationKind.Sigmoid: w.Line($"{Kernels}.Activations.SigmoidBackward(y, dy);"); break;
            case ActivationKind.Tanh: w.Line($"{Kernels}.Activations.TanhBackward(y, dy);"); break;
            case ActivationKind.Softmax: w.Line($"{Kernels}.Activations.SoftmaxBackward(y, dy, {Format.Int(width)});"); break;
            case ActivationKind.LeakyReLU: w.Line($"{Kernels}.Activations.LeakyReluBackward(y, dy, {Format.Float(NegativeSlope)});"); break;
            case ActivationKind.Gelu: w.Line($"{Kernels}.Activations.GeluBackward(z, dy);"); break;
        }
    }

    public string BackwardComment =>
        FusedWithLoss
            ? $"dy arrives as dL/dz: the loss fused {Format.Activation(Kind)}'s gradient (p − t)"
            : Kind == ActivationKind.Linear
                ? "dy is dL/dz (linear)"
                : $"dy (dL/dy) becomes dL/dz in place through {Format.Activation(Kind)}'";

    /// <summary>The saved-activation parameter of a backward method (<c>ReadOnlySpan&lt;float&gt; y, </c>), or "".</summary>
    public string SavedParameter => Saved is { } name ? $"{Format.ReadOnlySpan} {name}, " : "";

    /// <summary>The saved-activation argument of a backward call, or "".</summary>
    public string SavedArgument(string output, string preActivation) => Saved switch
    {
        "z" => preActivation + ", ",
        "y" => output + ", ",
        _ => "",
    };

    /// <summary>GN0008 for a slope outside [0, 1), an activation outside the enum.</summary>
    public static bool Check(int activation, float slope, Declaration declaration, System.Collections.Generic.List<DiagnosticInfo> diagnostics)
    {
        bool ok = true;
        if (activation is < 0 or > (int)ActivationKind.Gelu)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"activation {activation} is not a member of GenNet.Activation"));
            ok = false;
        }

        if (!(slope >= 0f && slope < 1f))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                $"NegativeSlope = {slope.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} must be in [0, 1)"));
            ok = false;
        }

        return ok;
    }
}
