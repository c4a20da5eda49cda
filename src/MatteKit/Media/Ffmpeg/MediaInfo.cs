namespace MatteKit.Media.Ffmpeg;

/// <summary>What ffprobe says about an input: the first video stream and whether there is audio.</summary>
public sealed record MediaInfo(
    int Width,
    int Height,
    FrameRate FrameRate,
    long FrameCount,
    double DurationSeconds,
    int Rotation,
    string VideoCodec,
    string? AudioCodec)
{
    public bool HasAudio => AudioCodec is not null;

    /// <summary>The size frames come out of ffmpeg with (it applies the rotation while decoding).</summary>
    public (int Width, int Height) DisplaySize => Math.Abs(Rotation) % 180 == 90 ? (Height, Width) : (Width, Height);
}
