using System.Reflection;
using MatteKit.Onnx;

namespace MatteKit.Inference;

/// <summary>
/// The activation ranges the embedded model runs in int8 with (<see cref="Conversion.MattingSettings.Int8"/>): measured
/// once on real frames and shipped with it (<c>models/rvm_mobilenetv3/int8_ranges.txt</c>, its NOTICE says how), so a
/// run needs no calibration and every run quantizes the same way.
/// </summary>
internal static class EmbeddedInt8Ranges
{
    private const string Resource = "MatteKit.Models.rvm_mobilenetv3.int8_ranges.txt";
    private static readonly Lazy<ActivationRanges> Ranges = new(Read);

    public static ActivationRanges Load() => Ranges.Value;

    private static ActivationRanges Read()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(Resource)
                           ?? throw new InvalidOperationException($"{Resource} is not embedded in this build");
        using var reader = new StreamReader(stream);
        return ActivationRanges.Parse(reader.ReadToEnd());
    }
}
