using System;
using GenNet.Losses;
using Xunit;

namespace GenNet.Tests;

/// <summary>Loss values checked by hand; their gradients are covered by the finite-difference tests.</summary>
public sealed class LossFunctionTests
{
    [Fact]
    public void Sparse_cross_entropy_is_minus_log_of_the_labelled_probability()
    {
        float[] p = [0.7f, 0.2f, 0.1f, 0.25f, 0.25f, 0.5f];
        float[] gradient = new float[6];
        float loss = SparseCategoricalCrossEntropy.Compute(p, [0, 2], gradient, classes: 3);
        Assert.Equal((-Math.Log(0.7) - Math.Log(0.5)) / 2, loss, 6);
        Assert.Equal([(0.7f - 1) / 2, 0.1f, 0.05f, 0.125f, 0.125f, (0.5f - 1) / 2], gradient, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void A_confident_mistake_costs_minus_log_epsilon_not_infinity()
    {
        float loss = SparseCategoricalCrossEntropy.Compute([1f, 0f], [1], Span<float>.Empty, classes: 2);
        Assert.Equal(-Math.Log(1e-7), loss, 4);
        loss = BinaryCrossEntropy.Compute([1f], [0f], Span<float>.Empty);
        Assert.Equal(-Math.Log(1e-7), loss, 3);
    }

    [Fact]
    public void Mean_squared_error_averages_over_every_output()
    {
        float[] gradient = new float[4];
        float loss = MeanSquaredError.Compute([1f, 2f, 3f, 4f], [1f, 0f, 3f, 5f], gradient);
        Assert.Equal((0 + 4 + 0 + 1) / 4f, loss);
        Assert.Equal([0f, 1f, 0f, -0.5f], gradient);
    }

    [Fact]
    public void Categorical_cross_entropy_with_one_hot_targets_equals_the_sparse_form()
    {
        float[] p = [0.6f, 0.3f, 0.1f];
        float[] dense = new float[3], sparse = new float[3];
        float a = CategoricalCrossEntropy.Compute(p, [0f, 1f, 0f], dense, classes: 3);
        float b = SparseCategoricalCrossEntropy.Compute(p, [1], sparse, classes: 3);
        Assert.Equal(b, a, 6);
        Assert.Equal(sparse, dense);
    }

    [Fact]
    public void Mismatched_spans_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => MeanSquaredError.Compute([1f, 2f], [1f], Span<float>.Empty));
        Assert.Throws<ArgumentException>(() => BinaryCrossEntropy.Compute([0.5f], [1f], new float[2]));
    }
}
