namespace MatteKit.Training.Optimization;

/// <summary>
/// Learning rates per top-level module (the paper's recipe sets them per module: the pretrained backbone learns
/// slower than the decoder; the refiner learns only in the high-resolution stages).
/// </summary>
internal sealed record ModuleRates(double Backbone, double Aspp, double Decoder, double Refiner)
{
    /// <summary>The rate of optimiser group <paramref name="module"/> (decoder rate for both projections).</summary>
    public double Of(string module) => module switch
    {
        "backbone" => Backbone,
        "aspp" => Aspp,
        "decoder" or "project_mat" or "project_seg" => Decoder,
        "refiner" => Refiner,
        _ => throw new ArgumentException($"no such module: {module}", nameof(module)),
    };

    public ModuleRates Scaled(double factor) => new(Backbone * factor, Aspp * factor, Decoder * factor, Refiner * factor);

    public override string ToString() => $"backbone {Backbone:G3}, aspp {Aspp:G3}, decoder {Decoder:G3}, refiner {Refiner:G3}";
}
