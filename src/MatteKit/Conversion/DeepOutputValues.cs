using MatteKit.Inference;

namespace MatteKit.Conversion;

/// <summary>
/// What a deep output (<see cref="FrameSink.Deep"/>) of each role is given for a frame: unrounded values, 0..1, straight,
/// sRGB-encoded, in the sink's channels. They come from the runner's unrounded alpha and foreground where it kept them
/// (<see cref="FrameSlot.HasDeep"/>: RVM and plate mode), else from the 8-bit results (a selfie model's mask, the
/// segmentation, error and refined maps), so every output can be deep even where the network's result is not.
/// </summary>
internal sealed class DeepOutputValues
{
    private float[] _values = [], _alpha = [], _foreground = [];

    public ReadOnlySpan<float> For(FrameSlot slot, OutputRole role, int channels, CompositionBackground background)
    {
        int pixels = slot.Pixels;
        if (_values.Length < pixels * channels) _values = new float[pixels * channels];
        var into = _values.AsSpan(0, pixels * channels);
        switch (role)
        {
            case OutputRole.Alpha:
                Alpha(slot).CopyTo(into);
                break;
            case OutputRole.Segmentation:
                FromBytes(slot.Segmentation.AsSpan(0, pixels), into);
                break;
            case OutputRole.Error:
                FromBytes(slot.Error.AsSpan(0, pixels), into);
                break;
            case OutputRole.Refined:
                FromBytes(slot.Refined.AsSpan(0, pixels), into);
                break;
            case OutputRole.Foreground or OutputRole.Composition when channels == 4:
                // The foreground with its alpha: an EXR foreground, or a composition over nothing.
                var alpha = Alpha(slot);
                var rgb = Foreground(slot);
                for (int i = 0; i < pixels; i++)
                {
                    into[4 * i] = rgb[3 * i];
                    into[4 * i + 1] = rgb[3 * i + 1];
                    into[4 * i + 2] = rgb[3 * i + 2];
                    into[4 * i + 3] = alpha[i];
                }
                break;
            case OutputRole.Foreground:
                Foreground(slot).CopyTo(into);
                break;
            case OutputRole.Composition:
                background.ComposeDeep(slot, Foreground(slot), Alpha(slot), into);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(role), role, null);
        }
        return into;
    }

    private ReadOnlySpan<float> Alpha(FrameSlot slot)
    {
        if (slot.HasDeep) return slot.AlphaDeep.AsSpan(0, slot.Pixels);
        if (_alpha.Length < slot.Pixels) _alpha = new float[slot.Pixels];
        FromBytes(slot.Alpha.AsSpan(0, slot.Pixels), _alpha);
        return _alpha.AsSpan(0, slot.Pixels);
    }

    private ReadOnlySpan<float> Foreground(FrameSlot slot)
    {
        int values = slot.Pixels * 3;
        if (slot.HasDeep) return slot.ForegroundDeep.AsSpan(0, values);
        if (_foreground.Length < values) _foreground = new float[values];
        FromBytes(slot.Foreground.AsSpan(0, values), _foreground);
        return _foreground.AsSpan(0, values);
    }

    private static void FromBytes(ReadOnlySpan<byte> bytes, Span<float> into)
    {
        for (int i = 0; i < bytes.Length; i++) into[i] = bytes[i] / 255f;
    }
}
