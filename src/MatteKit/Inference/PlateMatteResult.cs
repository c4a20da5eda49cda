using MatteKit.Inference;

namespace MatteKit;

/// <summary>
/// Alpha, foreground, the base network's error map and the refined-patch map of one frame. The spans view buffers
/// the <see cref="PlateMatter"/> reuses: valid until its next <c>Process</c> call.
/// </summary>
public readonly ref struct PlateMatteResult
{
    internal PlateMatteResult(int width, int height, double backboneScale, ReadOnlySpan<float> foreground, ReadOnlySpan<float> alpha,
        ReadOnlySpan<float> error, int errorWidth, int errorHeight, ReadOnlySpan<float> refined, int patchColumns, int patchRows)
    {
        Width = width;
        Height = height;
        BackboneScale = backboneScale;
        Foreground = foreground;
        Alpha = alpha;
        Error = error;
        ErrorWidth = errorWidth;
        ErrorHeight = errorHeight;
        Refined = refined;
        PatchColumns = patchColumns;
        PatchRows = patchRows;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The backbone scale the frame was processed at (the resolved value when auto was asked for).</summary>
    public double BackboneScale { get; }

    /// <summary>Foreground RGB in 0..1, planar (R, G, B planes of <c>Height x Width</c>).</summary>
    public ReadOnlySpan<float> Foreground { get; }

    /// <summary>Alpha in 0..1, <c>Height x Width</c>.</summary>
    public ReadOnlySpan<float> Alpha { get; }

    /// <summary>The base network's predicted error in 0..1 at its resolution, <c>ErrorHeight x ErrorWidth</c>.</summary>
    public ReadOnlySpan<float> Error { get; }
    public int ErrorWidth { get; }
    public int ErrorHeight { get; }

    /// <summary>1 where the 4x4 patch was recomputed by the refiner, else 0; <c>PatchRows x PatchColumns</c> (the frame padded to a multiple of 4, / 4).</summary>
    public ReadOnlySpan<float> Refined { get; }
    public int PatchColumns { get; }
    public int PatchRows { get; }

    /// <summary>How many patches the refiner recomputed.</summary>
    public int RefinedPatchCount
    {
        get
        {
            int n = 0;
            foreach (var v in Refined) if (v != 0) n++;
            return n;
        }
    }

    public void ForegroundToRgb24(Span<byte> destination) => UnitToBytes.Rgb24(Foreground, Width * Height, destination);

    public void AlphaToGray8(Span<byte> destination) => UnitToBytes.Gray8(Alpha, destination);

    /// <summary>The error map stretched (nearest) over the frame, as 8-bit grey <c>Height x Width</c>.</summary>
    public void ErrorToGray8(Span<byte> destination) => Stretch(Error, ErrorWidth, ErrorHeight, Width, Height, destination);

    /// <summary>The refined-patch map over the frame: 255 inside refined 4x4 patches, 0 elsewhere.</summary>
    public void RefinedToGray8(Span<byte> destination)
    {
        if (destination.Length < Width * Height) throw new ArgumentException("destination is smaller than the frame", nameof(destination));
        var refined = Refined;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                destination[y * Width + x] = refined[y / 4 * PatchColumns + x / 4] != 0 ? (byte)255 : (byte)0;
    }

    private static void Stretch(ReadOnlySpan<float> map, int mapWidth, int mapHeight, int width, int height, Span<byte> destination)
    {
        if (destination.Length < width * height) throw new ArgumentException("destination is smaller than the frame", nameof(destination));
        // The map covers the frame padded to a multiple of 4, so map pixels are laid out on that padded size.
        int paddedWidth = (width + 3) / 4 * 4, paddedHeight = (height + 3) / 4 * 4;
        for (int y = 0; y < height; y++)
        {
            int my = Math.Min(mapHeight - 1, (int)((long)y * mapHeight / paddedHeight));
            for (int x = 0; x < width; x++)
            {
                int mx = Math.Min(mapWidth - 1, (int)((long)x * mapWidth / paddedWidth));
                destination[y * width + x] = UnitToBytes.ToByte(map[my * mapWidth + mx]);
            }
        }
    }

}
