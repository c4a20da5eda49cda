
namespace MatteKit.Conversion;

/// <summary>
/// What a source decodes for <c>--frames A:B --warmup W</c>: frames [<see cref="DecodeFrom"/>,
/// <see cref="DecodeFrom"/> + <see cref="DecodeCount"/>), of which <see cref="Count"/> from <see cref="Start"/> are
/// the chunk and the rest prime the state (<see cref="WarmupFrameSource"/>). A window that decodes from frame 0 may
/// first prime frame 0 on the input's opening frames run backwards (<see cref="Priming"/>), as one pass does.
/// </summary>
internal readonly record struct ChunkWindow(int DecodeFrom, int DecodeCount, int Start, int Count, int Warmup, WarmupOrder Order)
{
    /// <summary>
    /// Frames after frame 0 that prime the state before it, last to first (<see cref="ConvertOptions.Priming"/>); only
    /// in a forward window that decodes from frame 0. Fewer prime it where holding them all would pass
    /// <see cref="ConvertLimits.MaxWarmupBytes"/>, rather than the run failing.
    /// </summary>
    public int Priming { get; init; }

    /// <summary>The whole input, not counted, with frame 0 primed by <paramref name="priming"/> frames.</summary>
    public static ChunkWindow Primed(int priming) => new(0, int.MaxValue, 0, int.MaxValue, 0, WarmupOrder.Forward) { Priming = priming };

    /// <summary>
    /// The window for these options over an input of <paramref name="total"/> frames; null = the whole input, unprimed.
    /// A forward window that decodes from frame 0 is primed when <paramref name="prime"/> is set and the options prime
    /// (<see cref="ConvertOptions.PrimingFrames"/>): a chunk whose warm-up reaches back to frame 0 then has the state
    /// one pass has.
    /// </summary>
    /// <exception cref="MediaFormatException">The range starts at or past the input's end.</exception>
    public static ChunkWindow? For(ConvertOptions options, long total, bool prime = false)
    {
        int priming = prime ? (int)Math.Clamp(total - 1, 0, options.PrimingFrames) : 0;
        if (options.Frames is null && options.Warmup == 0)
        {
            int all = (int)Math.Min(total, int.MaxValue);
            return priming > 0 ? new ChunkWindow(0, all, 0, all, 0, WarmupOrder.Forward) { Priming = priming } : null;
        }
        var range = options.Frames ?? new FrameRange(0, (int)Math.Min(total, int.MaxValue));
        if (range.Start >= total)
            throw new MediaFormatException(options.Input, $"holds {total} frame(s); Frames {range} starts past its end") { Parameters = [nameof(ConvertOptions.Frames)] };
        int start = range.Start;
        int count = (int)Math.Min(range.Count, total - start);
        if (options.WarmupOrder == WarmupOrder.Forward)
        {
            int w = Math.Min(options.Warmup, start);
            int from = start - w;
            if (from == 0 && priming > 0) return new ChunkWindow(0, Math.Max(w + count, priming + 1), start, count, w, WarmupOrder.Forward) { Priming = priming };
            return new ChunkWindow(from, w + count, start, count, w, WarmupOrder.Forward);
        }
        int reverse = (int)Math.Min(options.Warmup, total - start - 1);
        return new ChunkWindow(start, Math.Max(count, reverse + 1), start, count, reverse, WarmupOrder.Reverse);
    }
}
