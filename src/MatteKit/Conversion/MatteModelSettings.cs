
namespace MatteKit.Conversion;

/// <summary>The checks of <c>--model</c> and its settings that <c>convert</c> and <c>live</c> share.</summary>
internal static class MatteModelSettings
{
    public static string Name(MatteModel model) => model switch
    {
        MatteModel.Selfie => "selfie",
        MatteModel.SelfieLandscape => "selfie-landscape",
        _ => "rvm",
    };

    /// <summary>The selfie segmenter a selfie <paramref name="model"/> names: <paramref name="weights"/> when given (a .tflite), else the embedded model.</summary>
    public static SelfieSegmenter OpenSelfie(MatteModel model, string? weights, SelfieOptions options)
        => weights is { } path ? SelfieSegmenter.Load(path, options)
            : SelfieSegmenter.Load(model == MatteModel.SelfieLandscape ? SelfieModel.Landscape : SelfieModel.General, options);

    /// <exception cref="ArgumentException">One line naming the option that does not fit the model.</exception>
    public static void Check(MatteModel model, string? weights, float smoothing, SelfieEdge edge, bool ratioGiven, bool refinerGiven)
    {
        if (model == MatteModel.Rvm)
        {
            if (smoothing != 0) throw new ArgumentException("--mask-smoothing is for the selfie models (--model selfie or selfie-landscape)");
            if (edge != SelfieEdge.GuidedFilter) throw new ArgumentException("--mask-edge is for the selfie models (--model selfie or selfie-landscape)");
            return;
        }
        string name = Name(model);
        if (ratioGiven) throw new ArgumentException($"--downsample-ratio is RVM's; --model {name} runs at its fixed network size");
        if (refinerGiven) throw new ArgumentException($"--refiner is RVM's; with --model {name} use --mask-edge");
        if (weights is { } w && !w.EndsWith(".tflite", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{w}: --model {name} reads a .tflite selfie model (or, without --weights, the embedded one)");
        if (!(smoothing >= 0 && smoothing <= SelfieOptions.MaxSmoothing))
            throw new ArgumentException($"--mask-smoothing must be a number from 0 to {SelfieOptions.MaxSmoothing}, got {smoothing}");
    }
}
