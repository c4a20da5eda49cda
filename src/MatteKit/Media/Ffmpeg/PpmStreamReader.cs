namespace MatteKit.Media.Ffmpeg;

/// <summary>
/// Reads binary PPM images (P6, 8-bit) one after another from a stream, as ffmpeg writes them with
/// <c>-f image2pipe -c:v ppm</c>. Each frame carries its own size, so inputs whose size is not known in advance
/// (stdin, devices, URLs) need no probing, and the pixel bytes go straight into the caller's buffer.
/// </summary>
internal sealed class PpmStreamReader
{
    private readonly Stream _stream;
    private readonly string _sourceName;
    private readonly byte[] _one = new byte[1];

    private readonly long _maxPixels;

    public PpmStreamReader(Stream stream, string sourceName, long maxPixels)
    {
        _stream = stream;
        _sourceName = sourceName;
        _maxPixels = maxPixels;
    }

    /// <summary>
    /// Reads the next frame into <paramref name="pixels"/>, replacing it only when it is too small. Returns false
    /// at a clean end of stream (no bytes of a new frame).
    /// </summary>
    public bool Read(ref byte[] pixels, out int width, out int height)
    {
        width = height = 0;
        int first = ReadByte();
        if (first < 0) return false;
        if (first != 'P' || ReadByte() != '6') throw Bad("is not a P6 frame");
        width = ReadNumber();
        height = ReadNumber();
        int max = ReadNumber();
        if (width <= 0 || height <= 0 || max != 255) throw Bad($"has an unexpected header ({width}x{height}, max {max})");
        PixelLimit.Check(_sourceName, width, height, _maxPixels);
        int size = checked(width * height * 3);
        if (pixels.Length < size) pixels = new byte[size];
        _stream.ReadExactly(pixels, 0, size);
        return true;
    }

    private int ReadNumber()
    {
        int c;
        do c = ReadByte(); while (c is ' ' or '\n' or '\r' or '\t');
        if (c is < '0' or > '9') throw Bad("header has no number where one belongs");
        int value = 0;
        while (c is >= '0' and <= '9')
        {
            value = checked(value * 10 + (c - '0'));
            c = ReadByte();
        }
        // The single whitespace after the last number is consumed here, leaving the stream at the pixels.
        return value;
    }

    private int ReadByte() => _stream.Read(_one, 0, 1) == 1 ? _one[0] : -1;

    private MediaFormatException Bad(string problem) => new(_sourceName, $"decoded frame stream {problem}");
}
