using System;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace GenNet.Benchmarks;

/// <summary>The model FLOPs one invocation of a benchmark does, for the GFLOP/s column.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FlopsAttribute(long perSample, bool epoch) : Attribute
{
    public long PerSample { get; } = perSample;

    /// <summary>True when an invocation is an epoch over <see cref="Workload.Train"/>; false when it is one batch (the BatchSize parameter).</summary>
    public bool Epoch { get; } = epoch;
}

/// <summary>Samples, model FLOPs and achieved GFLOP/s per benchmark row.</summary>
public sealed class FlopsColumn(bool gflops) : IColumn
{
    public string Id => gflops ? "GFLOPs" : "Samples";

    public string ColumnName => gflops ? "GFLOP/s" : "Samples/op";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => gflops ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => gflops ? "model FLOPs per invocation / mean time" : "samples processed per invocation";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        FlopsAttribute? flops = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<FlopsAttribute>();
        if (flops is null)
        {
            return "-";
        }

        long samples = flops.Epoch
            ? (benchmarkCase.Descriptor.Type.GetField("Samples", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as int? ?? Workload.Train.Count)
            : (int)(benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "BatchSize")?.Value ?? 1);
        if (!gflops)
        {
            return samples.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        }

        double? nanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return nanoseconds is { } ns and > 0
            ? (samples * flops.PerSample / ns).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)
            : "-";
    }
}

/// <summary>
/// In-process runs (the peers' native libraries load once, nothing is rebuilt), with allocation counts.
/// <c>--quick</c>: one warm-up and three measured iterations and epochs over a tenth of the data,
/// under two minutes in all; the default: 10 measured iterations and full 60,000-sample epochs.
/// The convnet epochs (<see cref="ConvTrainingBenchmarks"/>) take seconds each and override this with
/// <see cref="EpochJobAttribute"/>: one warm-up and three measured epochs in both modes.
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        Job job = Workload.Quick
            ? Job.ShortRun.WithWarmupCount(1)
            : Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1);
        AddJob(job.WithToolchain(InProcessEmitToolchain.Instance).WithId(Workload.Quick ? "quick" : "full"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new FlopsColumn(gflops: false), new FlopsColumn(gflops: true));
        AddColumnProvider(DefaultColumnProviders.Instance);
        AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default);
        AddExporter(BenchmarkDotNet.Exporters.MarkdownExporter.GitHub);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}
