namespace MatteKit.Live;

/// <summary>Encoder settings shared by a live session's outputs.</summary>
internal sealed record LiveEncoding
{
    public double? Mbps { get; init; }
    public int? Crf { get; init; }

    /// <summary>x264 preset; null = ultrafast (the encoders share the cores with the network).</summary>
    public string? H264Preset { get; init; }
}
