using System;
using System.Collections.Generic;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// For checks written as <c>int Run(Action&lt;string&gt; report)</c> — each failure reported, their number returned — so
/// that <see cref="Program"/>'s simd-check runs them in child processes too: the same check as a test.
/// </summary>
public static class FailureReports
{
    /// <summary>Runs <paramref name="run"/> and fails with every failure it reported.</summary>
    public static void AssertNone(Func<Action<string>, int> run)
    {
        var failures = new List<string>();
        int count = run(failures.Add);
        Assert.True(count == 0, $"{count} failures:\n" + string.Join("\n", failures));
    }
}
