namespace MatteKit.Media;

/// <summary>
/// The one place that opens a file a user named as data (an image, a background, a model): only a regular file
/// is read, and never more bytes than the format allows. A FIFO would block forever and <c>/dev/zero</c> (or a
/// symbolic link to it named <c>.png</c>) would fill memory, so both are refused before a byte is read.
/// </summary>
internal static class InputFile
{
    /// <summary>
    /// Throws unless <paramref name="path"/> names a regular file (symbolic links followed).
    /// <paramref name="what"/> says what the file was meant to be ("a background image", "a TFLite model").
    /// </summary>
    /// <exception cref="MediaFormatException">Missing, a directory, a FIFO, a device or a socket.</exception>
    public static void RequireRegular(string path, string what)
    {
        if (Problem(path, what) is { } problem) throw new MediaFormatException(path, problem);
    }

    /// <summary>
    /// Throws unless <paramref name="path"/> names a regular file of at most <paramref name="maxBytes"/> bytes: for
    /// a file another reader (ffmpeg) opens, checked before it is handed over.
    /// </summary>
    /// <exception cref="MediaFormatException">Not a regular file, or larger than the cap.</exception>
    public static void RequireRegular(string path, string what, long maxBytes)
    {
        RequireRegular(path, what);
        long length = new FileInfo(path).Length;
        if (length > maxBytes) throw TooLarge(path, length, maxBytes, what);
    }

    /// <summary>
    /// The extension that decides what a file read is (an image, a PNG or a video; weights as .pth, .onnx, .tflite or
    /// model.json), white space at its ends dropped: a path that is read may end in white space when a file of that
    /// name is there (<c>OptionValues.PathTextProblem</c>), and <c>"a.png "</c>, by its extension ".png ", was taken
    /// for a video, its .png output refused as needing "a single image input"; <c>--weights "r.onnx "</c> was read as
    /// weights of an unknown format.
    /// </summary>
    public static string KindExtension(string path) => Path.GetExtension(path).Trim();

    /// <summary>Whether <paramref name="path"/>'s <see cref="KindExtension"/> is <paramref name="extension"/> (".png"), in any case.</summary>
    public static bool HasKindExtension(string path, string extension) => KindExtension(path).Equals(extension, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// What a file of 0 bytes named as input is said to be, by every reader: ffmpeg's "Invalid data found when
    /// processing input" named no cause, and a 0-byte file is a failed download or a copy cut short, not a format.
    /// </summary>
    public const string EmptyProblem = "is empty (0 bytes)";

    /// <summary>Whether <paramref name="path"/> names a regular file of 0 bytes (a URL, stdin or a FIFO never is).</summary>
    public static bool IsEmpty(string path) => FileIdentity.Of(path)?.Kind == FileKind.Regular && new FileInfo(path).Length == 0;

    /// <summary>Null when <paramref name="path"/> is a regular file; else what it is instead, as one phrase.</summary>
    public static string? Problem(string path, string what) => FileIdentity.Of(path)?.Kind switch
    {
        FileKind.Regular => null,
        null => "file not found",
        FileKind.Directory => $"is a folder, not {what}",
        { } kind => $"is {kind.Phrase()}, not {what}; only regular files are read",
    };

    /// <summary>
    /// The whole of a regular file of at most <paramref name="maxBytes"/> bytes. The size is checked before
    /// reading, and the read stops at the cap even if the file grows meanwhile.
    /// </summary>
    /// <exception cref="MediaFormatException">Not a regular file, larger than the cap, or unreadable.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what)
    {
        RequireRegular(path, what);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            long length = stream.Length;
            if (length > maxBytes || length > Array.MaxLength) throw TooLarge(path, length, Math.Min(maxBytes, Array.MaxLength), what);
            var bytes = new byte[length];
            int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got != bytes.Length) throw new MediaFormatException(path, $"changed while being read ({got} of {length} bytes)");
            return bytes;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new MediaFormatException(path, "cannot be read (permission denied)", e);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new MediaFormatException(path, "cannot be read: " + e.Message.ReplaceLineEndings(" "), e);
        }
        catch (FileNotFoundException e)
        {
            throw new MediaFormatException(path, "file not found", e);
        }
    }

    private static MediaFormatException TooLarge(string path, long length, long maxBytes, string what)
        => new(path, $"{length} bytes, more than the {Describe(maxBytes)} {what} may have");

    private static string Describe(long bytes) => bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : $"{bytes} bytes";
}
