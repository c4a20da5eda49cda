using MatteKit.Bgm;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Inference;

/// <summary>
/// Background-plate mode: BackgroundMattingV2 on each frame against one plate (a file, or the temporal median of
/// the input), giving alpha and foreground plus the error and refined-patch maps.
/// </summary>
internal sealed class PlateFrameMatter : IFrameMatter
{
    private readonly PlateMatter _matter;
    private readonly PlateMatterOptions _refinement;
    private readonly string _plateName;
    private readonly string _plateDescription;
    private readonly bool _resizePlate, _outputError, _outputRefined;
    private RgbImage _plate;
    private long _refinedPatches;

    /// <summary>BGMv2 against one plate, with the error and refined-patch maps filled when asked for.</summary>
    /// <param name="weightsPath">The BGMv2 checkpoint.</param>
    /// <param name="refinement">How the refiner works, at which backbone scale, on how many threads.</param>
    /// <param name="plateName">The plate as the user named it (a path, or <c>auto</c>), for messages.</param>
    /// <param name="plate">Reads or makes the plate; called once the weights are loaded (their errors come first).</param>
    /// <param name="resizePlate">Scale a plate of another size to the frame's instead of refusing it.</param>
    /// <param name="outputError">Fill <see cref="FrameSlot.Error"/>.</param>
    /// <param name="outputRefined">Fill <see cref="FrameSlot.Refined"/>.</param>
    /// <param name="deep">Keep the unrounded alpha and foreground too (<see cref="FrameSlot.HasDeep"/>).</param>
    /// <exception cref="MediaFormatException">The plate cannot be read or made.</exception>
    /// <exception cref="ArgumentException">No weights given (where to get them is the message).</exception>
    public static PlateFrameMatter Load(string? weightsPath, PlateMatterOptions refinement, string plateName,
        Func<(RgbImage Plate, string Description)> plate, bool resizePlate, bool outputError, bool outputRefined, bool deep = false)
    {
        if (weightsPath is null) throw new ArgumentException(BgmNetwork.DownloadHint);
        var matter = PlateMatter.Load(weightsPath, refinement);
        try
        {
            var (image, description) = plate();
            return new PlateFrameMatter(matter, refinement, plateName, image, description, resizePlate, outputError, outputRefined) { Deep = deep };
        }
        catch
        {
            matter.Dispose();
            throw;
        }
    }

    private PlateFrameMatter(PlateMatter matter, PlateMatterOptions refinement, string plateName, RgbImage plate, string plateDescription,
        bool resizePlate, bool outputError, bool outputRefined)
    {
        _matter = matter;
        _refinement = refinement;
        _plateName = plateName;
        _plate = plate;
        _plateDescription = plateDescription;
        _resizePlate = resizePlate;
        _outputError = outputError;
        _outputRefined = outputRefined;
    }

    /// <summary>A plate image file: a PNG, or any picture ffmpeg reads.</summary>
    /// <exception cref="MediaFormatException">Not found or not readable.</exception>
    public static RgbImage ReadPlate(string path)
    {
        if (!File.Exists(path)) throw new MediaFormatException(path, "background plate not found");
        return PictureReader.ReadImage(path);
    }

    public string WeightsSource => _matter.WeightsSource;

    /// <summary>The backbone scale is the options' (or BGMv2's auto one per size), not a ratio live may change.</summary>
    public bool HasRatio => false;

    public double? Ratio
    {
        get => null;
        set
        {
            if (value is not null) throw new InvalidOperationException("background-plate mode runs at its backbone scale; there is no downsample ratio");
        }
    }

    /// <summary>Each frame stands alone: no state to forget.</summary>
    public void Reset() { }

    public IFrameMatter OpenAnother() => throw new InvalidOperationException("background-plate mode has no ratio to open another session for");

    /// <summary>Keep the unrounded alpha and foreground for deep outputs too (<see cref="FrameSlot.HasDeep"/>).</summary>
    public bool Deep { get; init; }

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
        if (Deep)
        {
            DeepPlanes.Keep(result.Alpha, result.Foreground, slot);
        }
        else
        {
            result.AlphaToGray8(slot.Alpha);
            result.ForegroundToRgb24(slot.Foreground);
        }
        if (_outputError)
        {
            slot.EnsureMap(ref slot.Error);
            result.ErrorToGray8(slot.Error);
        }
        if (_outputRefined)
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

    private string RefineText() => _refinement.RefineMode switch
    {
        RefineMode.Full => "full",
        RefineMode.Sampling => $"sampling {_refinement.RefineSamplePixels} px",
        _ => $"thresholding {_refinement.RefineThreshold}",
    };

    /// <summary>The plate at the frame's size: resized when asked to, else refused.</summary>
    private RgbImage FitPlate(FrameSlot frame)
    {
        if (!_resizePlate)
            throw new MediaFormatException(_plateName,
                $"background plate is {_plate.Width}x{_plate.Height} but the frames are {frame.Width}x{frame.Height}; " +
                "pass ResizePlate to scale it");
        return BilinearResize.Rgb(_plate, frame.Width, frame.Height);
    }

    public void Dispose() => _matter.Dispose();
}
