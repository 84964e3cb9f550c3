using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace GenNet.Benchmarks;

/// <summary>
/// The machine's limit for one thread: a loop of nothing but float32 multiply-adds on twelve independent accumulator chains
/// (enough to cover the FMA units' latency × throughput on current x64 cores), at each vector width. Its GFLOP/s column is
/// the peak that the README's tables put each benchmark's share against. One invocation is
/// <see cref="Steps"/> × 12 vector FMAs, a multiply-add counting 2 FLOPs per lane; the FLOPs per "sample" below are those
/// of the whole invocation, so the column reads the rate directly.
/// </summary>
public class PeakBenchmarks
{
    /// <summary>Loop trips per invocation: 12 FMAs each, long enough (a few µs) that the call's overhead is noise.</summary>
    public const int Steps = 4096;

    private const long Chains = 12;

    private float _seed = 1e-3f;

    [Benchmark(Description = "FMA peak, Vector512 (12 chains)")]
    [Flops(Steps * Chains * 2 * 16, epoch: false)]
    public float Fma512() => Peak512(Steps, _seed);

    [Benchmark(Description = "FMA peak, Vector256 (12 chains)")]
    [Flops(Steps * Chains * 2 * 8, epoch: false)]
    public float Fma256() => Peak256(Steps, _seed);

    [Benchmark(Description = "FMA peak, Vector128 (12 chains)")]
    [Flops(Steps * Chains * 2 * 4, epoch: false)]
    public float Fma128() => Peak128(Steps, _seed);

    // Each chain is a = a·m + c with m slightly below 1, so the values stay finite however long the loop runs.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Peak512(int steps, float seed)
    {
        Vector512<float> m = Vector512.Create(0.999f), c = Vector512.Create(seed);
        Vector512<float> a0 = c, a1 = c, a2 = c, a3 = c, a4 = c, a5 = c, a6 = c, a7 = c, a8 = c, a9 = c, a10 = c, a11 = c;
        for (int i = 0; i < steps; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }

        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Peak256(int steps, float seed)
    {
        Vector256<float> m = Vector256.Create(0.999f), c = Vector256.Create(seed);
        Vector256<float> a0 = c, a1 = c, a2 = c, a3 = c, a4 = c, a5 = c, a6 = c, a7 = c, a8 = c, a9 = c, a10 = c, a11 = c;
        for (int i = 0; i < steps; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Peak128(int steps, float seed)
    {
        Vector128<float> m = Vector128.Create(0.999f), c = Vector128.Create(seed);
        Vector128<float> a0 = c, a1 = c, a2 = c, a3 = c, a4 = c, a5 = c, a6 = c, a7 = c, a8 = c, a9 = c, a10 = c, a11 = c;
        for (int i = 0; i < steps; i++)
        {
            a0 = Vector128.FusedMultiplyAdd(a0, m, c); a1 = Vector128.FusedMultiplyAdd(a1, m, c);
            a2 = Vector128.FusedMultiplyAdd(a2, m, c); a3 = Vector128.FusedMultiplyAdd(a3, m, c);
            a4 = Vector128.FusedMultiplyAdd(a4, m, c); a5 = Vector128.FusedMultiplyAdd(a5, m, c);
            a6 = Vector128.FusedMultiplyAdd(a6, m, c); a7 = Vector128.FusedMultiplyAdd(a7, m, c);
            a8 = Vector128.FusedMultiplyAdd(a8, m, c); a9 = Vector128.FusedMultiplyAdd(a9, m, c);
            a10 = Vector128.FusedMultiplyAdd(a10, m, c); a11 = Vector128.FusedMultiplyAdd(a11, m, c);
        }

        return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
