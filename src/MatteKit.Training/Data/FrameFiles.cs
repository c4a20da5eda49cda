using MatteKit.Datasets;
using MatteKit.Media;

namespace MatteKit.Training.Data;

/// <summary>Reads training images (PNG directly, JPEG and others through ffmpeg) and lists frame folders.</summary>
internal static class FrameFiles
{
    public static readonly string[] ImageExtensions = BackgroundFrames.ImageExtensions;

    public static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The images of a folder in natural order; an empty or missing folder is one clear error.</summary>
    public static string[] List(string folder)
    {
        if (!Directory.Exists(folder)) throw new MediaFormatException(folder, "folder not found");
        var files = Directory.EnumerateFiles(folder).Where(IsImage).Order(NaturalOrder.Instance).ToArray();
        if (files.Length == 0) throw new MediaFormatException(folder, "folder holds no images (.png, .jpg, ...)");
        return files;
    }

    public static RgbImage ReadRgb(string path) => BackgroundFrames.ReadImage(path);

    /// <summary>
    /// The size a PNG's header declares (24 bytes read), or null for other formats: lets every frame of a clip be
    /// checked before training starts, not when a sequence happens to draw it.
    /// </summary>
    public static (int Width, int Height)? PngSize(string path)
    {
        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) return null;
        Span<byte> head = stackalloc byte[24];
        using (var f = File.OpenRead(path))
            if (f.ReadAtLeast(head, 24, throwOnEndOfStream: false) < 24 || !head[12..16].SequenceEqual("IHDR"u8))
                throw new MediaFormatException(path, "not a PNG file (no IHDR header)");
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(head[16..]), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(head[20..]));
    }

    /// <summary>A grey image (alpha or mask): PNG read as grey; other formats through ffmpeg, first channel.</summary>
    public static GrayImage ReadGray(string path)
    {
        if (path.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) return PngFile.ReadGray(path);
        var rgb = BackgroundFrames.ReadImage(path);
        var gray = new byte[rgb.Width * rgb.Height];
        for (int i = 0; i < gray.Length; i++) gray[i] = rgb.Pixels[i * 3];
        return new GrayImage(rgb.Width, rgb.Height, gray);
    }
}
