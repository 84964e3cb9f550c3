using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary>
/// How a layer's weight and bias start and whether they are penalised: <c>KernelInitializer</c>, <c>BiasInitializer</c>,
/// <c>KernelRegularizerL2</c> and <c>BiasRegularizerL2</c> (Keras's <c>kernel_initializer</c>, <c>bias_initializer</c>,
/// <c>kernel_regularizer=l2(λ)</c>, <c>bias_regularizer=l2(λ)</c>). Every layer kind with a weight and a bias reads,
/// initialises and penalises them through this one record: <see cref="Read"/> in its unit's <c>Read</c>,
/// <see cref="EmitInitialization"/> in its plan's <c>EmitInitialization</c>, and its plan's <c>WeightOptions</c> returning
/// it, from which <see cref="LayerPlan.Penalties"/> follow. The defaults emit exactly what a layer emitted before these
/// options existed.
/// </summary>
internal sealed record ParameterOptions(InitializerKind KernelInitializer, InitializerKind BiasInitializer, float KernelL2, float BiasL2)
{
    /// <summary>Keras's defaults: Glorot-uniform weight, zero bias, no penalty.</summary>
    public static readonly ParameterOptions Default = new(InitializerKind.GlorotUniform, InitializerKind.Zeros, 0f, 0f);

    /// <summary>Keras's defaults: the layer's code is what it was before these options existed.</summary>
    public bool IsDefault => this == Default;

    /// <summary>Reads the four named arguments; GN0008 for an initializer outside the enum or a λ that is negative, infinite or NaN.</summary>
    public static ParameterOptions Read(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics)
    {
        InitializerKind Initializer(string name, InitializerKind fallback)
        {
            int value = AttributeArguments.Named(attribute, name, (int)fallback);
            if (value is < (int)InitializerKind.GlorotUniform or > (int)InitializerKind.Ones)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                    $"{name} = {value} is not a member of GenNet.Initializer"));
                return fallback;
            }

            return (InitializerKind)value;
        }

        float Lambda(string name)
        {
            float value = AttributeArguments.Named(attribute, name, 0f);
            if (!(value >= 0f) || float.IsInfinity(value))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where,
                    $"{name} = {value.ToString("R", CultureInfo.InvariantCulture)} must be finite and not negative: it is λ of the penalty λ·Σw²"));
                return 0f;
            }

            return value;
        }

        var options = new ParameterOptions(
            Initializer("KernelInitializer", InitializerKind.GlorotUniform), Initializer("BiasInitializer", InitializerKind.Zeros),
            Lambda("KernelRegularizerL2"), Lambda("BiasRegularizerL2"));
        return options.IsDefault ? Default : options;
    }

    /// <summary>
    /// Writes the weight's and the bias's part of <c>InitializeParameters</c>. <paramref name="weight"/> and
    /// <paramref name="bias"/> are the spans as generated code names them (<c>parameters.Slice(Dense0Weight, 128 * 784)</c>);
    /// the fans are Keras's for the weight, and a bias [n] has both fans n.
    /// </summary>
    public void EmitInitialization(SourceWriter w, string weight, int fanIn, int fanOut, string bias, int biasSize)
    {
        w.Line(Initialization(KernelInitializer, weight, fanIn, fanOut));
        w.Line(Initialization(BiasInitializer, bias, biasSize, biasSize));
    }

    /// <summary>The tensors this layer penalises (a λ of 0 penalises nothing), for the network's <c>RegularizationLoss</c>.</summary>
    public IEnumerable<PenaltyPlan> Penalties(TensorPlan weight, TensorPlan bias)
    {
        if (KernelL2 > 0f)
        {
            yield return new PenaltyPlan(weight, KernelL2);
        }

        if (BiasL2 > 0f)
        {
            yield return new PenaltyPlan(bias, BiasL2);
        }
    }

    private static string Initialization(InitializerKind kind, string span, int fanIn, int fanOut)
    {
        const string Initializers = "global::GenNet.Initializers";
        string fanInArgument = $"fanIn: {Format.Int(fanIn)}";
        return kind switch
        {
            InitializerKind.GlorotUniform => $"{Initializers}.GlorotUniform({span}, {fanInArgument}, fanOut: {Format.Int(fanOut)}, ref random);",
            InitializerKind.GlorotNormal => $"{Initializers}.GlorotNormal({span}, {fanInArgument}, fanOut: {Format.Int(fanOut)}, ref random);",
            InitializerKind.HeNormal => $"{Initializers}.HeNormal({span}, {fanInArgument}, ref random);",
            InitializerKind.HeUniform => $"{Initializers}.HeUniform({span}, {fanInArgument}, ref random);",
            InitializerKind.LeCunNormal => $"{Initializers}.LeCunNormal({span}, {fanInArgument}, ref random);",
            InitializerKind.Ones => $"{span}.Fill(1f);",
            _ => $"{span}.Clear();",
        };
    }
}

/// <summary>An L2 penalty <c>λ·Σw²</c> on one parameter tensor.</summary>
internal sealed record PenaltyPlan(TensorPlan Tensor, float Lambda)
{
    /// <summary>The tensor within <paramref name="arena"/>: <c>parameters.Slice(Dense0Weight, 128 * 784)</c>.</summary>
    public string Slice(string arena) => $"{arena}.Slice({Tensor.Constant}, {(Tensor.Shape.Count == 0 ? "1" : string.Join(" * ", Tensor.Shape.Select(Format.Int)))})";
}
