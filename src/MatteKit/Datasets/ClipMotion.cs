using System.Text.Json.Serialization;

namespace MatteKit.Datasets;

/// <summary>
/// The deterministic motion of one composed clip, all periodic with <see cref="Period"/> frames: the person sways
/// sideways, scales and rotates about an anchor (for a cut-out whose alpha touches its bottom edge, a point
/// <see cref="AnchorBelow"/> x H below the frame, so the cut edge stays out of view); the background camera pans
/// and zooms over a still, or a video simply plays. Values are drawn from a seeded generator per clip, so the same
/// seed and inputs give the same clip.
/// </summary>
internal sealed record ClipMotion(
    [property: JsonPropertyName("period")] double Period,
    [property: JsonPropertyName("height_frac")] double HeightFraction,
    [property: JsonPropertyName("x_center")] double XCenter,
    [property: JsonPropertyName("x_amp")] double XAmplitude,
    [property: JsonPropertyName("scale_amp")] double ScaleAmplitude,
    [property: JsonPropertyName("rot_amp_degrees")] double RotationAmplitude,
    [property: JsonPropertyName("anchor_below")] double AnchorBelow,
    [property: JsonPropertyName("pan")] double Pan,
    [property: JsonPropertyName("zoom")] double Zoom,
    [property: JsonPropertyName("phase")] double Phase)
{
    public static ClipMotion Draw(int seed, bool touchesBottom)
    {
        var random = new Random(seed);
        double Between(double lo, double hi) => lo + (hi - lo) * random.NextDouble();
        return new ClipMotion(
            Period: 30,
            HeightFraction: touchesBottom ? Between(0.9, 1.0) : Between(0.7, 0.85),
            XCenter: Between(0.38, 0.62),
            XAmplitude: Between(0.06, 0.12),
            ScaleAmplitude: Between(0.04, 0.08),
            RotationAmplitude: Between(1.0, 2.0),
            AnchorBelow: touchesBottom ? 0.08 : 0,
            Pan: Between(0.15, 0.3) * (random.Next(2) == 0 ? -1 : 1),
            Zoom: Between(0.05, 0.1),
            Phase: Between(0, 2 * Math.PI));
    }

    private double Angle(int frame) => 2 * Math.PI * frame / Period;

    /// <summary>Horizontal centre of the person, as a fraction of the frame width.</summary>
    public double PersonX(int frame) => XCenter + XAmplitude * Math.Sin(Angle(frame));

    /// <summary>Size relative to the base size.</summary>
    public double PersonScale(int frame) => 1 + ScaleAmplitude * Math.Sin(Angle(frame) + Phase);

    public double PersonRotationRadians(int frame) => RotationAmplitude * Math.PI / 180 * Math.Sin(Angle(frame) * 2 + Phase);

    /// <summary>Background crop centre offset, as a fraction of the free space on each side (x, y).</summary>
    public (double X, double Y) CameraOffset(int frame) => (Pan * Math.Sin(Angle(frame)), 0.3 * Pan * Math.Cos(Angle(frame) + Phase));

    /// <summary>Background zoom in [1, 1 + Zoom].</summary>
    public double CameraZoom(int frame) => 1 + Zoom * (0.5 - 0.5 * Math.Cos(Angle(frame)));
}
