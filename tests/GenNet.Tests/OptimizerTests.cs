using System;
using Xunit;

namespace GenNet.Tests;

public sealed class OptimizerTests
{
    private static readonly string[] ConfigurationNames =
    [
        "Sgd", "SgdMomentum", "SgdNesterov", "Adam", "AdamW", "RmsProp", "RmsPropMomentum",
    ];

    // 31 = 16 + 8 + 4 + 3 runs every vector width's tail handling in one call.
    private static readonly int[] Lengths = [1, 3, 17, 31, 129, 1000];

    public static TheoryData<string> Configurations()
    {
        var data = new TheoryData<string>();
        foreach (string name in ConfigurationNames)
        {
            data.Add(name);
        }

        return data;
    }

    public static TheoryData<string, int> ConfigurationsAndLengths()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in ConfigurationNames)
        {
            foreach (int length in Lengths)
            {
                data.Add(name, length);
            }
        }

        return data;
    }

    /// <summary>An optimizer and a float64 reference of it built from the same hyperparameters.</summary>
    private static (Optimizer Optimizer, Reference Reference) Create(string configuration)
    {
        switch (configuration)
        {
            case "Sgd":
                return (new Sgd(0.05f), new SgdReference(0.05f, 0f, false));
            case "SgdMomentum":
                return (new Sgd(0.05f, 0.9f), new SgdReference(0.05f, 0.9f, false));
            case "SgdNesterov":
                return (new Sgd(0.03f, 0.8f, nesterov: true), new SgdReference(0.03f, 0.8f, true));
            case "Adam":
                return (new Adam(0.01f), new AdamReference(0.01f, 0f, 0.9f, 0.999f, 1e-7f));
            case "AdamW":
                return (new AdamW(0.01f, 0.1f, 0.8f, 0.99f, 1e-6f), new AdamReference(0.01f, 0.1f, 0.8f, 0.99f, 1e-6f));
            case "RmsProp":
                return (new RmsProp(0.01f), new RmsPropReference(0.01f, 0.9f, 0f, 1e-7f));
            case "RmsPropMomentum":
                return (new RmsProp(0.01f, 0.8f, 0.5f, 1e-6f), new RmsPropReference(0.01f, 0.8f, 0.5f, 1e-6f));
            default:
                throw new ArgumentOutOfRangeException(nameof(configuration), configuration, "Unknown configuration.");
        }
    }

    [Theory]
    [MemberData(nameof(ConfigurationsAndLengths))]
    public void A_step_taken_in_parts_is_the_whole_step_bit_for_bit(string configuration, int length)
    {
        // A two-core training step updates each core's rows where they were computed (BeginParts, UpdatePart on disjoint
        // ranges, EndParts); every built-in optimizer must give exactly the whole step's parameters and state.
        (Optimizer whole, _) = Create(configuration);
        (Optimizer parts, _) = Create(configuration);
        Assert.True(parts.UpdatesInParts);
        var random = new Random(length);
        float[] w1 = new float[length];
        for (int i = 0; i < length; i++)
        {
            w1[i] = (float)(random.NextDouble() - 0.5);
        }

        float[] w2 = (float[])w1.Clone();
        int cut = length / 3; // an uneven split, one part empty when length is 1
        for (int step = 0; step < 4; step++)
        {
            float[] g = new float[length];
            for (int i = 0; i < length; i++)
            {
                g[i] = (float)(random.NextDouble() - 0.5) * (step + 1);
            }

            whole.Step(w1, g);
            parts.BeginParts(length);
            parts.UpdatePart(w2.AsSpan(cut), g.AsSpan(cut), cut); // the later part first: the order of parts must not matter
            parts.UpdatePart(w2.AsSpan(0, cut), g.AsSpan(0, cut), 0);
            parts.EndParts();
            Assert.Equal(whole.Iterations, parts.Iterations);
            Assert.Equal(Array.ConvertAll(w1, BitConverter.SingleToUInt32Bits), Array.ConvertAll(w2, BitConverter.SingleToUInt32Bits));
        }
    }

    [Fact]
    public void An_update_reports_whether_the_parameters_it_wrote_are_finite() => FailureReports.AssertNone(RunFiniteChecks);

    /// <summary>
    /// Each built-in optimizer's update reports whether the parameters it wrote are finite (Fit's check after every step,
    /// made as the update writes them instead of by reading the parameters again): at every length of <see cref="Lengths"/>
    /// (each width's tail), whole and in two parts, with all finite and with one parameter at the first, a middle or the
    /// last place made NaN (a NaN gradient), infinite (a parameter already +∞) or at the edge (float.MaxValue pushed on
    /// by a gradient of −float.MaxValue, which overflows for SGD and stays finite for Adam and RMSprop). The report must be
    /// what reading the parameters says, and false for the NaN and infinite cases. Also run by <see cref="Program"/>'s
    /// simd-check, so the 256-, 128-bit and scalar paths are checked too.
    /// </summary>
    public static int RunFiniteChecks(Action<string> report)
    {
        int failures = 0;
        foreach (string configuration in ConfigurationNames)
        {
            foreach (int length in Lengths)
            {
                foreach (string poison in new[] { "none", "NaN gradient", "+∞ parameter", "float.MaxValue" })
                {
                    int[] places = poison == "none" ? [0] : [0, length / 2, length - 1];
                    foreach (int at in places)
                    {
                        var random = new Random(length * 31 + at);
                        float[] w = new float[length], g = new float[length];
                        for (int i = 0; i < length; i++)
                        {
                            w[i] = (float)(random.NextDouble() - 0.5);
                            g[i] = (float)(random.NextDouble() - 0.5);
                        }

                        switch (poison)
                        {
                            case "NaN gradient": g[at] = float.NaN; break;
                            case "+∞ parameter": w[at] = float.PositiveInfinity; break;
                            case "float.MaxValue": (w[at], g[at]) = (float.MaxValue, -float.MaxValue); break;
                        }

                        float[] whole = (float[])w.Clone(), parts = (float[])w.Clone();
                        (Optimizer first, _) = Create(configuration);
                        first.BeginParts(length);
                        bool reportedWhole = first.UpdatePart(whole, g, 0);
                        first.EndParts();
                        (Optimizer second, _) = Create(configuration);
                        int cut = length / 3;
                        second.BeginParts(length);
                        bool reportedParts = second.UpdatePart(parts.AsSpan(cut), g.AsSpan(cut), cut);
                        reportedParts &= second.UpdatePart(parts.AsSpan(0, cut), g.AsSpan(0, cut), 0);
                        second.EndParts();

                        bool finite = System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(whole);
                        bool mustBeFinite = poison == "none", mustNotBe = poison is "NaN gradient" or "+∞ parameter";
                        string where = $"{configuration}, length {length}, {poison} at {at}";
                        if (reportedWhole != finite || reportedParts != finite || (mustBeFinite && !finite) || (mustNotBe && finite))
                        {
                            report($"{where}: reported {reportedWhole} (whole), {reportedParts} (parts); the parameters are {(finite ? "" : "not ")}all finite");
                            failures++;
                        }
                    }
                }
            }
        }

        return failures;
    }

    [Fact]
    public void Fit_reads_the_parameters_again_after_an_optimizer_of_your_own()
    {
        // A subclass's Update is not one of the built-in rules that report finiteness as they write: Fit must still see the
        // NaN it leaves (here in the last parameter) and stop there, as it does for the built-in ones.
        var network = new Networks.LinearMse3();
        network.InitializeParameters(1);
        Dataset data = Dataset.Create(new float[16 * 3], new float[16 * 3], 3);
        var error = Assert.Throws<TrainingDivergedException>(() =>
            network.Fit(data, new PoisonsLastParameter(), epochs: 1, batchSize: 16, verbosity: Verbosity.Silent));
        Assert.Equal((1, 1), (error.Epoch, error.Batch));
        Assert.StartsWith("A parameter became NaN in the optimizer's step", error.Message);
    }

    private sealed class PoisonsLastParameter : Optimizer
    {
        public PoisonsLastParameter()
            : base(0.1f)
        {
        }

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients)
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] -= LearningRate * gradients[i];
            }

            parameters[^1] = float.NaN;
        }
    }

    private abstract class Reference
    {
        /// <summary>One step in float64; <paramref name="iteration"/> is the number of earlier steps.</summary>
        public abstract void Step(double[] w, float[] g, int iteration);
    }

    private sealed class SgdReference(double lr, double momentum, bool nesterov) : Reference
    {
        private double[]? _v;

        public override void Step(double[] w, float[] g, int iteration)
        {
            _v ??= new double[w.Length];
            for (int i = 0; i < w.Length; i++)
            {
                if (momentum == 0)
                {
                    w[i] -= lr * g[i];
                    continue;
                }

                _v[i] = momentum * _v[i] - lr * g[i];
                w[i] += nesterov ? momentum * _v[i] - lr * g[i] : _v[i];
            }
        }
    }

    private sealed class AdamReference(double lr, double weightDecay, double beta1, double beta2, double epsilon) : Reference
    {
        private double[]? _m;
        private double[]? _v;

        public override void Step(double[] w, float[] g, int iteration)
        {
            _m ??= new double[w.Length];
            _v ??= new double[w.Length];
            int t = iteration + 1;
            double alpha = lr * Math.Sqrt(1 - Math.Pow(beta2, t)) / (1 - Math.Pow(beta1, t));
            for (int i = 0; i < w.Length; i++)
            {
                w[i] -= lr * weightDecay * w[i];
                _m[i] += (g[i] - _m[i]) * (1 - beta1);
                _v[i] += ((double)g[i] * g[i] - _v[i]) * (1 - beta2);
                w[i] -= alpha * _m[i] / (Math.Sqrt(_v[i]) + epsilon);
            }
        }
    }

    private sealed class RmsPropReference(double lr, double rho, double momentum, double epsilon) : Reference
    {
        private double[]? _v;
        private double[]? _mom;

        public override void Step(double[] w, float[] g, int iteration)
        {
            _v ??= new double[w.Length];
            _mom ??= new double[w.Length];
            for (int i = 0; i < w.Length; i++)
            {
                _v[i] = rho * _v[i] + (1 - rho) * g[i] * g[i];
                double increment = lr * g[i] / Math.Sqrt(_v[i] + epsilon);
                if (momentum > 0)
                {
                    _mom[i] = momentum * _mom[i] + increment;
                    w[i] -= _mom[i];
                }
                else
                {
                    w[i] -= increment;
                }
            }
        }
    }

    private static float[] RandomValues(Random random, int length, double scale)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        }

        return values;
    }

    private static void AssertClose(double expected, float actual, string context)
    {
        double tolerance = 1e-5 * Math.Abs(expected) + 1e-6;
        Assert.True(
            Math.Abs(actual - expected) <= tolerance,
            $"{context}: expected {expected:R}, got {actual:R} (difference {Math.Abs(actual - expected):E3}, tolerance {tolerance:E3}).");
    }

    [Theory]
    [MemberData(nameof(ConfigurationsAndLengths))]
    public void Five_steps_match_a_float64_reference(string configuration, int length)
    {
        var (optimizer, reference) = Create(configuration);
        var random = new Random(length * 7919 + configuration.Length);
        float[] parameters = RandomValues(random, length, 2.0);
        double[] expected = Array.ConvertAll(parameters, x => (double)x);

        for (int step = 0; step < 5; step++)
        {
            float[] gradients = RandomValues(random, length, 1.0);
            reference.Step(expected, gradients, step);
            optimizer.Step(parameters, gradients);
        }

        for (int i = 0; i < length; i++)
        {
            AssertClose(expected[i], parameters[i], $"{configuration}, length {length}, parameter {i}");
        }

        Assert.Equal(5, optimizer.Iterations);
    }

    [Fact]
    public void Adam_first_step_matches_hand_computation()
    {
        const float lr = 1e-3f;
        const float beta1 = 0.9f;
        const float beta2 = 0.999f;
        const float epsilon = 1e-7f;
        var optimizer = new Adam(lr, beta1, beta2, epsilon);
        float[] parameters = [0f, 2f];
        float[] gradients = [0.5f, 0.5f];

        optimizer.Step(parameters, gradients);

        // t = 1: m = (1 - beta1) g, v = (1 - beta2) g², alpha = lr sqrt(1 - beta2) / (1 - beta1).
        double m = (1 - (double)beta1) * 0.5;
        double v = (1 - (double)beta2) * 0.25;
        double alpha = lr * Math.Sqrt(1 - (double)beta2) / (1 - (double)beta1);
        double delta = alpha * m / (Math.Sqrt(v) + epsilon);
        Assert.InRange(delta, 0.99e-3, 1e-3); // "about lr": epsilon makes it slightly smaller
        AssertClose(-delta, parameters[0], "from 0");
        AssertClose(2 - delta, parameters[1], "from 2");
        Assert.Equal(-delta, parameters[0], 1e-9);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Step_allocates_nothing_after_the_first_call(string configuration)
    {
        var (optimizer, _) = Create(configuration);
        var random = new Random(5);
        float[] parameters = RandomValues(random, 1003, 1.0);
        float[] gradients = RandomValues(random, 1003, 1.0);
        optimizer.Step(parameters, gradients);
        optimizer.Step(parameters, gradients);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            optimizer.Step(parameters, gradients);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(102, optimizer.Iterations);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Mismatched_lengths_are_rejected(string configuration)
    {
        var (optimizer, _) = Create(configuration);
        var exception = Assert.Throws<ArgumentException>(() => optimizer.Step(new float[3], new float[4]));
        Assert.Contains("3", exception.Message);
        Assert.Contains("4", exception.Message);
        Assert.Equal(0, optimizer.Iterations);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Empty_spans_are_rejected(string configuration)
    {
        var (optimizer, _) = Create(configuration);
        Assert.Throws<ArgumentException>(() => optimizer.Step(Array.Empty<float>(), Array.Empty<float>()));
        Assert.Equal(0, optimizer.Iterations);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void A_changed_length_is_rejected_until_Reset(string configuration)
    {
        var (optimizer, _) = Create(configuration);
        var random = new Random(11);
        float[] gradients = RandomValues(random, 5, 1.0);
        optimizer.Step(new float[5], gradients);
        optimizer.Step(new float[5], gradients);

        float[] other = new float[6];
        var exception = Assert.Throws<InvalidOperationException>(() => optimizer.Step(other, new float[6]));
        Assert.Contains("5", exception.Message);
        Assert.Contains("6", exception.Message);
        Assert.Contains("Reset()", exception.Message);
        Assert.Equal(2, optimizer.Iterations);

        optimizer.Reset();
        Assert.Equal(0, optimizer.Iterations);
        optimizer.Step(other, RandomValues(random, 6, 1.0));
        Assert.Equal(1, optimizer.Iterations);
        Assert.Throws<InvalidOperationException>(() => optimizer.Step(new float[5], new float[5]));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Reset_forgets_the_moments(string configuration)
    {
        var (used, _) = Create(configuration);
        var (fresh, _) = Create(configuration);
        var random = new Random(3);
        float[] scratch = RandomValues(random, 37, 1.0);
        for (int i = 0; i < 3; i++)
        {
            used.Step(scratch, RandomValues(random, 37, 1.0));
        }

        float[] start = RandomValues(random, 37, 1.0);
        float[] gradients = RandomValues(random, 37, 1.0);
        float[] afterReset = (float[])start.Clone();
        float[] afterFresh = (float[])start.Clone();
        used.Reset();
        used.Step(afterReset, gradients);
        fresh.Step(afterFresh, gradients);

        Assert.Equal(afterFresh, afterReset);
    }

    [Fact]
    public void A_changed_learning_rate_applies_to_the_next_step()
    {
        var optimizer = new Sgd(0.1f);
        float[] parameters = [1f];
        optimizer.Step(parameters, [1f]);
        optimizer.LearningRate = 0.25f;
        optimizer.Step(parameters, [1f]);

        Assert.Equal(0.25f, optimizer.LearningRate);
        Assert.Equal(1.0 - 0.1 - 0.25, parameters[0], 1e-6);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void An_invalid_learning_rate_cannot_be_set(float value)
    {
        var optimizer = new Adam();
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRate = value);
        Assert.Equal(1e-3f, optimizer.LearningRate);
    }

    [Theory]
    [InlineData("Sgd", "learningRate", 0f)]
    [InlineData("Sgd", "learningRate", -1f)]
    [InlineData("Sgd", "learningRate", float.NaN)]
    [InlineData("Sgd", "learningRate", float.PositiveInfinity)]
    [InlineData("Sgd", "momentum", -0.1f)]
    [InlineData("Sgd", "momentum", 1f)]
    [InlineData("Sgd", "momentum", float.NaN)]
    [InlineData("Adam", "learningRate", 0f)]
    [InlineData("Adam", "learningRate", float.NegativeInfinity)]
    [InlineData("Adam", "beta1", -0.1f)]
    [InlineData("Adam", "beta1", 1f)]
    [InlineData("Adam", "beta1", float.NaN)]
    [InlineData("Adam", "beta2", 1f)]
    [InlineData("Adam", "beta2", -1f)]
    [InlineData("Adam", "epsilon", 0f)]
    [InlineData("Adam", "epsilon", -1e-7f)]
    [InlineData("Adam", "epsilon", float.PositiveInfinity)]
    [InlineData("AdamW", "learningRate", -1e-3f)]
    [InlineData("AdamW", "weightDecay", -0.01f)]
    [InlineData("AdamW", "weightDecay", float.NaN)]
    [InlineData("AdamW", "weightDecay", float.PositiveInfinity)]
    [InlineData("AdamW", "beta1", 1.5f)]
    [InlineData("AdamW", "beta2", 1f)]
    [InlineData("AdamW", "epsilon", 0f)]
    [InlineData("RmsProp", "learningRate", 0f)]
    [InlineData("RmsProp", "rho", 1f)]
    [InlineData("RmsProp", "rho", -0.5f)]
    [InlineData("RmsProp", "rho", float.NaN)]
    [InlineData("RmsProp", "momentum", 1f)]
    [InlineData("RmsProp", "momentum", -0.5f)]
    [InlineData("RmsProp", "epsilon", 0f)]
    [InlineData("RmsProp", "epsilon", float.NaN)]
    public void Invalid_constructor_arguments_are_rejected(string optimizer, string parameter, float value)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => Construct(optimizer, parameter, value));
        Assert.Equal(parameter, exception.ParamName);
    }

    [Theory]
    [InlineData("Sgd", "momentum", 0f)]
    [InlineData("Sgd", "momentum", 0.99f)]
    [InlineData("Adam", "beta1", 0f)]
    [InlineData("Adam", "beta2", 0f)]
    [InlineData("AdamW", "weightDecay", 0f)]
    [InlineData("RmsProp", "rho", 0f)]
    [InlineData("RmsProp", "momentum", 0.99f)]
    public void Boundary_constructor_arguments_are_accepted(string optimizer, string parameter, float value)
    {
        Optimizer created = Construct(optimizer, parameter, value);
        float[] parameters = [1f, -1f];
        created.Step(parameters, [0.5f, -0.5f]);
        Assert.True(parameters[0] < 1f && parameters[1] > -1f, "One step against the gradient moves both parameters.");
    }

    /// <summary>An optimizer with its defaults except <paramref name="parameter"/> = <paramref name="value"/>.</summary>
    private static Optimizer Construct(string optimizer, string parameter, float value) => (optimizer, parameter) switch
    {
        ("Sgd", "learningRate") => new Sgd(learningRate: value),
        ("Sgd", "momentum") => new Sgd(momentum: value),
        ("Adam", "learningRate") => new Adam(learningRate: value),
        ("Adam", "beta1") => new Adam(beta1: value),
        ("Adam", "beta2") => new Adam(beta2: value),
        ("Adam", "epsilon") => new Adam(epsilon: value),
        ("AdamW", "learningRate") => new AdamW(learningRate: value),
        ("AdamW", "weightDecay") => new AdamW(weightDecay: value),
        ("AdamW", "beta1") => new AdamW(beta1: value),
        ("AdamW", "beta2") => new AdamW(beta2: value),
        ("AdamW", "epsilon") => new AdamW(epsilon: value),
        ("RmsProp", "learningRate") => new RmsProp(learningRate: value),
        ("RmsProp", "rho") => new RmsProp(rho: value),
        ("RmsProp", "momentum") => new RmsProp(momentum: value),
        ("RmsProp", "epsilon") => new RmsProp(epsilon: value),
        _ => throw new ArgumentOutOfRangeException(nameof(parameter), $"{optimizer} has no case for {parameter}."),
    };

    [Fact]
    public void Defaults_are_those_of_Keras()
    {
        var sgd = new Sgd();
        Assert.Equal(0.01f, sgd.LearningRate);
        Assert.Equal(0f, sgd.Momentum);
        Assert.False(sgd.Nesterov);

        var adam = new Adam();
        Assert.Equal(1e-3f, adam.LearningRate);
        Assert.Equal(0.9f, adam.Beta1);
        Assert.Equal(0.999f, adam.Beta2);
        Assert.Equal(1e-7f, adam.Epsilon);

        var adamW = new AdamW();
        Assert.Equal(1e-3f, adamW.LearningRate);
        Assert.Equal(0.004f, adamW.WeightDecay);
        Assert.Equal(0.9f, adamW.Beta1);
        Assert.Equal(0.999f, adamW.Beta2);
        Assert.Equal(1e-7f, adamW.Epsilon);

        var rmsProp = new RmsProp();
        Assert.Equal(1e-3f, rmsProp.LearningRate);
        Assert.Equal(0.9f, rmsProp.Rho);
        Assert.Equal(0f, rmsProp.Momentum);
        Assert.Equal(1e-7f, rmsProp.Epsilon);
    }

    /// <summary>
    /// An optimizer set up to minimise the test quadratic quickly. AdamW's decay pulls the minimum towards 0
    /// (by about 1e-3 with the default 0.004 after 3000 steps), so it gets a small one here.
    /// </summary>
    private static Optimizer CreateForMinimisation(string configuration) => configuration switch
    {
        "Sgd" => new Sgd(0.1f),
        "SgdMomentum" => new Sgd(0.02f, 0.9f),
        "SgdNesterov" => new Sgd(0.02f, 0.9f, nesterov: true),
        "Adam" => new Adam(0.05f),
        "AdamW" => new AdamW(0.05f, weightDecay: 1e-4f),
        "RmsProp" => new RmsProp(0.01f),
        "RmsPropMomentum" => new RmsProp(0.005f, momentum: 0.5f),
        _ => throw new ArgumentOutOfRangeException(nameof(configuration), configuration, "Unknown configuration."),
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Minimises_a_quadratic(string configuration)
    {
        const int length = 17;
        const int maxSteps = 3000;
        Optimizer optimizer = CreateForMinimisation(configuration);
        var c = new float[length];
        for (int i = 0; i < length; i++)
        {
            c[i] = 3f * MathF.Sin(i + 1f); // in [-3, 3], all different
        }

        var w = new float[length];
        var gradients = new float[length];
        for (int step = 0; step < maxSteps; step++)
        {
            // f(w) = Σ (w - c)², ∂f/∂w = 2 (w - c)
            for (int i = 0; i < length; i++)
            {
                gradients[i] = 2f * (w[i] - c[i]);
            }

            optimizer.Step(w, gradients);
        }

        for (int i = 0; i < length; i++)
        {
            Assert.True(Math.Abs(w[i] - c[i]) <= 1e-3, $"{configuration}: w[{i}] = {w[i]}, but the minimum is at {c[i]}.");
        }
    }
}
