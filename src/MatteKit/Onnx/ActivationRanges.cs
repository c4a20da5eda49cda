using System.Globalization;

namespace MatteKit.Onnx;

/// <summary>
/// The smallest and largest value each quantized activation took over calibration frames, in the order the graph
/// builder reaches its quantization sites (<see cref="GraphBuilder.Quantized"/>). The order is the same for every
/// frame size, so ranges measured at one size serve all.
/// </summary>
internal sealed class ActivationRanges
{
    public ActivationRanges(float[] min, float[] max)
    {
        if (min.Length != max.Length) throw new ArgumentException("as many minima as maxima");
        Min = min;
        Max = max;
    }

    public float[] Min { get; }
    public float[] Max { get; }
    public int Count => Min.Length;

    /// <summary>One line per site, <c>min max</c> in round-trip form, so stored ranges rebuild the same graph.</summary>
    public string ToText()
        => string.Concat(Enumerable.Range(0, Count).Select(i =>
            $"{Min[i].ToString("R", CultureInfo.InvariantCulture)} {Max[i].ToString("R", CultureInfo.InvariantCulture)}\n"));

    public static ActivationRanges Parse(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var min = new float[lines.Length];
        var max = new float[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            var parts = lines[i].Split(' ');
            if (parts.Length != 2) throw new FormatException($"activation range line {i + 1}: expected 'min max', got '{lines[i]}'");
            min[i] = float.Parse(parts[0], CultureInfo.InvariantCulture);
            max[i] = float.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        return new ActivationRanges(min, max);
    }
}
