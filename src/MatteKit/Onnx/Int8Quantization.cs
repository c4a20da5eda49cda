namespace MatteKit.Onnx;

/// <summary>
/// What a <see cref="GraphBuilder"/> does at its quantization sites inside an int8 region: while calibrating, each
/// site's float value becomes a graph output (<c>calibration_K</c>) to be measured on real frames; with ranges, each
/// site becomes QuantizeLinear -> DequantizeLinear (uint8, asymmetric) and the convolutions around it take int8
/// weights, a QDQ graph that ONNX Runtime fuses into its integer kernels.
/// </summary>
internal sealed class Int8Quantization
{
    /// <summary>The prefix of the calibration outputs; <c>calibration_0</c> is the first site.</summary>
    public const string CalibrationOutput = "calibration_";

    private Int8Quantization(ActivationRanges? ranges, bool exposeSites)
    {
        Ranges = ranges;
        ExposeSites = exposeSites || ranges is null;
    }

    /// <summary>Whether each site's value is a graph output (always while calibrating; in int8, its dequantized value, to compare).</summary>
    public bool ExposeSites { get; }

    /// <summary>Null while calibrating.</summary>
    public ActivationRanges? Ranges { get; }

    public bool Calibrating => Ranges is null;

    public static Int8Quantization ForCalibration() => new(null, true);

    public static Int8Quantization With(ActivationRanges ranges, bool exposeSites = false) => new(ranges, exposeSites);
}
