using System;
using System.Diagnostics;
using System.IO;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>
/// The in-process tests run the widest vectors the machine has. These re-run every forward and gradient check
/// in a child process with the narrower paths forced by the runtime's own switches: 256-bit (no AVX-512),
/// 128-bit (no AVX2) and scalar (no hardware intrinsics at all) — for GenNet's kernels and TensorPrimitives alike.
/// </summary>
public sealed class SimdPathTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("DOTNET_EnableAVX512", "512=False")]
    [InlineData("DOTNET_EnableAVX2", "512=False 256=False")]
    [InlineData("DOTNET_EnableHWIntrinsic", "512=False 256=False 128=False")]
    public async System.Threading.Tasks.Task Every_check_passes_with_narrower_vectors(string switchName, string expectedVectors)
    {
        string dotnet = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("simd-check");
        start.Environment[switchName] = "0";

        using Process child = Process.Start(start) ?? throw new InvalidOperationException("could not start the check process");
        var error = child.StandardError.ReadToEndAsync();
        string text = await child.StandardOutput.ReadToEndAsync();
        Assert.True(child.WaitForExit(TimeSpan.FromMinutes(5)), "the check process did not finish");
        output.WriteLine(text + await error);

        Assert.Contains(expectedVectors, text.Split('\n')[0]); // the switch really took effect
        Assert.Contains("failures: 0", text);
        Assert.Equal(0, child.ExitCode);
    }
}
