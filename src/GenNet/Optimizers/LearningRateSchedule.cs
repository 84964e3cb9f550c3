using System;
using System.Collections.Generic;

namespace GenNet;

/// <summary>
/// A learning rate that depends on the training step (Keras 3 <c>keras.optimizers.schedules.LearningRateSchedule</c>).
/// Set <see cref="Optimizer.Schedule"/> and every <see cref="Optimizer.Step(System.Span{float}, System.ReadOnlySpan{float})"/> uses <c>Rate(Iterations)</c>.
/// </summary>
/// <remarks>
/// An implementation must be a pure function of <c>step</c> (the optimizer may ask for the same step more than once),
/// must not allocate, and must return a finite rate that is not negative; the optimizer refuses any other value.
/// </remarks>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for a step.</summary>
    /// <param name="step">The optimizer's 0-based iteration count before the update: 0 for the first step.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative (the built-in schedules).</exception>
    public abstract float Rate(long step);

    /// <summary>Throws if <paramref name="step"/> is negative; for implementations.</summary>
    /// <param name="step">The step passed to <see cref="Rate"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    protected static void CheckStep(long step) => ArgumentOutOfRangeException.ThrowIfNegative(step);
}

/// <summary>Exponential decay (Keras 3 <c>ExponentialDecay</c>).</summary>
/// <remarks>
/// <c>rate(step) = initialLearningRate * decayRate ^ (step / decaySteps)</c>, with the exponent rounded down to an
/// integer when <c>staircase</c> (the rate then changes every <c>decaySteps</c> steps). Computed in double.
/// </remarks>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">The rate at step 0; positive and finite.</param>
    /// <param name="decaySteps">The steps over which the rate is multiplied by <paramref name="decayRate"/>; positive.</param>
    /// <param name="decayRate">The factor per <paramref name="decaySteps"/> steps; positive and finite.</param>
    /// <param name="staircase">Decay in whole multiples of <paramref name="decaySteps"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public ExponentialDecay(float initialLearningRate, long decaySteps, float decayRate, bool staircase = false)
    {
        InitialLearningRate = OptimizerArguments.Positive(initialLearningRate, nameof(initialLearningRate));
        DecaySteps = ScheduleArguments.PositiveSteps(decaySteps, nameof(decaySteps));
        DecayRate = OptimizerArguments.Positive(decayRate, nameof(decayRate));
        Staircase = staircase;
    }

    /// <summary>The rate at step 0.</summary>
    public float InitialLearningRate { get; }

    /// <summary>The steps over which the rate is multiplied by <see cref="DecayRate"/>.</summary>
    public long DecaySteps { get; }

    /// <summary>The factor per <see cref="DecaySteps"/> steps.</summary>
    public float DecayRate { get; }

    /// <summary>Whether the exponent is rounded down to an integer.</summary>
    public bool Staircase { get; }

    /// <inheritdoc/>
    public override float Rate(long step)
    {
        CheckStep(step);
        return (float)(InitialLearningRate * Math.Pow(DecayRate, ScheduleArguments.Progress(step, DecaySteps, Staircase)));
    }
}

/// <summary>Inverse time decay (Keras 3 <c>InverseTimeDecay</c>).</summary>
/// <remarks>
/// <c>rate(step) = initialLearningRate / (1 + decayRate * step / decaySteps)</c>, with <c>step / decaySteps</c>
/// rounded down to an integer when <c>staircase</c>. Computed in double.
/// </remarks>
public sealed class InverseTimeDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">The rate at step 0; positive and finite.</param>
    /// <param name="decaySteps">The unit of steps in the formula; positive.</param>
    /// <param name="decayRate">How fast the rate falls; positive and finite.</param>
    /// <param name="staircase">Decay in whole multiples of <paramref name="decaySteps"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public InverseTimeDecay(float initialLearningRate, long decaySteps, float decayRate, bool staircase = false)
    {
        InitialLearningRate = OptimizerArguments.Positive(initialLearningRate, nameof(initialLearningRate));
        DecaySteps = ScheduleArguments.PositiveSteps(decaySteps, nameof(decaySteps));
        DecayRate = OptimizerArguments.Positive(decayRate, nameof(decayRate));
        Staircase = staircase;
    }

    /// <summary>The rate at step 0.</summary>
    public float InitialLearningRate { get; }

    /// <summary>The unit of steps in the formula.</summary>
    public long DecaySteps { get; }

    /// <summary>How fast the rate falls.</summary>
    public float DecayRate { get; }

    /// <summary>Whether <c>step / decaySteps</c> is rounded down to an integer.</summary>
    public bool Staircase { get; }

    /// <inheritdoc/>
    public override float Rate(long step)
    {
        CheckStep(step);
        return (float)(InitialLearningRate / (1.0 + DecayRate * ScheduleArguments.Progress(step, DecaySteps, Staircase)));
    }
}

