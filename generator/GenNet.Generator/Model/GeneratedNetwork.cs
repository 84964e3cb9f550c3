namespace GenNet.Generator.Model;

/// <summary>One network's generated source, and the warnings that depend on it (GN0015 gives the source's size).</summary>
internal sealed record GeneratedNetwork(string HintName, string Source, EquatableArray<DiagnosticInfo> Diagnostics);
