namespace MatteKit.Bgm;

/// <summary>
/// Sizes of one BGMv2 graph: the frame, the frame padded to a multiple of 4 (the refiner works on 4x4 patches of
/// it), the base network's input <c>floor(n * backbone_scale)</c>, the refiner's half and quarter grids, and the
/// patch selection rule.
/// </summary>
internal sealed record BgmGeometry
{
    public BgmGeometry(int frameWidth, int frameHeight, double backboneScale, RefineMode mode, int samplePixels, float threshold)
    {
        if (frameWidth < 1 || frameHeight < 1) throw new ArgumentException($"frame size {frameWidth}x{frameHeight} is empty");
        if (!(backboneScale > 0 && backboneScale <= 1)) throw new ArgumentException($"backbone scale {backboneScale} is not in (0, 1]");
        FrameWidth = frameWidth;
        FrameHeight = frameHeight;
        Width = (frameWidth + 3) / 4 * 4;
        Height = (frameHeight + 3) / 4 * 4;
        BackboneScale = backboneScale;
        // PyTorch's interpolate(scale_factor=s, recompute_scale_factor=True): floor(n * s) in double.
        BaseWidth = Math.Max(1, (int)Math.Floor(Width * backboneScale));
        BaseHeight = Math.Max(1, (int)Math.Floor(Height * backboneScale));
        Mode = mode;
        if (mode == RefineMode.Sampling && samplePixels < 16)
            throw new ArgumentException($"refine sample pixels {samplePixels} is less than one 4x4 patch (16)");
        // PyTorch refuses k larger than the patch count; taking every patch is what such a budget asks for.
        PatchBudget = Math.Min(samplePixels / 16, QuarterWidth * QuarterHeight);
        Threshold = threshold;
    }

    public int FrameWidth { get; }
    public int FrameHeight { get; }

    /// <summary>The frame padded (edge pixels repeated) to a multiple of 4.</summary>
    public int Width { get; }
    public int Height { get; }

    public double BackboneScale { get; }
    public int BaseWidth { get; }
    public int BaseHeight { get; }
    public int HalfWidth => Width / 2;
    public int HalfHeight => Height / 2;
    public int QuarterWidth => Width / 4;
    public int QuarterHeight => Height / 4;

    public RefineMode Mode { get; }

    /// <summary>Sampling mode: the most patches refined (<c>sample pixels / 16</c>, at most all of them).</summary>
    public int PatchBudget { get; }

    /// <summary>Thresholding mode: patches with error above this are refined.</summary>
    public float Threshold { get; }

    /// <summary>
    /// The official settings: 0.25 for HD, 0.125 for 4K. Frames whose longer side exceeds 2560 px (above 1440p)
    /// count as 4K, which keeps the base network at or below 640 px along the longer side up to 2560 px and at 480 px for 3840.
    /// </summary>
    public static double AutoBackboneScale(int width, int height) => Math.Max(width, height) > 2560 ? 0.125 : 0.25;
}
