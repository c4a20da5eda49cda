namespace MatteKit.Media.Ffmpeg;

/// <summary>What a <see cref="VideoEncoder"/> writes: frame size and layout, rate, quality, and where audio comes from.</summary>
internal sealed record VideoEncoding
{
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required PixelLayout Layout { get; init; }
    public required FrameRate FrameRate { get; init; }

    /// <summary>Target bit rate in megabits per second (fractions allowed); null = constant quality.</summary>
    public double? Mbps { get; init; }

    /// <summary>Constant rate factor; null = the container's default quality.</summary>
    public int? Crf { get; init; }

    /// <summary>x264's speed preset for H.264 (ultrafast .. veryslow); null = veryfast.</summary>
    public string? H264Preset { get; init; }

    /// <summary>The input whose first audio stream is kept; null = no audio.</summary>
    public string? AudioSource { get; init; }

    /// <summary>The audio stream's codec (ffprobe's name), to copy it where the container allows.</summary>
    public string? AudioCodec { get; init; }

    /// <summary>Matrix, range, primaries and transfer to encode with and tag; null = the convention for the frame size (<see cref="VideoColor.ForSize"/>).</summary>
    public VideoColor? Color { get; init; }

    public double? AudioStartSeconds { get; init; }
    public double? AudioDurationSeconds { get; init; }
}
