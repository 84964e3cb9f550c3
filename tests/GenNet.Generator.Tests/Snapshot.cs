using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit.Sdk;

namespace GenNet.Generator.Tests;

/// <summary>
/// Snapshot files in Verify's convention: <c>Snapshots/{Name}.verified.cs</c> is committed; a mismatch writes
/// <c>{Name}.received.cs</c> beside it and fails with the first difference. Set GENNET_ACCEPT_SNAPSHOTS=1 to accept
/// (the received text becomes the verified file) — then read the diff before committing it.
/// </summary>
public static class Snapshot
{
    public static void Match(string name, string actual, [CallerFilePath] string testFile = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        string verified = Path.Combine(directory, name + ".verified.cs");
        string received = Path.Combine(directory, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;

        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        if (Environment.GetEnvironmentVariable("GENNET_ACCEPT_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        throw new XunitException(expected is null
            ? $"No snapshot {verified} yet. Read {received}; accept it with GENNET_ACCEPT_SNAPSHOTS=1."
            : $"Snapshot {name} differs ({FirstDifference(expected, actual)}). Compare {received} with {verified}; accept with GENNET_ACCEPT_SNAPSHOTS=1.");
    }

    private static string FirstDifference(string expected, string actual)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string left = i < a.Length ? a[i] : "<end>", right = i < b.Length ? b[i] : "<end>";
            if (left != right)
            {
                return $"line {i + 1}: expected `{left.Trim()}`, got `{right.Trim()}`";
            }
        }

        return "line endings";
    }
}
