using System;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// Keras's learning-rate schedules against their formulas restated in double, and an optimizer's use of them:
/// each step at rate(Iterations), Reset starting again, the rate refused when a schedule gives a bad one.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class LearningRateScheduleTests
{
    private static void AssertRate(double expected, float actual) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-6 * Math.Abs(expected) + 1e-12, $"Expected {expected:R}, got {actual:R}.");

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(7L)]
    [InlineData(10L)]
    [InlineData(25L)]
    [InlineData(1000L)]
    public void Exponential_decay_follows_its_formula(long step)
    {
        var schedule = new ExponentialDecay(initialLearningRate: 0.1f, decaySteps: 10, decayRate: 0.5f);
        AssertRate(0.1f * Math.Pow(0.5, step / 10.0), schedule.Rate(step));
    }

    [Theory]
    [InlineData(0L, 0.1)]
    [InlineData(9L, 0.1)]
    [InlineData(10L, 0.05)]
    [InlineData(19L, 0.05)]
    [InlineData(20L, 0.025)]
    [InlineData(35L, 0.0125)]
    public void Exponential_decay_with_staircase_changes_every_decay_steps(long step, double expected)
    {
        var schedule = new ExponentialDecay(0.1f, 10, 0.5f, staircase: true);
        AssertRate(expected, schedule.Rate(step));
    }

    [Theory]
    [InlineData(0L, false)]
    [InlineData(3L, false)]
    [InlineData(10L, false)]
    [InlineData(47L, false)]
    [InlineData(3L, true)]
    [InlineData(10L, true)]
    [InlineData(47L, true)]
    public void Inverse_time_decay_follows_its_formula(long step, bool staircase)
    {
        var schedule = new InverseTimeDecay(initialLearningRate: 0.2f, decaySteps: 10, decayRate: 0.5f, staircase);
        double p = staircase ? Math.Floor(step / 10.0) : step / 10.0;
        AssertRate(0.2f / (1.0 + 0.5 * p), schedule.Rate(step));
    }

    [Theory]
    [InlineData(0L, 1.0)]
    [InlineData(99L, 1.0)]
    [InlineData(100L, 1.0)] // a boundary is the last step of its range, as in Keras
    [InlineData(101L, 0.5)]
    [InlineData(200L, 0.5)]
    [InlineData(201L, 0.1)]
    [InlineData(1_000_000_000L, 0.1)]
    public void Piecewise_constant_decay_changes_after_each_boundary(long step, double expected)
    {
        var schedule = new PiecewiseConstantDecay([100, 200], [1f, 0.5f, 0.1f]);
        Assert.Equal((float)expected, schedule.Rate(step));
    }

    [Fact]
    public void Piecewise_constant_decay_copies_its_arrays()
    {
        long[] boundaries = [5];
        float[] values = [1f, 0.5f];
        var schedule = new PiecewiseConstantDecay(boundaries, values);
        boundaries[0] = 0;
        values[0] = 9f;

        Assert.Equal(1f, schedule.Rate(3));
        Assert.Equal([5L], schedule.Boundaries);
        Assert.Equal([1f, 0.5f], schedule.Values);
    }

    private static double Cosine(double from, double alpha, double s, double decaySteps) =>
        from * ((1 - alpha) * 0.5 * (1 + Math.Cos(Math.PI * s / decaySteps)) + alpha);

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(37L)]
    [InlineData(50L)]
    [InlineData(99L)]
    [InlineData(100L)]
    [InlineData(101L)]
    [InlineData(100_000L)]
    public void Cosine_decay_falls_to_alpha_times_the_initial_rate_and_stays(long step)
    {
        var schedule = new CosineDecay(initialLearningRate: 0.1f, decaySteps: 100, alpha: 0.1f);
        AssertRate(Cosine(0.1f, 0.1f, Math.Min(step, 100), 100), schedule.Rate(step));
    }

    [Fact]
    public void Cosine_decay_has_its_known_values()
    {
        var schedule = new CosineDecay(0.1f, 100, alpha: 0.1f);
        AssertRate(0.1f, schedule.Rate(0));
        AssertRate(0.1f * (0.9f * 0.5 + 0.1f), schedule.Rate(50));
        AssertRate(0.1f * 0.1f, schedule.Rate(100));
        AssertRate(0.1f * 0.1f, schedule.Rate(5000));
        Assert.Equal(0f, new CosineDecay(0.1f, 100).Rate(100)); // alpha 0 ends at 0
    }

    [Theory]
    [InlineData(0L, 0.0)]
    [InlineData(1L, 0.1)]
    [InlineData(5L, 0.5)]
    [InlineData(9L, 0.9)]
    [InlineData(10L, 1.0)] // the end of the warm-up: the target, where the decay starts
    [InlineData(20L, 0.6)] // half-way through the decay: 0.8 * 0.5 + 0.2
    [InlineData(30L, 0.2)] // the end of the decay: alpha * warmupTarget
    [InlineData(31L, 0.2)]
    [InlineData(1_000_000L, 0.2)]
    public void Cosine_decay_warms_up_linearly_then_decays_from_the_target(long step, double expected)
    {
        var schedule = new CosineDecay(initialLearningRate: 0f, decaySteps: 20, alpha: 0.2f, warmupTarget: 1f, warmupSteps: 10);
        AssertRate(expected, schedule.Rate(step));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(3L)]
    [InlineData(8L)]
    [InlineData(13L)]
    [InlineData(57L)]
    [InlineData(58L)]
    [InlineData(500L)]
    public void Cosine_decay_with_warm_up_follows_its_formula(long step)
    {
        const float initial = 0.01f, target = 0.3f, alpha = 0.05f;
        var schedule = new CosineDecay(initial, decaySteps: 50, alpha, target, warmupSteps: 8);
        double s = Math.Min(step, 58);
        double expected = s < 8 ? initial + ((double)target - initial) * s / 8 : Cosine(target, alpha, s - 8, 50);
        AssertRate(expected, schedule.Rate(step));
    }

    [Fact]
    public void A_zero_step_warm_up_starts_the_decay_at_the_target()
    {
        var schedule = new CosineDecay(0.5f, 10, warmupTarget: 0.2f);
        AssertRate(0.2f, schedule.Rate(0));
        AssertRate(Cosine(0.2f, 0, 4, 10), schedule.Rate(4));
    }

    [Fact]
    public void Sgd_with_a_schedule_moves_each_parameter_by_minus_rate_of_step_times_gradient()
    {
        var schedule = new ExponentialDecay(0.1f, decaySteps: 2, decayRate: 0.5f);
        var sgd = new Sgd { Schedule = schedule };
        float[] parameters = [1f, -2f, 3f];
        float[] gradients = [0.5f, 1f, -2f];
        for (long step = 0; step < 5; step++)
        {
            double rate = 0.1f * Math.Pow(0.5, step / 2.0);
            AssertRate(rate, sgd.LearningRate); // reading gives the rate the next step uses
            float[] before = (float[])parameters.Clone();
            sgd.Step(parameters, gradients);
            for (int i = 0; i < parameters.Length; i++)
            {
                Assert.Equal(-rate * gradients[i], (double)parameters[i] - before[i], 1e-6);
            }
        }

        Assert.Equal(5, sgd.Iterations);
    }

    public static TheoryData<string> OptimizerNames() => new() { "SgdMomentum", "Adam", "AdamW", "RmsProp" };

    private static Optimizer Create(string name) => name switch
    {
        "SgdMomentum" => new Sgd(momentum: 0.9f, nesterov: true),
        "Adam" => new Adam(),
        "AdamW" => new AdamW(),
        "RmsProp" => new RmsProp(momentum: 0.5f),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void A_schedule_gives_the_same_bits_as_setting_the_rate_before_each_step(string name)
    {
        var schedule = new CosineDecay(1e-3f, decaySteps: 4, alpha: 0.1f, warmupTarget: 0.05f, warmupSteps: 3);
        Optimizer scheduled = Create(name);
        scheduled.Schedule = schedule;
        Optimizer manual = Create(name);
        var random = new Random(17);
        float[] a = new float[37];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)(random.NextDouble() * 2 - 1);
        }

        float[] b = (float[])a.Clone();
        float[] gradients = new float[a.Length];
        for (long step = 0; step < 9; step++)
        {
            for (int i = 0; i < gradients.Length; i++)
            {
                gradients[i] = (float)(random.NextDouble() * 2 - 1);
            }

            manual.LearningRate = schedule.Rate(step);
            scheduled.Step(a, gradients);
            manual.Step(b, gradients);
            Assert.Equal(b, a);
        }
    }

    [Fact]
    public void Reset_starts_the_schedule_again()
    {
        var sgd = new Sgd { Schedule = new PiecewiseConstantDecay([0, 1], [0.5f, 0.25f, 0.125f]) };
        float[] parameters = [0f];
        for (int i = 0; i < 3; i++)
        {
            sgd.Step(parameters, [1f]);
        }

        Assert.Equal(-(0.5 + 0.25 + 0.125), parameters[0], 1e-7);
        Assert.Equal(0.125f, sgd.LearningRate);

        sgd.Reset();
        Assert.Equal(0.5f, sgd.LearningRate);
        parameters[0] = 0f;
        sgd.Step(parameters, [1f]);
        Assert.Equal(-0.5f, parameters[0]);
    }

    [Fact]
    public void The_learning_rate_cannot_be_written_while_a_schedule_is_set_and_returns_when_it_is_removed()
    {
        var adam = new Adam(learningRate: 0.02f) { Schedule = new ExponentialDecay(0.1f, 10, 0.5f) };
        var thrown = Assert.Throws<InvalidOperationException>(() => adam.LearningRate = 0.3f);
        Assert.Contains("ExponentialDecay", thrown.Message);
        Assert.Equal(0.1f, adam.LearningRate);

        adam.Schedule = null;
        Assert.Equal(0.02f, adam.LearningRate);
        adam.LearningRate = 0.3f;
        Assert.Equal(0.3f, adam.LearningRate);
    }

    private sealed class Fixed(float rate) : LearningRateSchedule
    {
        public int Calls { get; private set; }

        public override float Rate(long step)
        {
            Calls++;
            return rate;
        }
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(-0.001f)]
    public void A_step_refuses_a_bad_scheduled_rate_before_changing_the_parameters(float rate)
    {
        var sgd = new Sgd { Schedule = new Fixed(rate) };
        float[] parameters = [1f, 2f];
        var thrown = Assert.Throws<InvalidOperationException>(() => sgd.Step(parameters, [1f, 1f]));

        Assert.Contains("step 0", thrown.Message);
        Assert.Equal([1f, 2f], parameters);
        Assert.Equal(0, sgd.Iterations);
    }

    [Fact]
    public void A_schedule_is_asked_once_per_step_and_a_zero_rate_leaves_sgd_parameters_alone()
    {
        var schedule = new Fixed(0f);
        var sgd = new Sgd { Schedule = schedule };
        float[] parameters = [1f, 2f];
        for (int i = 0; i < 4; i++)
        {
            sgd.Step(parameters, [1f, 1f]);
        }

        Assert.Equal(4, schedule.Calls);
        Assert.Equal([1f, 2f], parameters);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_the_argument_named()
    {
        void Refused<TException>(string parameter, Action create)
            where TException : ArgumentException =>
            Assert.Equal(parameter, Assert.Throws<TException>(create).ParamName);

        Refused<ArgumentOutOfRangeException>("initialLearningRate", () => new ExponentialDecay(0f, 10, 0.5f));
        Refused<ArgumentOutOfRangeException>("initialLearningRate", () => new ExponentialDecay(float.NaN, 10, 0.5f));
        Refused<ArgumentOutOfRangeException>("decaySteps", () => new ExponentialDecay(0.1f, 0, 0.5f));
        Refused<ArgumentOutOfRangeException>("decayRate", () => new ExponentialDecay(0.1f, 10, -0.5f));
        Refused<ArgumentOutOfRangeException>("decayRate", () => new ExponentialDecay(0.1f, 10, float.PositiveInfinity));
        Refused<ArgumentOutOfRangeException>("initialLearningRate", () => new InverseTimeDecay(-1f, 10, 0.5f));
        Refused<ArgumentOutOfRangeException>("decaySteps", () => new InverseTimeDecay(0.1f, -3, 0.5f));
        Refused<ArgumentOutOfRangeException>("decayRate", () => new InverseTimeDecay(0.1f, 10, 0f));

        Refused<ArgumentNullException>("boundaries", () => new PiecewiseConstantDecay(null!, [1f]));
        Refused<ArgumentNullException>("values", () => new PiecewiseConstantDecay([1], null!));
        Refused<ArgumentException>("values", () => new PiecewiseConstantDecay([10, 20], [1f, 0.5f]));
        Refused<ArgumentException>("values", () => new PiecewiseConstantDecay([10], [1f, 0.5f, 0.1f]));
        Refused<ArgumentException>("boundaries", () => new PiecewiseConstantDecay([10, 10], [1f, 0.5f, 0.1f]));
        Refused<ArgumentException>("boundaries", () => new PiecewiseConstantDecay([20, 10], [1f, 0.5f, 0.1f]));
        Refused<ArgumentOutOfRangeException>("boundaries", () => new PiecewiseConstantDecay([-1], [1f, 0.5f]));
        Refused<ArgumentOutOfRangeException>("values[1]", () => new PiecewiseConstantDecay([10], [1f, 0f]));
        Refused<ArgumentOutOfRangeException>("values[0]", () => new PiecewiseConstantDecay([10], [float.NaN, 1f]));

        Refused<ArgumentOutOfRangeException>("initialLearningRate", () => new CosineDecay(0f, 10)); // 0 only as a warm-up's start
        Refused<ArgumentOutOfRangeException>("initialLearningRate", () => new CosineDecay(-0.1f, 10, warmupTarget: 1f, warmupSteps: 5));
        Refused<ArgumentOutOfRangeException>("decaySteps", () => new CosineDecay(0.1f, 0));
        Refused<ArgumentOutOfRangeException>("alpha", () => new CosineDecay(0.1f, 10, alpha: -0.1f));
        Refused<ArgumentOutOfRangeException>("alpha", () => new CosineDecay(0.1f, 10, alpha: 1.5f));
        Refused<ArgumentOutOfRangeException>("alpha", () => new CosineDecay(0.1f, 10, alpha: float.NaN));
        Refused<ArgumentOutOfRangeException>("warmupTarget", () => new CosineDecay(0.1f, 10, warmupTarget: 0f, warmupSteps: 5));
        Refused<ArgumentOutOfRangeException>("warmupTarget", () => new CosineDecay(0.1f, 10, warmupTarget: float.PositiveInfinity, warmupSteps: 5));
        Refused<ArgumentOutOfRangeException>("warmupSteps", () => new CosineDecay(0.1f, 10, warmupTarget: 1f, warmupSteps: -1));
        Refused<ArgumentException>("warmupSteps", () => new CosineDecay(0.1f, 10, warmupSteps: 5));

        Refused<ArgumentOutOfRangeException>("step", () => new CosineDecay(0.1f, 10).Rate(-1));
        Refused<ArgumentOutOfRangeException>("step", () => new PiecewiseConstantDecay([], [1f]).Rate(-1));
    }

    [Fact]
    public void A_step_with_a_schedule_allocates_nothing()
    {
        float[] parameters = new float[1000];
        float[] gradients = new float[1000];
        Array.Fill(gradients, 1e-3f);
        var adam = new Adam { Schedule = new CosineDecay(0f, decaySteps: 12, warmupTarget: 1e-3f, warmupSteps: 5) };
        var sgd = new Sgd { Schedule = new PiecewiseConstantDecay([5, 20], [0.1f, 0.01f, 0.001f]) };
        var rmsProp = new RmsProp { Schedule = new ExponentialDecay(1e-3f, 10, 0.9f, staircase: true) };

        Assert.Equal(0, AllocationTests.Allocated(() => adam.Step(parameters, gradients)));
        Assert.Equal(0, AllocationTests.Allocated(() => sgd.Step(parameters, gradients)));
        Assert.Equal(0, AllocationTests.Allocated(() => rmsProp.Step(parameters, gradients)));
        Assert.Equal(0, AllocationTests.Allocated(() => _ = adam.LearningRate));
        Assert.True(adam.Iterations > 5 + 12); // the warm-up, the decay and past its end were all stepped through
    }
}
