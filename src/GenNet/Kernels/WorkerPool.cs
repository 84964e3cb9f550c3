using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace GenNet.Kernels;

/// <summary>One shard of a data-parallel training step, run by <see cref="WorkerPool"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IShardedStep
{
    /// <summary>
    /// Runs shard <paramref name="shard"/> of <paramref name="shards"/> over the whole batch's spans (the shard picks its
    /// rows) and returns its part of the batch's result. Called on the calling thread for shard 0, on workers for the rest.
    /// </summary>
    float RunShard(int shard, int shards, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets);
}

/// <summary>
/// One part of a piece of work split over the pool's threads by <see cref="WorkerPool.Fork"/>: part 0 runs on the caller,
/// the others on workers. Returns the part's contribution to the sum that <see cref="WorkerPool.Fork"/> returns.
/// </summary>
internal interface IParallelWork
{
    float RunPart(int part, int parts);
}

/// <summary>
/// A few long-lived threads that run the shards of a training step: shard 0 on the caller, the others on workers,
/// results summed in shard order (deterministic for a fixed shard count). Nothing allocates per step. Where a thread
/// cannot be started (WebAssembly in a browser or under WASI) there are no workers: every step runs as one shard on the
/// caller, so training there works, on one thread, instead of throwing <see cref="PlatformNotSupportedException"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class WorkerPool
{
    private static readonly object s_gate = new();
    private static readonly int s_workerCount = WorkerCount(Environment.ProcessorCount, CanStartThreads);
    private static Worker[]? s_workers;
    private static readonly float[] s_results = new float[64];

    // The current job, read by workers after they are signalled: a sharded step (through s_shardedWork) or any other work.
    private static readonly ShardedStepWork s_shardedWork = new();
    private static IParallelWork? s_work;
    private static IShardedStep? s_step;
    private static int s_shards;
    private static float* s_inputs, s_targets;
    private static int* s_labels;
    private static int s_inputsLength, s_labelsLength, s_targetsLength;
    private static int s_pending;
    private static ExceptionDispatchInfo? s_failure;

    /// <summary>Most shards a step can use: the processor count (capped at 64), or 1 where threads cannot be started.</summary>
    public static int MaxShards => s_workerCount + 1;

    /// <summary>
    /// False in a browser and under WASI. .NET's default WebAssembly build is single-threaded (<see cref="Thread.Start()"/>
    /// throws, and the processor count is 1); its multithreaded build is experimental, needs cross-origin isolation, and
    /// must not hold the page's thread waiting for workers, which <see cref="Run"/> does.
    /// </summary>
    internal static bool CanStartThreads => !OperatingSystem.IsBrowser() && !OperatingSystem.IsWasi();

    /// <summary>Workers beside the caller: one per further processor, at most 63, none where threads cannot be started.</summary>
    internal static int WorkerCount(int processorCount, bool canStartThreads) =>
        canStartThreads ? Math.Clamp(processorCount - 1, 0, 63) : 0;

    /// <summary>Runs <paramref name="shards"/> shards of <paramref name="step"/> and returns the sum of their results.</summary>
    public static float Run(IShardedStep step, int shards, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shards);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shards, MaxShards);
        if (shards == 1)
        {
            return step.RunShard(0, 1, inputs, labels, targets);
        }

        fixed (float* inputPointer = inputs)
        fixed (int* labelPointer = labels)
        fixed (float* targetPointer = targets)
        {
            lock (s_gate) // one parallel step at a time; a second network training concurrently waits its turn
            {
                s_step = step;
                s_inputs = inputPointer;
                s_inputsLength = inputs.Length;
                s_labels = labelPointer;
                s_labelsLength = labels.Length;
                s_targets = targetPointer;
                s_targetsLength = targets.Length;
                try
                {
                    return RunParts(s_shardedWork, shards);
                }
                finally
                {
                    s_step = null;
                }
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="parts"/> parts of <paramref name="work"/> (part 0 on the caller, part k on worker k) and returns
    /// the sum of their results, added in part order. A part always runs on the same thread, so data that part k writes in
    /// one call stays in that core's cache for part k of the next: what the split of a training step by outputs relies on.
    /// </summary>
    internal static float Fork(IParallelWork work, int parts)
    {
        if (parts == 1)
        {
            return work.RunPart(0, 1);
        }

        lock (s_gate)
        {
            return RunParts(work, parts);
        }
    }

    // Under s_gate: hands parts 1.. to the workers, runs part 0, waits, rethrows the first failure, sums in part order.
    private static float RunParts(IParallelWork work, int parts)
    {
        Worker[] workers = s_workers ??= StartWorkers();
        s_work = work;
        s_shards = parts;
        s_failure = null;
        Volatile.Write(ref s_pending, parts - 1);
        for (int part = 1; part < parts; part++)
        {
            workers[part - 1].Start();
        }

        try
        {
            s_results[0] = work.RunPart(0, parts);
        }
        catch (Exception exception)
        {
            s_failure ??= ExceptionDispatchInfo.Capture(exception);
        }

        WaitForWorkers();
        s_work = null;
        s_failure?.Throw();
        float sum = 0f;
        for (int part = 0; part < parts; part++)
        {
            sum += s_results[part];
        }

        return sum;
    }

    // A sharded step as parallel work: the spans come from the pointers Run pinned (the caller's own, for shard 0).
    private sealed class ShardedStepWork : IParallelWork
    {
        public float RunPart(int part, int parts) =>
            s_step!.RunShard(
                part, parts,
                new ReadOnlySpan<float>(s_inputs, s_inputsLength),
                new ReadOnlySpan<int>(s_labels, s_labelsLength),
                new ReadOnlySpan<float>(s_targets, s_targetsLength));
    }

    // The caller waits at most one shard's time: it spins and yields, never blocks, so waiting allocates nothing
    // (a first blocking wait on an event would create its lock object in the middle of a training step). It first spins on
    // the count alone (s_spinFor): a yield is a system call, microseconds in a virtual machine, and the worker's last write
    // would otherwise wait for it to return.
    private static void WaitForWorkers()
    {
        long start = Stopwatch.GetTimestamp();
        int spins = 0;
        while (Volatile.Read(ref s_pending) > 0 && SpinBriefly(start, ref spins))
        {
        }

        var spinner = new SpinWait();
        while (Volatile.Read(ref s_pending) > 0)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    // How long a waiting thread spins without yielding: 50 µs, longer than a training step's gaps between its hand-offs
    // and short enough that a machine with more runnable threads than cores loses little to it (the thread waited for may
    // be the one descheduled). The clock is read every 16 rounds (a system call where it has no vDSO).
    private static readonly long s_spinFor = Stopwatch.Frequency / 20_000;

    // One round of that spin; false once s_spinFor has passed since `start`.
    private static bool SpinBriefly(long start, ref int spins)
    {
        Thread.SpinWait(1);
        return ++spins % 16 != 0 || Stopwatch.GetTimestamp() - start <= s_spinFor;
    }

    private static Worker[] StartWorkers()
    {
        var workers = new Worker[s_workerCount];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new Worker(i + 1);
        }

        return workers;
    }

    private sealed class Worker
    {
        private const int SpinsBeforeSleeping = 4000;

        private readonly int _shard;
        private readonly ManualResetEventSlim _go = new(false);

        public Worker(int shard)
        {
            _shard = shard;
            new Thread(Loop) { IsBackground = true, Name = $"GenNet worker {shard}" }.Start();
        }

        public void Start() => _go.Set();

        private void Loop()
        {
            while (true)
            {
                // Training steps come back to back: spin a while before sleeping, so a step does not pay a thread wake-up;
                // between epochs and after training the worker sleeps on the event. For the first s_spinFor it spins on the
                // flag alone, without the yields that SpinWait makes after a few rounds: each is a system call (a few
                // microseconds on a virtual machine, seen here), which a product split by outputs would wait for.
                long start = Stopwatch.GetTimestamp();
                int spins = 0;
                while (!_go.IsSet && SpinBriefly(start, ref spins))
                {
                }

                var spinner = new SpinWait();
                while (!_go.IsSet && spinner.Count < SpinsBeforeSleeping)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }

                _go.Wait();
                _go.Reset();
                try
                {
                    s_results[_shard] = s_work!.RunPart(_shard, s_shards);
                }
                catch (Exception exception)
                {
                    Interlocked.CompareExchange(ref s_failure, ExceptionDispatchInfo.Capture(exception), null);
                }

                Interlocked.Decrement(ref s_pending);
            }
        }
    }
}
