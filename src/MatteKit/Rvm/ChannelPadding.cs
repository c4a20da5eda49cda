using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Rvm;

/// <summary>
/// Rounds concatenated decoder inputs up to a multiple of 16 channels with zeros (and the conv kernels with zero
/// weights, see <see cref="ConvLayer.WithZeroInputChannels"/>): the result is unchanged, and ONNX Runtime can run
/// the conv in its blocked layout (block of 8 floats with AVX2, 16 with AVX-512).
/// </summary>
internal static class ChannelPadding
{
    public const int Multiple = 16;

    public static int Extra(int channels) => (Multiple - channels % Multiple) % Multiple;

    public static GraphValue ConcatPadded(GraphBuilder g, params GraphValue[] parts)
    {
        long channels = parts.Sum(p => p.Dim(1));
        int extra = Extra((int)channels);
        if (extra == 0) return g.Concat(1, parts);
        var zeros = g.Zeros(parts[0].Dim(0), extra, parts[0].Dim(2), parts[0].Dim(3));
        return g.Concat(1, parts.Append(zeros).ToArray());
    }
}
