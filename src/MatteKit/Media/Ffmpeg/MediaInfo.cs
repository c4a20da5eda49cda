namespace MatteKit.Media.Ffmpeg;

/// <summary>What ffprobe says about an input: the first video stream and whether there is audio.</summary>
internal sealed record MediaInfo(
    int Width,
    int Height,
    FrameRate FrameRate,
    long FrameCount,
    double DurationSeconds,
    int Rotation,
    string VideoCodec,
    string? AudioCodec,
    VideoColor Color,
    FrameRate? AverageFrameRate = null)
{
    /// <summary>
    /// The stream's frames are not evenly spaced: its average rate (frames over duration) differs from its base
    /// rate by more than 0.2%. Written at the base rate such a video would run short against its audio.
    /// </summary>
    public bool IsVariableFrameRate => AverageFrameRate is { } avg && Math.Abs(avg.PerSecond / FrameRate.PerSecond - 1) > 0.002;

    public bool HasAudio => AudioCodec is not null;

    /// <summary>The size frames come out of ffmpeg with (it applies the rotation while decoding).</summary>
    public (int Width, int Height) DisplaySize => Math.Abs(Rotation) % 180 == 90 ? (Height, Width) : (Width, Height);
}
