using MatteKit.Datasets;
using MatteKit.Media;

namespace MatteKit.Training.Data;

/// <summary>
/// Reads training images (PNG directly, JPEG and others through ffmpeg) and lists frame folders. Every file is
/// admitted as <see cref="InputFile"/> says: only regular files (a FIFO would block, <c>/dev/zero</c> named
/// <c>.png</c> would fill memory), and none larger than <see cref="MaxImageBytes"/>.
/// </summary>
internal static class FrameFiles
{
    public static readonly string[] ImageExtensions = BackgroundFrames.ImageExtensions;

    /// <summary>The largest image file read: the largest PNG of <see cref="PixelLimit.Default"/> pixels (the same cap PNGs are read with).</summary>
    public static readonly long MaxImageBytes = PngReader.MaxFileBytes(PixelLimit.Default);

    public static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The images of a folder in natural order; an empty or missing folder is one clear error.</summary>
    public static string[] List(string folder)
    {
        if (!Directory.Exists(folder)) throw new MediaFormatException(folder, "folder not found");
        var files = Directory.EnumerateFiles(folder).Where(IsImage).Order(NaturalOrder.Instance).ToArray();
        if (files.Length == 0) throw new MediaFormatException(folder, "folder holds no images (.png, .jpg, ...)");
        return files;
    }

    /// <summary>Throws unless <paramref name="path"/> is a regular image file of at most <see cref="MaxImageBytes"/>.</summary>
    public static void Admit(string path) => InputFile.RequireRegular(path, "an image", MaxImageBytes);

    public static RgbImage ReadRgb(string path)
    {
        if (IsPng(path)) return PngFile.ReadRgb(path);
        Admit(path);
        return BackgroundFrames.ReadImage(path);
    }

    /// <summary>
    /// The size an image's header declares (a few bytes read): lets every frame of a clip be checked before
    /// training starts, not when a sequence happens to draw it.
    /// </summary>
    public static (int Width, int Height) HeaderSize(string path)
    {
        Admit(path);
        return ImageHeader.Size(path);
    }

    /// <summary>A grey image (alpha or mask): PNG read as grey; other formats through ffmpeg, first channel.</summary>
    public static GrayImage ReadGray(string path)
    {
        if (IsPng(path)) return PngFile.ReadGray(path);
        var rgb = ReadRgb(path);
        var gray = new byte[rgb.Width * rgb.Height];
        for (int i = 0; i < gray.Length; i++) gray[i] = rgb.Pixels[i * 3];
        return new GrayImage(rgb.Width, rgb.Height, gray);
    }

    private static bool IsPng(string path) => path.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
}
