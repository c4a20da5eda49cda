namespace MatteKit.Media;

/// <summary>
/// Text taken from a damaged or hostile file (a tensor name, a pickle global, a library's message about it) as it
/// may appear in a one-line error: printable ASCII only, anything else shown as '?', and cut short, so that a
/// megabyte of binary read as a name never reaches the terminal.
/// </summary>
internal static class PrintableText
{
    public static string Excerpt(string text, int max = 200)
    {
        var shown = text.Length > max ? text[..max] : text;
        var printable = string.Create(shown.Length, shown, (span, s) =>
        {
            for (int i = 0; i < s.Length; i++) span[i] = s[i] is >= ' ' and <= '~' ? s[i] : '?';
        });
        return text.Length > max ? printable + "..." : printable;
    }
}
