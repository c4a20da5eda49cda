using MatteKit.Bgm;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>
/// Background-plate mode: BackgroundMattingV2 on each frame against one plate (a file, or the temporal median of
/// the input), giving alpha and foreground plus the error and refined-patch maps.
/// </summary>
internal sealed class PlateFrameMatter : IFrameMatter
{
    private readonly PlateMatter _matter;
    private readonly PlateMode _mode;
    private readonly string _plateDescription;
    private RgbImage _plate;
    private long _refinedPatches;

    private PlateFrameMatter(PlateMatter matter, PlateMode mode, RgbImage plate, string plateDescription)
    {
        _matter = matter;
        _mode = mode;
        _plate = plate;
        _plateDescription = plateDescription;
    }

    /// <exception cref="MediaFormatException">The plate cannot be read, or no plate can be taken from the input.</exception>
    public static PlateFrameMatter Load(ConvertOptions options, PlateMode mode)
    {
        if (options.Matting.Weights is null) throw new ArgumentException(BgmNetwork.DownloadHint);
        var matter = PlateMatter.Load(options.Matting.Weights, mode.Refinement with { Threads = options.Matting.Threads });
        try
        {
            if (mode.Plate.Equals(PlateMode.Auto, StringComparison.OrdinalIgnoreCase))
            {
                var plate = TemporalMedianPlate.Build(options, out var how);
                return new PlateFrameMatter(matter, mode, plate, how);
            }
            return new PlateFrameMatter(matter, mode, ReadPlate(mode.Plate), mode.Plate);
        }
        catch
        {
            matter.Dispose();
            throw;
        }
    }

    public double ResolvedRatio { get; private set; }
    public (int Width, int Height) NetworkSize { get; private set; }

    public int FramesPerCall => 1;

    public void Matte(IReadOnlyList<FrameSlot> slots)
    {
        foreach (var slot in slots) Matte(slot);
    }

    private void Matte(FrameSlot slot)
    {
        if (_plate.Width != slot.Width || _plate.Height != slot.Height) _plate = FitPlate(slot);
        slot.EnsureMatteBuffers();
        var result = _matter.Process(slot.Rgb.AsSpan(0, slot.Pixels * 3), _plate.Pixels, slot.Width, slot.Height);
        result.AlphaToGray8(slot.Alpha);
        result.ForegroundToRgb24(slot.Foreground);
        if (_mode.OutputError is not null)
        {
            slot.EnsureMap(ref slot.Error);
            result.ErrorToGray8(slot.Error);
        }
        if (_mode.OutputRefined is not null)
        {
            slot.EnsureMap(ref slot.Refined);
            result.RefinedToGray8(slot.Refined);
        }
        ResolvedRatio = result.BackboneScale;
        NetworkSize = (result.ErrorWidth, result.ErrorHeight);
        _refinedPatches += result.RefinedPatchCount;
    }

    public string Describe(int frames)
        => $"background plate: {_plateDescription}; BackgroundMattingV2 {_matter.Backbone}, backbone scale {ResolvedRatio:0.###} " +
           $"(base network at {NetworkSize.Width}x{NetworkSize.Height}), refine {RefineText()}: " +
           $"{_refinedPatches / (double)Math.Max(1, frames):0} patches of 4x4 refined per frame on average";

    private string RefineText() => _mode.Refinement.RefineMode switch
    {
        RefineMode.Full => "full",
        RefineMode.Sampling => $"sampling {_mode.Refinement.RefineSamplePixels} px",
        _ => $"thresholding {_mode.Refinement.RefineThreshold}",
    };

    private static RgbImage ReadPlate(string path)
    {
        if (!File.Exists(path)) throw new MediaFormatException(path, "background plate not found");
        return path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? PngFile.ReadRgb(path) : PictureReader.ReadImage(path);
    }

    /// <summary>The plate at the frame's size: resized when asked to, else refused.</summary>
    private RgbImage FitPlate(FrameSlot frame)
    {
        if (!_mode.ResizePlate)
            throw new MediaFormatException(_mode.Plate,
                $"background plate is {_plate.Width}x{_plate.Height} but the frames are {frame.Width}x{frame.Height}; " +
                "pass --plate-resize to scale it");
        return BilinearResize.Rgb(_plate, frame.Width, frame.Height);
    }

    public void Dispose() => _matter.Dispose();
}
