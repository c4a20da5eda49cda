
namespace MatteKit.Conversion;

/// <summary>
/// What a source decodes for <c>--frames A:B --warmup W</c>: frames [<see cref="DecodeFrom"/>,
/// <see cref="DecodeFrom"/> + <see cref="DecodeCount"/>), of which <see cref="Count"/> from <see cref="Start"/> are
/// the chunk and the rest prime the state (<see cref="WarmupFrameSource"/>).
/// </summary>
internal readonly record struct ChunkWindow(int DecodeFrom, int DecodeCount, int Start, int Count, int Warmup, WarmupOrder Order)
{
    /// <summary>The window for these options over an input of <paramref name="total"/> frames; null = the whole input, unprimed.</summary>
    /// <exception cref="MediaFormatException">The range starts at or past the input's end.</exception>
    public static ChunkWindow? For(ConvertOptions options, long total)
    {
        if (options.Frames is null && options.Warmup == 0) return null;
        var range = options.Frames ?? new FrameRange(0, (int)Math.Min(total, int.MaxValue));
        if (range.Start >= total)
            throw new MediaFormatException(options.Input, $"holds {total} frame(s); Frames {range} starts past its end") { Parameters = [nameof(ConvertOptions.Frames)] };
        int start = range.Start;
        int count = (int)Math.Min(range.Count, total - start);
        if (options.WarmupOrder == WarmupOrder.Forward)
        {
            int w = Math.Min(options.Warmup, start);
            return new ChunkWindow(start - w, w + count, start, count, w, WarmupOrder.Forward);
        }
        int reverse = (int)Math.Min(options.Warmup, total - start - 1);
        return new ChunkWindow(start, Math.Max(count, reverse + 1), start, count, reverse, WarmupOrder.Reverse);
    }
}
