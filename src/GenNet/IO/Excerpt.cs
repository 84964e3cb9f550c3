namespace GenNet;

/// <summary>How error messages quote text that came from a file: whole when short, otherwise its start and its length.</summary>
internal static class Excerpt
{
    private const int Shown = 40;

    public static string Of(string text) => text.Length <= Shown ? text : $"{text[..Shown]}… ({text.Length:N0} characters)";
}
