using System.Linq;
using BenchmarkDotNet.Running;
using GenNet.Benchmarks;

// dotnet run -c Release --project tests/GenNet.Benchmarks -- [--quick] --filter '*'
Workload.Quick = args.Contains("--quick");
BenchmarkSwitcher.FromAssembly(typeof(Workload).Assembly).Run(args.Where(a => a != "--quick").ToArray(), new BenchmarkConfig());
