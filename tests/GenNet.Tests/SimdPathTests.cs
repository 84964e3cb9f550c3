using System.Collections.Generic;
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
        (int exitCode, string text) = await ChildProcess.RunAsync(new Dictionary<string, string> { [switchName] = "0" }, "simd-check");
        output.WriteLine(text);

        Assert.Contains(expectedVectors, text.Split('\n')[0]); // the switch really took effect
        Assert.Contains("failures: 0", text);
        Assert.Equal(0, exitCode);
    }
}
