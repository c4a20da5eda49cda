using System.Globalization;
using MatteKit.Compositing;

namespace MatteKit.Conversion;

/// <summary>
/// What a composition is laid over: a colour, nothing (<see cref="Transparent"/>: RGBA outputs), the frame itself
/// blurred, or an image or video file (scaled to cover the frame and centre-cropped; a video looped or cut to the
/// input's length). A file is opened, probed and checked when the conversion or live session starts.
/// </summary>
public sealed record Background
{
    private Background(string text, bool transparent = false, RgbColor? color = null, double? blurSigma = null, string? file = null)
    {
        Text = text;
        IsTransparent = transparent;
        Color = color;
        BlurSigma = blurSigma;
        FilePath = file;
    }

    /// <summary>The default: green (120, 255, 155).</summary>
    public static Background Green { get; } = new("green", color: RgbColor.Green);

    /// <summary>No background: the composition is RGBA (.webm VP9 with alpha, .mov ProRes 4444, .gif, RGBA PNGs).</summary>
    public static Background Transparent { get; } = new("transparent", transparent: true);

    /// <summary>A solid colour.</summary>
    public static Background FromColor(byte red, byte green, byte blue)
    {
        var color = new RgbColor(red, green, blue);
        return new(color.ToString(), color: color);
    }

    /// <summary>The frame itself blurred (a Gaussian of <paramref name="sigma"/> pixels), behind the person.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Sigma outside (0, <see cref="MaxBlurSigma"/>].</exception>
    public static Background BlurredFrame(double sigma = BackgroundBlur.DefaultSigma)
    {
        if (!(sigma > 0 && sigma <= MaxBlurSigma))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, $"a blurred background needs a sigma in (0, {MaxBlurSigma}] pixels");
        return new(sigma == BackgroundBlur.DefaultSigma ? "blur" : $"blur:{sigma.ToString(CultureInfo.InvariantCulture)}", blurSigma: sigma);
    }

    /// <summary>An image (by its extension) or a video file.</summary>
    public static Background FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new(path, file: path);
    }

    /// <summary>The largest blur sigma, in pixels.</summary>
    public const double MaxBlurSigma = BackgroundBlur.MaxSigma;

    /// <summary>What <see cref="Parse"/> takes, for messages.</summary>
    public const string Choices = "green, black, white, #RRGGBB, transparent, blur[:SIGMA], or an existing image or video file";

    /// <summary>
    /// green, black, white, #RRGGBB, transparent, blur or blur:SIGMA (any case); anything else names a file, which must exist
    /// when the background is opened.
    /// </summary>
    /// <exception cref="ArgumentException">blur:SIGMA with SIGMA out of range, or empty text.</exception>
    public static Background Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) throw new ArgumentException($"background '' is not {Choices}");
        if (text.Equals("transparent", StringComparison.OrdinalIgnoreCase)) return new(text, transparent: true);
        if (RgbColor.TryParse(text, out var color)) return new(text, color: color);
        if (text.Equals("blur", StringComparison.OrdinalIgnoreCase)) return new(text, blurSigma: BackgroundBlur.DefaultSigma);
        if (text.StartsWith("blur:", StringComparison.OrdinalIgnoreCase))
            return double.TryParse(text.AsSpan(5), NumberStyles.Float, CultureInfo.InvariantCulture, out double sigma) && sigma > 0 && sigma <= MaxBlurSigma
                ? new(text, blurSigma: sigma)
                : throw new ArgumentException($"background '{text}': blur:SIGMA needs SIGMA, the blur's radius in pixels, in (0, {MaxBlurSigma}]");
        // A colour that is not one is a mistyped colour, not a file name.
        if (text.StartsWith('#') && !File.Exists(text)) throw new ArgumentException($"background '{text}' is not {Choices} (a colour is #RRGGBB)");
        return new(text, file: text);
    }

    /// <summary>The background as it was given (or made: <c>#RRGGBB</c>, <c>blur:SIGMA</c>, the path).</summary>
    public string Text { get; }

    /// <summary>Whether the composition has no background (RGBA).</summary>
    public bool IsTransparent { get; }

    /// <summary>The solid colour, when it is one.</summary>
    internal RgbColor? Color { get; }

    /// <summary>The blur's sigma in pixels, when it is the frame blurred.</summary>
    internal double? BlurSigma { get; }

    /// <summary>The image or video file, when it is one (not checked until opened).</summary>
    internal string? FilePath { get; }

    public override string ToString() => Text;
}
