using MatteKit.Media;

namespace MatteKit.Datasets;

/// <summary>A person cut-out: a photo and its alpha (same size), with the alpha's bounding box.</summary>
internal sealed class Cutout
{
    private Cutout(string name, int width, int height, byte[] rgb, byte[] alpha)
    {
        Name = name;
        Width = width;
        Height = height;
        Rgb = rgb;
        Alpha = alpha;
        int left = width, right = -1, top = height, bottom = -1;
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            if (alpha[y * width + x] == 0) continue;
            left = Math.Min(left, x);
            right = Math.Max(right, x);
            top = Math.Min(top, y);
            bottom = Math.Max(bottom, y);
        }
        Bounds = (left, top, right + 1, bottom + 1);
        TouchesBottom = bottom == height - 1;
    }

    public string Name { get; }
    public int Width { get; }
    public int Height { get; }
    public byte[] Rgb { get; }
    public byte[] Alpha { get; }

    /// <summary>Where alpha is above 0: left, top (inclusive), right, bottom (exclusive).</summary>
    public (int Left, int Top, int Right, int Bottom) Bounds { get; }

    /// <summary>A half-body cut-out: its alpha reaches the photo's bottom row, where the cut edge is.</summary>
    public bool TouchesBottom { get; }

    /// <summary>
    /// Reads <c>folder/image.*</c> (PNG directly, JPEG and others through ffmpeg) and <c>folder/alpha.png</c>.
    /// </summary>
    public static Cutout Load(string folder)
    {
        var alphaPath = Path.Combine(folder, "alpha.png");
        var imagePath = Directory.EnumerateFiles(folder, "image.*").Order(StringComparer.Ordinal).FirstOrDefault();
        if (imagePath is null || !File.Exists(alphaPath))
            throw new MediaFormatException(folder, "a foreground folder needs image.jpg (or image.png) and alpha.png");
        var image = BackgroundFrames.ReadImage(imagePath);
        var (aw, ah, alpha) = PngFile.ReadGray(alphaPath);
        if (aw != image.Width || ah != image.Height)
            throw new MediaFormatException(alphaPath, $"alpha is {aw}x{ah} but {Path.GetFileName(imagePath)} is {image.Width}x{image.Height}");
        var cutout = new Cutout(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)), image.Width, image.Height, image.Pixels, alpha);
        if (cutout.Bounds.Right <= cutout.Bounds.Left) throw new MediaFormatException(alphaPath, "alpha is 0 everywhere: there is no person to cut out");
        return cutout;
    }

    /// <summary>This cut-out reduced by averaging <paramref name="factor"/> x <paramref name="factor"/> blocks.</summary>
    public Cutout Reduce(int factor)
    {
        if (factor < 2) return this;
        var rgb = Resampler.ReduceByArea(Rgb, Width, Height, 3, factor, out int w, out int h);
        var alpha = Resampler.ReduceByArea(Alpha, Width, Height, 1, factor, out _, out _);
        return new Cutout(Name, w, h, rgb, alpha);
    }
}
