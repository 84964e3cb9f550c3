using System.Linq;
using BenchmarkDotNet.Running;
using GenNet.Benchmarks;

// dotnet run -c Release --project tests/GenNet.Benchmarks -- [--quick] --filter '*'
// dotnet run -c Release --project tests/GenNet.Benchmarks -- --cold-start     (new processes; see ColdStart)
// dotnet run -c Release --project tests/GenNet.Benchmarks -- --training-phases (the MLP's step by phase; see TrainingPhases)
if (args.Contains("--cold-start"))
{
    return ColdStart.Run();
}

if (args.Contains("--training-phases"))
{
    return TrainingPhases.Run();
}

if (args.Contains("--cold-start-child"))
{
    return ColdStart.Child();
}

Workload.Quick = args.Contains("--quick");
BenchmarkSwitcher.FromAssembly(typeof(Workload).Assembly).Run(args.Where(a => a != "--quick").ToArray(), new BenchmarkConfig());
return 0;
