using System;
using System.IO;
using System.Linq;
using GenNet.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Xunit;

namespace GenNet.Generator.Tests;

/// <summary>The descriptor table, its help links, docs/diagnostics.md, AnalyzerReleases.Unshipped.md and the README agree.</summary>
public sealed class DiagnosticTableTests
{
    private static readonly string s_root = FindRoot();

    private static string FindRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GenNet.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("GenNet.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Read(string relativePath) => File.ReadAllText(Path.Combine(s_root, relativePath));

    public static TheoryData<string> Ids() => new(DiagnosticDescriptors.All.Select(d => d.Id));

    [Fact]
    public void Ids_are_consecutive_from_GN0001() =>
        Assert.Equal(Enumerable.Range(1, DiagnosticDescriptors.All.Count()).Select(i => $"GN{i:D4}"), DiagnosticDescriptors.All.Select(d => d.Id));

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_diagnostic_links_to_its_entry_in_the_docs(string id)
    {
        DiagnosticDescriptor descriptor = DiagnosticDescriptors.ById(id);
        string anchor = id.ToLowerInvariant();
        // GenNet has no public home yet (GenNetHome is empty): no help link rather than one into a placeholder.
        Assert.Null(DiagnosticDescriptors.ProjectHome.Url);
        Assert.Equal("", descriptor.HelpLinkUri);
        Assert.Equal("GenNet", descriptor.Category);
        Assert.True(descriptor.IsEnabledByDefault);

        string docs = Read("docs/diagnostics.md");
        string severity = descriptor.DefaultSeverity == DiagnosticSeverity.Error ? "error" : "warning";
        Assert.Contains($"| [{id}](#{anchor}) | {severity} |", docs);
        Assert.Contains($"<a id=\"{anchor}\"></a>\n## {id}: {descriptor.Title}\n", docs);
        string entry = docs.Substring(docs.IndexOf($"## {id}:", StringComparison.Ordinal)).Split("\n<a id=")[0];
        Assert.Contains("```", entry);       // an example
        Assert.Contains("**Fix:**", entry);  // and the fix
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_diagnostic_is_in_the_release_tracking_file_and_the_readme(string id)
    {
        DiagnosticDescriptor descriptor = DiagnosticDescriptors.ById(id);
        Assert.Contains($"{id} | GenNet | {descriptor.DefaultSeverity} | {descriptor.Title}", Read("generator/GenNet.Generator/Diagnostics/AnalyzerReleases.Unshipped.md"));
        Assert.Contains($"| {id} |", Read("README.md"));
    }
}
