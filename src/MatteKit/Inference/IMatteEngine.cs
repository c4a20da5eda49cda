using MatteKit.Rvm;

namespace MatteKit.Inference;

/// <summary>
/// What runs the frames behind <see cref="VideoMatter"/>: the graph MatteKit builds from weights, or an ONNX file
/// as published. Ratio null = the engine's automatic choice.
/// </summary>
internal interface IMatteEngine : IDisposable
{
    string Source { get; }

    MatteResult Process(ReadOnlySpan<byte> rgb24, int width, int height, double? downsampleRatio);

    /// <summary><paramref name="frames"/> consecutive frames, one after the other in <paramref name="framesRgb24"/>.</summary>
    MatteChunk ProcessChunk(ReadOnlySpan<byte> framesRgb24, int frames, int width, int height, double? downsampleRatio);

    /// <summary>As <see cref="ProcessChunk"/>, with foreground and alpha as 8-bit pixels.</summary>
    MatteBytes ProcessChunkToBytes(ReadOnlySpan<byte> framesRgb24, int frames, int width, int height, double? downsampleRatio);

    SegmentationResult Segment(ReadOnlySpan<byte> rgb24, int width, int height, double? downsampleRatio);

    void Reset();

    ReadOnlySpan<float> RecurrentState(int index);

    /// <summary>Sizes of the frame processed last; null before the first.</summary>
    RvmGeometry? CurrentGeometry { get; }

    /// <summary>Whether the engine can run the segmentation pass.</summary>
    bool HasSegmentation { get; }

    long ConvMultiplyAdds { get; }
}
