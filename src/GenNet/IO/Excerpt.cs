namespace GenNet;

/// <summary>How error messages quote text that came from a file: whole when short, otherwise its start and its length.</summary>
internal static class Excerpt
{
    private const int Shown = 40;

    public static string Of(string text)
    {
        if (text.Length <= Shown)
        {
            return text;
        }

        int cut = char.IsHighSurrogate(text[Shown - 1]) ? Shown - 1 : Shown; // never half a character
        return $"{text[..cut]}… ({text.Length:N0} characters)";
    }
}
