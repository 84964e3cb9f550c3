using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace GenNet.Generator.Model;

/// <summary>A source location held as values (file path and spans), never as a <see cref="Location"/>.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    /// <summary>
    /// The location in <paramref name="compilation"/>'s syntax tree of the same path, so that <c>#pragma warning disable</c>
    /// applies (the compiler checks pragmas only for locations in a syntax tree, not for a path and span; dotnet/roslyn#68291).
    /// Falls back to path and span when the tree is gone.
    /// </summary>
    public Location ToLocation(Compilation? compilation)
    {
        if (compilation is not null)
        {
            foreach (SyntaxTree tree in compilation.SyntaxTrees)
            {
                if (tree.FilePath == FilePath && Span.End <= tree.Length)
                {
                    return Location.Create(tree, Span);
                }
            }
        }

        return ToLocation();
    }

    public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());

    public static LocationInfo? From(Location? location) =>
        location?.SourceTree is null ? null : new(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}
