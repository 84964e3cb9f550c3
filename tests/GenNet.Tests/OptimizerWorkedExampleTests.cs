using System;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// Three steps of each optimizer against values worked out by hand from Keras's documented update rules, not from
/// GenNet's code (OptimizerTests' float64 references restate GenNet's formulas, so they cannot catch a formula that is
/// wrong in both). Every case starts at w = 1 and takes the gradients 1, −2 and 0.5; the hyperparameters are chosen so
/// each term shows (ε large enough that where it is added matters). The derivations round to 9 digits; the literals are
/// the float64 results. PyTorch's optimizers, written independently, give the same trajectories where their rules
/// coincide with Keras's (SGD with momentum or Nesterov; Adam, AdamW and RMSprop with ε = 0).
/// </summary>
public sealed class OptimizerWorkedExampleTests
{
    /// <summary>37 = 2 × 16 + 4 + 1 copies of the same parameter, so every vector width's body and the scalar tail compute it.</summary>
    private const int Copies = 37;

    private static readonly float[] Gradients = [1f, -2f, 0.5f];

    /// <summary>
    /// Steps <paramref name="optimizer"/> from w = 1 through <see cref="Gradients"/>; after each step every copy must be
    /// within 5e-7 of the worked-out value (float32 hyperparameters and arithmetic stay within 1e-7 of it).
    /// </summary>
    private static void AssertSteps(Optimizer optimizer, params double[] expected)
    {
        var parameters = new float[Copies];
        var gradients = new float[Copies];
        Array.Fill(parameters, 1f);
        for (int step = 0; step < expected.Length; step++)
        {
            Array.Fill(gradients, Gradients[step]);
            optimizer.Step(parameters, gradients);
            for (int i = 0; i < Copies; i++)
            {
                Assert.True(
                    Math.Abs(parameters[i] - expected[step]) <= 5e-7,
                    $"step {step + 1}, copy {i}: w = {parameters[i]:R}, worked out {expected[step]:R}");
            }
        }
    }

    [Fact]
    public void Sgd_follows_keras()
    {
        // Keras SGD: w ← w − lr·g. lr = 0.1: 1 − 0.1 = 0.9; 0.9 + 0.2 = 1.1; 1.1 − 0.05 = 1.05.
        AssertSteps(new Sgd(0.1f), 0.9, 1.1, 1.05);
    }

    [Fact]
    public void Sgd_with_momentum_follows_keras()
    {
        // Keras SGD with momentum: v ← μ·v − lr·g; w ← w + v. lr = 0.1, μ = 0.9, v₀ = 0:
        // v = −0.1, w = 0.9; v = −0.09 + 0.2 = 0.11, w = 1.01; v = 0.099 − 0.05 = 0.049, w = 1.059.
        AssertSteps(new Sgd(0.1f, 0.9f), 0.9, 1.01, 1.059);
    }

    [Fact]
    public void Sgd_with_nesterov_momentum_follows_keras()
    {
        // Keras SGD, nesterov=True: v ← μ·v − lr·g; w ← w + μ·v − lr·g (with the new v). lr = 0.1, μ = 0.9:
        // v = −0.1, w = 1 − 0.09 − 0.1 = 0.81; v = 0.11, w = 0.81 + 0.099 + 0.2 = 1.109;
        // v = 0.049, w = 1.109 + 0.0441 − 0.05 = 1.1031.
        AssertSteps(new Sgd(0.1f, 0.9f, nesterov: true), 0.81, 1.109, 1.1031);
    }

    [Fact]
    public void Adam_follows_keras()
    {
        // Keras Adam (ε is Kingma and Ba's "epsilon hat", added to √v): m ← m + (g − m)(1 − β1); v ← v + (g² − v)(1 − β2);
        // α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ); w ← w − α·m/(√v + ε). lr = 0.1, β1 = 0.9, β2 = 0.999, ε = 1e-3:
        // t = 1: m = 0.1, v = 0.001, α = 0.1·0.031622777/0.1 = 0.031622777,
        //        Δ = 0.031622777·0.1/(0.031622777 + 0.001) = 0.096934657, w = 0.903065343;
        // t = 2: m = 0.1 − 2.1·0.1 = −0.11, v = 0.001 + 3.999·0.001 = 0.004999, √v = 0.070703607,
        //        α = 0.1·√0.001999/0.19 = 0.023531673, Δ = 0.023531673·(−0.11)/0.071703607 = −0.036099774, w = 0.939165117;
        // t = 3: m = −0.11 + 0.61·0.1 = −0.049, v = 0.004999 + 0.245001·0.001 = 0.005244001, √v = 0.072415475,
        //        α = 0.1·√0.002997001/0.271 = 0.020201060, Δ = 0.020201060·(−0.049)/0.073415475 = −0.013482878, w = 0.952647995.
        AssertSteps(new Adam(0.1f, 0.9f, 0.999f, 1e-3f), 0.9030653430031715, 0.9391651167499935, 0.952647995247531);
    }

    [Fact]
    public void AdamW_follows_keras()
    {
        // Keras AdamW: w ← w − lr·λ·w first, then the Adam step above. lr = 0.1, λ = 0.5 (w ← 0.95·w), β1 = 0.9,
        // β2 = 0.999, ε = 1e-7; m, v and α as for Adam:
        // t = 1: w = 0.95, Δ = 0.031622777·0.1/(0.031622777 + 1e-7) = 0.099999684, w = 0.850000316;
        // t = 2: w = 0.95·0.850000316 = 0.807500300, Δ = 0.023531673·(−0.11)/(0.070703607 + 1e-7) = −0.036610301,
        //        w = 0.844110601;
        // t = 3: w = 0.95·0.844110601 = 0.801905071, Δ = 0.020201060·(−0.049)/(0.072415475 + 1e-7) = −0.013669047,
        //        w = 0.815574119.
        AssertSteps(new AdamW(0.1f, weightDecay: 0.5f), 0.850000316226766, 0.8441106013390496, 0.8155741187013144);
    }

    [Fact]
    public void RmsProp_follows_keras()
    {
        // Keras RMSprop: v ← ρ·v + (1 − ρ)·g²; w ← w − lr·g/√(v + ε) (ε under the root). lr = 0.01, ρ = 0.9, ε = 0.01:
        // v = 0.1, Δ = 0.01/√0.11 = 0.030151134, w = 0.969848866;
        // v = 0.09 + 0.4 = 0.49, Δ = −0.02/√0.5 = −0.028284271, w = 0.998133137;
        // v = 0.441 + 0.025 = 0.466, Δ = 0.005/√0.476 = 0.007247138, w = 0.990885999.
        AssertSteps(new RmsProp(0.01f, 0.9f, epsilon: 0.01f), 0.9698488655422236, 0.9981331367896855, 0.99088599884403);
    }

    [Fact]
    public void RmsProp_with_momentum_follows_keras()
    {
        // Keras RMSprop with momentum: mom ← μ·mom + lr·g/√(v + ε); w ← w − mom. The same v and increments as above, μ = 0.5:
        // mom = 0.030151134, w = 0.969848866; mom = 0.015075567 − 0.028284271 = −0.013208704, w = 0.983057570;
        // mom = −0.006604352 + 0.007247138 = 0.000642786, w = 0.982414784.
        AssertSteps(new RmsProp(0.01f, 0.9f, momentum: 0.5f, epsilon: 0.01f), 0.9698488655422236, 0.9830575695607974, 0.9824147836244286);
    }
}