/// <summary>A constant rate per range of steps (Keras 3 <c>PiecewiseConstantDecay</c>, the step schedule).</summary>
/// <remarks>
/// <c>values[0]</c> while <c>step &lt;= boundaries[0]</c>, <c>values[i]</c> while
/// <c>boundaries[i - 1] &lt; step &lt;= boundaries[i]</c>, and the last value once <c>step</c> passes the last boundary.
/// A boundary is the last step of its range: <c>boundaries: [100], values: [1.0, 0.5]</c> uses 1.0 for steps 0…100
/// and 0.5 from step 101.
/// </remarks>
public sealed class PiecewiseConstantDecay : LearningRateSchedule
{
    private readonly long[] _boundaries;
    private readonly float[] _values;

    /// <summary>Creates the schedule.</summary>
    /// <param name="boundaries">Steps, strictly increasing and not negative; copied.</param>
    /// <param name="values">The rates, one more than <paramref name="boundaries"/>; each positive and finite; copied.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">The boundaries do not increase, or the counts do not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A boundary is negative or a value is not positive and finite.</exception>
    public PiecewiseConstantDecay(long[] boundaries, float[] values)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != boundaries.Length + 1)
        {
            throw new ArgumentException(
                $"There are {boundaries.Length} boundaries and {values.Length} values; there must be one value more than boundaries.",
                nameof(values));
        }

        for (int i = 0; i < boundaries.Length; i++)
        {
            if (boundaries[i] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(boundaries), boundaries[i], $"boundaries[{i}] is negative; steps start at 0.");
            }

            if (i > 0 && boundaries[i] <= boundaries[i - 1])
            {
                throw new ArgumentException(
                    $"boundaries must increase strictly, but boundaries[{i - 1}] = {boundaries[i - 1]} and boundaries[{i}] = {boundaries[i]}.",
                    nameof(boundaries));
            }
        }

        for (int i = 0; i < values.Length; i++)
        {
            OptimizerArguments.Positive(values[i], $"values[{i}]");
        }

        _boundaries = (long[])boundaries.Clone();
        _values = (float[])values.Clone();
        Boundaries = Array.AsReadOnly(_boundaries);
        Values = Array.AsReadOnly(_values);
    }

    /// <summary>The last step of each range but the last.</summary>
    public IReadOnlyList<long> Boundaries { get; }

    /// <summary>The rate of each range.</summary>
    public IReadOnlyList<float> Values { get; }

    /// <inheritdoc/>
    public override float Rate(long step)
    {
        CheckStep(step);
        int i = 0;
        while (i < _boundaries.Length && step > _boundaries[i])
        {
            i++;
        }

        return _values[i];
    }
}

