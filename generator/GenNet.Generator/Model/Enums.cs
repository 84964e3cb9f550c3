namespace GenNet.Generator.Model;

// Mirrors of the runtime's public enums, by value. The generator cannot reference the runtime assembly.

internal enum ActivationKind
{
    Linear = 0,
    ReLU = 1,
    Sigmoid = 2,
    Tanh = 3,
    Softmax = 4,
    LeakyReLU = 5,
    Gelu = 6,
}

internal enum LossKind
{
    Auto = 0,
    MeanSquaredError = 1,
    BinaryCrossEntropy = 2,
    CategoricalCrossEntropy = 3,
    SparseCategoricalCrossEntropy = 4,
}

/// <summary>How compiled-in Dense weights are stored and multiplied (GenNet.WeightPrecision).</summary>
internal enum WeightPrecisionKind
{
    Float32 = 0,
    BFloat16 = 1,
    Half = 2,
    Int8 = 3,
}

internal enum PaddingKind
{
    Valid = 0,
    Same = 1,
}

internal enum InitializerKind
{
    GlorotUniform = 0,
    GlorotNormal = 1,
    HeNormal = 2,
    HeUniform = 3,
    LeCunNormal = 4,
    Zeros = 5,
    Ones = 6,
}
