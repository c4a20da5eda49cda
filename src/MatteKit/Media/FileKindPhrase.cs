namespace MatteKit.Media;

/// <summary>
/// A kind of file as the errors name it ("is a FIFO (named pipe), ..."): one wording for the input, output and plan
/// checks, which each had their own switch of these phrases.
/// </summary>
internal static class FileKindPhrase
{
    /// <summary>The kind with its article: "a file", "a folder", "a FIFO (named pipe)", "a device", "a socket" ("not a regular file" else).</summary>
    public static string Phrase(this FileKind kind) => kind switch
    {
        FileKind.Regular => "a file",
        FileKind.Directory => "a folder",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Device => "a device",
        FileKind.Socket => "a socket",
        _ => "not a regular file",
    };
}
