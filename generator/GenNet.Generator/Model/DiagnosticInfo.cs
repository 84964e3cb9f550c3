using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Model;

/// <summary>A diagnostic held as values, so it can travel through the pipeline and be compared.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments) =>
        new(descriptor.Id, location, arguments.Select(a => Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToEquatableArray());

    /// <summary>The diagnostic, located in <paramref name="compilation"/>'s syntax tree when given (see <see cref="LocationInfo.ToLocation(Compilation?)"/>).</summary>
    public Diagnostic ToDiagnostic(Compilation? compilation = null) =>
        Diagnostic.Create(Diagnostics.DiagnosticDescriptors.ById(Id), Location?.ToLocation(compilation), Arguments.Items.Cast<object>().ToArray());
}