/// <summary>Cosine decay with an optional linear warm-up (Keras 3 <c>CosineDecay</c>).</summary>
/// <remarks>
/// <para>
/// Without <c>warmupTarget</c>: with <c>s = min(step, decaySteps)</c>,
/// <c>rate = initialLearningRate * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decaySteps)) + alpha)</c>, falling from
/// <c>initialLearningRate</c> at step 0 to <c>alpha * initialLearningRate</c> at <c>decaySteps</c> and staying there.
/// </para>
/// <para>
/// With <c>warmupTarget</c>: with <c>s = min(step, warmupSteps + decaySteps)</c>, while <c>s &lt; warmupSteps</c>
/// <c>rate = initialLearningRate + (warmupTarget - initialLearningRate) * s / warmupSteps</c> (a line from
/// <c>initialLearningRate</c> at step 0 towards <c>warmupTarget</c>); from then
/// <c>rate = warmupTarget * ((1 - alpha) * 0.5 * (1 + cos(pi * (s - warmupSteps) / decaySteps)) + alpha)</c>,
/// <c>warmupTarget</c> at step <c>warmupSteps</c> falling to <c>alpha * warmupTarget</c> at
/// <c>warmupSteps + decaySteps</c> and staying there. Computed in double.
/// </para>
/// </remarks>
public sealed class CosineDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">
    /// The rate at step 0; finite, positive without a warm-up and not negative with one (warming up from 0 is common).
    /// </param>
    /// <param name="decaySteps">The steps of the cosine decay; positive.</param>
    /// <param name="alpha">The final rate as a fraction of the decay's starting rate, in [0, 1].</param>
    /// <param name="warmupTarget">The rate a warm-up reaches and the decay starts from; positive and finite, or null for no warm-up.</param>
    /// <param name="warmupSteps">The steps of the warm-up; not negative, and 0 without a <paramref name="warmupTarget"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    /// <exception cref="ArgumentException"><paramref name="warmupSteps"/> is given without a <paramref name="warmupTarget"/>.</exception>
    public CosineDecay(float initialLearningRate, long decaySteps, float alpha = 0f, float? warmupTarget = null, long warmupSteps = 0)
    {
        InitialLearningRate = warmupTarget is null
            ? OptimizerArguments.Positive(initialLearningRate, nameof(initialLearningRate))
            : OptimizerArguments.NonNegative(initialLearningRate, nameof(initialLearningRate));
        DecaySteps = ScheduleArguments.PositiveSteps(decaySteps, nameof(decaySteps));
        if (!(alpha >= 0f && alpha <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1].");
        }

        Alpha = alpha;
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (warmupTarget is { } target)
        {
            WarmupTarget = OptimizerArguments.Positive(target, nameof(warmupTarget));
        }
        else if (warmupSteps != 0)
        {
            throw new ArgumentException(
                $"warmupSteps is {warmupSteps} but there is no warmupTarget to warm up to; give warmupTarget or leave warmupSteps at 0.",
                nameof(warmupSteps));
        }

        WarmupSteps = warmupSteps;
    }

    /// <summary>The rate at step 0.</summary>
    public float InitialLearningRate { get; }

    /// <summary>The steps of the cosine decay.</summary>
    public long DecaySteps { get; }

    /// <summary>The final rate as a fraction of the decay's starting rate.</summary>
    public float Alpha { get; }

    /// <summary>The rate the warm-up reaches, or null for no warm-up.</summary>
    public float? WarmupTarget { get; }

    /// <summary>The steps of the warm-up.</summary>
    public long WarmupSteps { get; }

    /// <inheritdoc/>
    public override float Rate(long step)
    {
        CheckStep(step);
        if (WarmupTarget is not { } target)
        {
            return (float)Decayed(InitialLearningRate, Math.Min(step, DecaySteps));
        }

        long s = Math.Min(step, WarmupSteps + DecaySteps);
        if (s < WarmupSteps)
        {
            return (float)(InitialLearningRate + ((double)target - InitialLearningRate) * s / WarmupSteps);
        }

        return (float)Decayed(target, s - WarmupSteps);
    }

    private double Decayed(double from, long s)
    {
        double cosine = 0.5 * (1.0 + Math.Cos(Math.PI * s / DecaySteps));
        return from * ((1.0 - Alpha) * cosine + Alpha);
    }
}

/// <summary>Argument checks shared by the schedules' constructors.</summary>
internal static class ScheduleArguments
{
    /// <summary>Returns <paramref name="value"/> if it is positive.</summary>
    public static long PositiveSteps(long value, string parameterName)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(parameterName, value, $"{parameterName} must be positive.");
        }

        return value;
    }

    /// <summary><c>step / decaySteps</c> in double, rounded down when <paramref name="staircase"/>.</summary>
    public static double Progress(long step, long decaySteps, bool staircase)
    {
        double p = (double)step / decaySteps;
        return staircase ? Math.Floor(p) : p;
    }
}
