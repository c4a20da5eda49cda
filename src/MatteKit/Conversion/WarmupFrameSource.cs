using MatteKit.Inference;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>
/// A chunk of an input with RVM's recurrent state primed first: the warm-up frames come out marked
/// <see cref="FrameSlot.Warmup"/> (matted, never written), then the chunk's frames numbered from its start.
/// Reverse order keeps the first W + 1 frames in memory to hand them out last to first (bounded by
/// <see cref="ConvertLimits.MaxWarmup"/> and the pixel limit); forward order streams, after the priming of frame 0
/// (<see cref="ChunkWindow.Priming"/>: its first P + 1 frames held, P..1 handed out as warm-up, then 0 on).
/// </summary>
internal sealed class WarmupFrameSource : FrameSource
{
    private readonly FrameSource _inner;
    private readonly ChunkWindow _window;
    private readonly List<(byte[] Rgb, int Width, int Height, string? Name)> _held = new();
    private readonly Queue<(int Held, bool Warmup)> _fromHeld = new();
    private readonly FrameSlot _reading = new();
    private bool _primed;
    private int _innerRead, _chunkOut;

    public WarmupFrameSource(FrameSource inner, ChunkWindow window)
    {
        _inner = inner;
        _window = window;
        FrameCountEstimate = window.Count == int.MaxValue ? inner.FrameCountEstimate : window.Count;
        AudioPath = inner.AudioPath;
        AudioCodec = inner.AudioCodec;
        Color = inner.Color;
        RateNote = inner.RateNote;
    }

    public override FrameRate FrameRate => _inner.FrameRate;

    public override bool Read(FrameSlot slot)
    {
        if (!_primed)
        {
            _primed = true;
            int held = _window.Order == WarmupOrder.Reverse ? _window.Warmup : _window.Priming;
            if (held > 0) Hold(held);
        }
        if (_fromHeld.TryDequeue(out var next))
        {
            var (rgb, width, height, name) = _held[next.Held];
            if (slot.Rgb.Length < rgb.Length) slot.Rgb = new byte[rgb.Length];
            rgb.CopyTo(slot.Rgb, 0);
            (slot.Width, slot.Height, slot.SourceName) = (width, height, name);
            // Handed out: the held frames (up to 2 GB) are not kept for the rest of the run.
            if (_fromHeld.Count == 0)
            {
                _held.Clear();
                _held.TrimExcess();
            }
            return Mark(slot, next.Warmup);
        }
        if (_chunkOut >= _window.Count || !_inner.Read(slot)) return false;
        bool warmup = _window.Order == WarmupOrder.Forward && _innerRead < _window.Warmup;
        _innerRead++;
        return Mark(slot, warmup);
    }

    // The first W + 1 frames are read now: W..1 prime the state (reverse warm-up, or the priming of frame 0), then
    // they are handed out from frame 0 on, as warm-up before the chunk's start (forward) or as the chunk.
    private void Hold(int frames)
    {
        while (_held.Count <= frames)
        {
            // Priming holds fewer frames of a frame size that big: the state is primed less, the run goes on.
            if (_window.Priming > 0 && _held.Count > 0 && (long)_held[0].Rgb.Length * (_held.Count + 1) > ConvertLimits.MaxWarmupBytes) break;
            if (!_inner.Read(_reading)) break;
            long bytes = (long)_reading.Pixels * 3 * (frames + 1);
            if (_window.Priming == 0 && bytes > ConvertLimits.MaxWarmupBytes)
                throw new MediaFormatException(Name, $"Warmup {frames} in reverse order holds {frames + 1} frames of " +
                    $"{_reading.Width}x{_reading.Height} ({bytes >> 20} MB), above {ConvertLimits.MaxWarmupBytes >> 20} MB; lower Warmup or give WarmupOrder forward") { Parameters = [nameof(ConvertOptions.Warmup)] };
            _held.Add((_reading.Rgb.AsSpan(0, _reading.Pixels * 3).ToArray(), _reading.Width, _reading.Height, _reading.SourceName));
        }
        _innerRead = _held.Count;
        for (int i = _held.Count - 1; i >= 1; i--) _fromHeld.Enqueue((i, true));
        int chunk = 0;
        for (int i = 0; i < _held.Count && chunk < _window.Count; i++)
        {
            bool before = _window.Order == WarmupOrder.Forward && i < _window.Warmup;
            _fromHeld.Enqueue((i, before));
            if (!before) chunk++;
        }
    }

    private bool Mark(FrameSlot slot, bool warmup)
    {
        slot.Warmup = warmup;
        if (!warmup) slot.Index = _window.Start + _chunkOut++;
        return true;
    }

    public override void Abort() => _inner.Abort();

    public override void Dispose() => _inner.Dispose();
}
