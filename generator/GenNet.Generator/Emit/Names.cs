using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GenNet.Generator.Model;

namespace GenNet.Generator.Emit;

/// <summary>Invariant-culture formatting for everything that lands in generated code.</summary>
internal static class Format
{
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

    /// <summary>101770 → "101,770", for comments.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Shape(IEnumerable<int> shape) => "[" + string.Join(", ", shape.Select(Int)) + "]";

    /// <summary>The C# collection expression for a shape: <c>[28, 28]</c>.</summary>
    public static string ShapeLiteral(IEnumerable<int> shape) => Shape(shape);

    public static string Activation(ActivationKind activation) => activation switch
    {
        ActivationKind.ReLU => "ReLU",
        ActivationKind.LeakyReLU => "LeakyReLU",
        _ => activation.ToString(),
    };

    public static string Loss(LossKind loss) => loss switch
    {
        LossKind.MeanSquaredError => "mean squared error",
        LossKind.BinaryCrossEntropy => "binary cross-entropy",
        LossKind.CategoricalCrossEntropy => "categorical cross-entropy",
        LossKind.SparseCategoricalCrossEntropy => "sparse categorical cross-entropy",
        _ => loss.ToString(),
    };
}

/// <summary>Names of generated members that belong to one layer.</summary>
internal static class LayerNames
{
    /// <summary>"dense0" → "Dense0".</summary>
    public static string Pascal(LayerPlan layer) => char.ToUpperInvariant(layer.Variable[0]) + layer.Variable.Substring(1);

    public static string Weight(LayerPlan layer) => Pascal(layer) + "Weight";

    public static string Bias(LayerPlan layer) => Pascal(layer) + "Bias";

    public static string Output(LayerPlan layer) => Pascal(layer) + "Output";

    public static string PreActivation(LayerPlan layer) => Pascal(layer) + "PreActivation";
}
