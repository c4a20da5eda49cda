using System.Diagnostics;
using MatteKit.Live;

namespace MatteKit.Cli.Preview;

/// <summary>
/// The newest matted frame, made small for the page: the composition, the alpha and the input, each scaled to a
/// longer side of at most <see cref="MaxSide"/> px (nearest pixel: the page shows it, nothing is written from it).
/// Taken on the live worker only while a page has asked for a frame in the last seconds and at most
/// <see cref="MaxFps"/> times a second, so a preview nobody watches costs nothing, and a watched one little.
/// </summary>
internal sealed class PreviewFrames
{
    public const int MaxSide = 480;
    private const double MaxFps = 15;
    private static readonly long WatchedFor = 3 * Stopwatch.Frequency;

    private readonly object _gate = new();
    private byte[] _latest = Array.Empty<byte>();
    private byte[] _spare = Array.Empty<byte>();
    private int[] _columns = Array.Empty<int>();
    private int _columnsFrom; // the frame width _columns was made for
    private int _width, _height, _length, _compositionChannels;
    private long _index = -1, _lastAsked, _lastTaken;

    // Completed (and replaced) at each frame taken: what a waiting request awaits.
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One frame for the page: <c>composition (W*H*channels) | alpha (W*H) | input (W*H*3)</c>.</summary>
    public readonly record struct Snapshot(byte[] Data, int Length, int Width, int Height, int CompositionChannels, long Index);

    /// <summary>On the live worker, after the outputs: keeps a small copy of the frame when a page is watching.</summary>
    public void Offer(LiveFrame frame)
    {
        long now = Stopwatch.GetTimestamp();
        if (now - Volatile.Read(ref _lastAsked) > WatchedFor || now - _lastTaken < Stopwatch.Frequency / MaxFps) return;
        _lastTaken = now;
        double scale = Math.Min(1, (double)MaxSide / Math.Max(frame.Width, frame.Height));
        int width = Math.Max(1, (int)(frame.Width * scale)), height = Math.Max(1, (int)(frame.Height * scale));
        int channels = frame.Transparent ? 4 : 3;
        int length = width * height * (channels + 1 + 3);
        if (_spare.Length < length) _spare = new byte[length];
        if (_columns.Length != width || _columnsFrom != frame.Width)
        {
            _columns = Enumerable.Range(0, width).Select(x => (int)((long)x * frame.Width / width)).ToArray();
            _columnsFrom = frame.Width;
        }
        var composition = frame.Composition;
        var alpha = frame.Alpha;
        var input = frame.Input;
        var output = _spare.AsSpan(0, length);
        int c = 0, a = width * height * channels, i = a + width * height;
        for (int y = 0; y < height; y++)
        {
            int row = (int)((long)y * frame.Height / height) * frame.Width;
            foreach (int column in _columns)
            {
                int p = row + column;
                composition.Slice(p * channels, channels).CopyTo(output[c..]);
                c += channels;
                output[a++] = alpha[p];
                input.Slice(p * 3, 3).CopyTo(output[i..]);
                i += 3;
            }
        }
        TaskCompletionSource arrived;
        lock (_gate)
        {
            (_latest, _spare) = (_spare, _latest);
            (_width, _height, _length, _compositionChannels) = (width, height, length, channels);
            _index = frame.Index;
            arrived = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        arrived.SetResult();
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a frame newer than <paramref name="after"/>; a copy of it, or null.
    /// Awaited, not blocking: a long poll holds no thread while it waits.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was cancelled meanwhile.</exception>
    public async Task<Snapshot?> WaitNewerAsync(long after, TimeSpan timeout, CancellationToken cancel)
    {
        Volatile.Write(ref _lastAsked, Stopwatch.GetTimestamp());
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (_index > after) return Copy();
                arrived = _arrived.Task;
            }
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero) return null;
            try
            {
                await arrived.WaitAsync(left, cancel).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                lock (_gate) return _index > after ? Copy() : null;
            }
        }
    }

    private Snapshot Copy() => new(_latest[.._length], _length, _width, _height, _compositionChannels, _index);
}
