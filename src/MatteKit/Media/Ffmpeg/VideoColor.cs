using System.Diagnostics.CodeAnalysis;

namespace MatteKit.Media.Ffmpeg;

/// <summary>
/// How a video's Y'CbCr values map to RGB: the matrix, the range (tv = 16..235, pc = 0..255), the primaries and
/// the transfer, under ffmpeg's tag names (<c>-colorspace</c>, <c>-color_range</c>, <c>-color_primaries</c>,
/// <c>-color_trc</c>). Frames are decoded to RGB with the input's own values and encoded back with the same ones,
/// and outputs carry them as tags, so a player shows the output as it shows the input.
/// </summary>
internal sealed record VideoColor(string Matrix, string Range, string Primaries, string Transfer)
{
    /// <summary>
    /// The colour of a stream from what ffprobe says, unknowns filled in as players assume them: BT.709 for HD
    /// (wider than 1024 or taller than 576), BT.601 (SMPTE 170M) for SD; tv range unless the pixel format is a
    /// full-range <c>yuvj*</c> one.
    /// </summary>
    public static VideoColor From(string? matrix, string? range, string? primaries, string? transfer, string? pixelFormat, int width, int height)
    {
        var fallback = ForSize(width, height);
        string resolvedMatrix = Known(matrix) && ScaleMatrixOf(matrix) is not null ? matrix : fallback.Matrix;
        string resolvedRange = range is "pc" or "tv" ? range
            : pixelFormat?.StartsWith("yuvj", StringComparison.Ordinal) == true ? "pc" : "tv";
        return new VideoColor(resolvedMatrix, resolvedRange,
            Known(primaries) ? primaries : PrimariesFor(resolvedMatrix, fallback),
            Known(transfer) ? transfer : fallback.Transfer);
    }

    /// <summary>What RGB sources (images, streams that say nothing) are encoded with: the convention for the size, tv range.</summary>
    public static VideoColor ForSize(int width, int height)
        => width > 1024 || height > 576
            ? new VideoColor("bt709", "tv", "bt709", "bt709")
            : new VideoColor("smpte170m", "tv", "smpte170m", "smpte170m");

    /// <summary>The matrix under the name ffmpeg's scale filter takes (<c>in_color_matrix</c>, <c>out_color_matrix</c>).</summary>
    public string ScaleMatrix => ScaleMatrixOf(Matrix) ?? throw new InvalidOperationException($"matrix {Matrix} has no scale-filter name; From and ForSize choose only those that have");

    /// <summary>
    /// <paramref name="filter"/> (or nothing) followed by the conversion to RGB with this matrix and range. A chain
    /// that starts by scaling does the conversion in that same scale (one swscale pass, as ffmpeg would do it).
    /// </summary>
    public string DecodeFilter(string? filter)
    {
        var options = $"in_color_matrix={ScaleMatrix}:in_range={Range}";
        if (filter is null) return $"scale={options},format=rgb24";
        if (filter.StartsWith("scale=", StringComparison.Ordinal))
        {
            int end = filter.IndexOf(',');
            return end < 0
                ? $"{filter}:{options},format=rgb24"
                : $"{filter[..end]}:{options}{filter[end..]},format=rgb24";
        }
        return $"scale={options},{filter},format=rgb24";
    }

    /// <summary>Filter that turns RGB frames into Y'CbCr with this matrix and range (the encoder's pixel format follows it).</summary>
    public string EncodeFilter => $"scale=out_color_matrix={ScaleMatrix}:out_range={Range}";

    /// <summary>
    /// The conversion of <see cref="EncodeFilter"/> with the tags also set on the frames: ffmpeg's ProRes encoders take the
    /// colour from the frames, not from the output options (with only those, ffprobe read the .mov as unknown).
    /// </summary>
    public string EncodeFilterTaggingFrames => $"{EncodeFilter},setparams=colorspace={Matrix}:range={Range}:color_primaries={Primaries}:color_trc={Transfer}";

    /// <summary>The output tags.</summary>
    public IEnumerable<string> TagArguments()
        => new[] { "-colorspace", Matrix, "-color_range", Range, "-color_primaries", Primaries, "-color_trc", Transfer };

    public override string ToString() => $"{Matrix}/{Range}";

    private static bool Known([NotNullWhen(true)] string? tag) => !string.IsNullOrEmpty(tag) && tag is not ("unknown" or "reserved" or "unspecified");

    private static string? ScaleMatrixOf(string matrix) => matrix switch
    {
        "bt709" => "bt709",
        "smpte170m" => "smpte170m",
        "bt470bg" => "bt470",
        "fcc" => "fcc",
        "smpte240m" => "smpte240m",
        "bt2020nc" or "bt2020c" => "bt2020",
        _ => null,
    };

    private static string PrimariesFor(string matrix, VideoColor fallback) => matrix switch
    {
        "bt709" => "bt709",
        "smpte170m" => "smpte170m",
        "bt470bg" => "bt470bg",
        "bt2020nc" or "bt2020c" => "bt2020",
        _ => fallback.Primaries,
    };
}
