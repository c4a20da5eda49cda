using MatteKit.Inference;

namespace MatteKit;

/// <summary>
/// The segmentation pass of one frame. The spans view buffers the <see cref="VideoMatter"/> reuses, so they are
/// valid until its next <c>Process</c> or <c>Segment</c> call.
/// </summary>
public readonly ref struct SegmentationResult
{
    internal SegmentationResult(int width, int height, double ratio, int networkWidth, int networkHeight,
        ReadOnlySpan<float> logits, ReadOnlySpan<float> probability)
    {
        Width = width;
        Height = height;
        DownsampleRatio = ratio;
        NetworkWidth = networkWidth;
        NetworkHeight = networkHeight;
        Logits = logits;
        Probability = probability;
    }

    public int Width { get; }
    public int Height { get; }
    public double DownsampleRatio { get; }
    public int NetworkWidth { get; }
    public int NetworkHeight { get; }

    /// <summary>The official head's output (<c>project_seg</c>, no sigmoid), <c>NetworkHeight x NetworkWidth</c>.</summary>
    public ReadOnlySpan<float> Logits { get; }

    /// <summary>Probability that a pixel shows a person, <c>sigmoid(logits)</c> brought to <c>Height x Width</c> (bilinear).</summary>
    public ReadOnlySpan<float> Probability { get; }

    /// <summary>The probability map as 8-bit grey (rounded).</summary>
    public void ProbabilityToGray8(Span<byte> destination) => UnitToBytes.Gray8(Probability, destination);

    /// <summary>A binary mask: 255 where the probability is at least <paramref name="threshold"/>, else 0.</summary>
    public void MaskToGray8(float threshold, Span<byte> destination)
    {
        var p = Probability;
        if (destination.Length < p.Length) throw new ArgumentException("destination is smaller than the frame", nameof(destination));
        for (int i = 0; i < p.Length; i++) destination[i] = p[i] >= threshold ? (byte)255 : (byte)0;
    }
}
