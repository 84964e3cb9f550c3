using BenchmarkDotNet.Running;

namespace GenNet.Benchmarks;

/// <summary>Runs the benchmarks named on the command line, e.g. <c>-- --filter *Generator*</c>; BenchmarkDotNet's switcher lists them otherwise.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
