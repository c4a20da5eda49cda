using MatteKit.Datasets;
using MatteKit.Media;

namespace MatteKit.Training.Data;

/// <summary>
/// Reads training images (PNG directly, JPEG and others through ffmpeg) and lists frame folders. Every file is
/// admitted through <see cref="InputFile"/> first: only regular files (a FIFO would block, <c>/dev/zero</c> named
/// <c>.png</c> would fill memory), and none larger than <see cref="MaxImageBytes"/>.
/// </summary>
internal static class FrameFiles
{
    public static readonly string[] ImageExtensions = BackgroundFrames.ImageExtensions;

    /// <summary>
    /// The largest image file read: the largest picture decoded (<see cref="PixelLimit.Default"/>, 40 Mpx) as a
    /// 16-bit RGBA PNG stored without compression is 320 MB plus its rows' filter bytes and chunk headers.
    /// </summary>
    public const long MaxImageBytes = 384L << 20;

    public static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The images of a folder in natural order; an empty or missing folder is one clear error.</summary>
    public static string[] List(string folder)
    {
        if (!Directory.Exists(folder)) throw new MediaFormatException(folder, "folder not found");
        var files = Directory.EnumerateFiles(folder).Where(IsImage).Order(NaturalOrder.Instance).ToArray();
        if (files.Length == 0) throw new MediaFormatException(folder, "folder holds no images (.png, .jpg, ...)");
        return files;
    }

    /// <summary>Throws unless <paramref name="path"/> is a regular file of at most <paramref name="maxBytes"/> bytes.</summary>
    public static void Admit(string path, string what, long maxBytes = MaxImageBytes)
    {
        InputFile.RequireRegular(path, what);
        long length = new FileInfo(path).Length;
        if (length > maxBytes) throw new MediaFormatException(path, $"{length} bytes, more than the {maxBytes >> 20} MiB {what} may have");
    }

    public static RgbImage ReadRgb(string path)
    {
        if (!IsPng(path))
        {
            Admit(path, "an image");
            return BackgroundFrames.ReadImage(path);
        }
        using var stream = new MemoryStream(InputFile.ReadAllBytes(path, MaxImageBytes, "a PNG image"), writable: false);
        return PngFile.ReadRgb(stream, path);
    }

    /// <summary>
    /// The size an image's header declares (a few bytes read): lets every frame of a clip be checked before
    /// training starts, not when a sequence happens to draw it.
    /// </summary>
    public static (int Width, int Height) HeaderSize(string path)
    {
        Admit(path, "an image");
        return ImageHeader.Size(path);
    }

    /// <summary>A grey image (alpha or mask): PNG read as grey; other formats through ffmpeg, first channel.</summary>
    public static GrayImage ReadGray(string path)
    {
        if (IsPng(path))
        {
            using var stream = new MemoryStream(InputFile.ReadAllBytes(path, MaxImageBytes, "a PNG image"), writable: false);
            return PngFile.ReadGray(stream, path);
        }
        var rgb = ReadRgb(path);
        var gray = new byte[rgb.Width * rgb.Height];
        for (int i = 0; i < gray.Length; i++) gray[i] = rgb.Pixels[i * 3];
        return new GrayImage(rgb.Width, rgb.Height, gray);
    }

    private static bool IsPng(string path) => path.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
}
