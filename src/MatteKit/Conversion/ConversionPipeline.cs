using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using MatteKit.Inference;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>
/// Runs decode, inference and encode on three threads joined by bounded queues. A fixed set of
/// <see cref="FrameSlot"/>s circulates (free -> decoded -> matted -> free), so a slow stage holds the others
/// back instead of letting frames pile up, and memory stays flat however long the input is. The first failure
/// (or a cancellation) kills every ffmpeg child, which unblocks any stage waiting on a pipe.
/// </summary>
internal sealed class ConversionPipeline
{
    private readonly FrameSource _source;
    private readonly IFrameMatter _matter;
    private readonly IReadOnlyList<(FrameSink Sink, OutputRole Role)> _outputs;
    private readonly CompositionBackground _background;
    private readonly IProgress<ConvertProgress>? _progress;
    private readonly int _queueDepth;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private byte[] _composition = Array.Empty<byte>();
    private readonly DeepOutputValues _deep = new();
    private long _decodeTicks, _inferenceTicks, _encodeTicks;
    private int _framesDone;

    public ConversionPipeline(FrameSource source, IFrameMatter matter, ConvertOptions options,
        IReadOnlyList<(FrameSink, OutputRole)> outputs, CompositionBackground background, IProgress<ConvertProgress>? progress)
    {
        _source = source;
        _matter = matter;
        _outputs = outputs;
        _background = background;
        _progress = progress;
        _queueDepth = Math.Max(2, Math.Max(options.SeqChunk, matter.FramesPerCall));
    }

    public TimeSpan Decode => Stopwatch.GetElapsedTime(0, _decodeTicks);
    public TimeSpan Inference => Stopwatch.GetElapsedTime(0, _inferenceTicks);
    public TimeSpan Encode => Stopwatch.GetElapsedTime(0, _encodeTicks);
    public int Frames => _framesDone;

    /// <summary>Adds time spent decoding before the pipeline started (the first frame, read to learn the size).</summary>
    public void AddDecodeTime(TimeSpan time) => _decodeTicks += time.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;

    /// <summary>
    /// Decode, matte, encode one after another on the calling thread (a chunk of frames at a time when the matter
    /// takes several per call): the benchmark's baseline.
    /// </summary>
    public void RunSequential(FrameSlot first, CancellationToken cancel)
    {
        var slots = new FrameSlot[_matter.FramesPerCall];
        slots[0] = first;
        for (int i = 1; i < slots.Length; i++) slots[i] = new FrameSlot();
        int count = 1;
        bool more = true;
        do
        {
            while (more && count < slots.Length)
            {
                if (DecodeInto(slots[count])) count++;
                else more = false;
            }
            if (count == 0) break;
            cancel.ThrowIfCancellationRequested();
            var chunk = new ArraySegment<FrameSlot>(slots, 0, count);
            Matte(chunk);
            foreach (var slot in chunk) Emit(slot);
            count = 0;
        }
        while (more);
    }

    public void RunConcurrent(FrameSlot first, CancellationToken cancel)
    {
        int slots = 2 * _queueDepth + 3;
        using var free = new BlockingCollection<FrameSlot>(new ConcurrentQueue<FrameSlot>(), slots);
        using var decoded = new BlockingCollection<FrameSlot>(new ConcurrentQueue<FrameSlot>(), _queueDepth);
        using var matted = new BlockingCollection<FrameSlot>(new ConcurrentQueue<FrameSlot>(), _queueDepth);
        for (int i = 1; i < slots; i++) free.Add(new FrameSlot());

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var token = stop.Token;
        ExceptionDispatchInfo? failure = null;
        var gate = new object();
        void Fail(Exception e)
        {
            lock (gate)
                if (failure is null && e is not OperationCanceledException) failure = ExceptionDispatchInfo.Capture(e);
            stop.Cancel();
        }
        using var abort = token.Register(AbortChildren);

        var decodeThread = new Thread(() =>
        {
            try
            {
                decoded.Add(first, token);
                while (true)
                {
                    var slot = free.Take(token);
                    if (!DecodeInto(slot)) break;
                    decoded.Add(slot, token);
                }
            }
            catch (Exception e)
            {
                Fail(e);
            }
            finally
            {
                decoded.CompleteAdding();
            }
        }) { Name = "mattekit decode", IsBackground = true };

        var encodeThread = new Thread(() =>
        {
            try
            {
                foreach (var slot in matted.GetConsumingEnumerable(token))
                {
                    Emit(slot);
                    free.Add(slot, token);
                }
            }
            catch (Exception e)
            {
                Fail(e);
            }
        }) { Name = "mattekit encode", IsBackground = true };

        decodeThread.Start();
        encodeThread.Start();
        try
        {
            // A chunk waits for its frames unless the input has ended; with at least as many slots queued as a chunk
            // holds (queue depth >= frames per call), the decoder can always deliver them.
            var chunk = new List<FrameSlot>(_matter.FramesPerCall);
            while (decoded.TryTake(out var slot, Timeout.Infinite, token))
            {
                chunk.Clear();
                chunk.Add(slot);
                while (chunk.Count < _matter.FramesPerCall && decoded.TryTake(out var next, Timeout.Infinite, token)) chunk.Add(next);
                Matte(chunk);
                foreach (var done in chunk) matted.Add(done, token);
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            matted.CompleteAdding();
        }
        decodeThread.Join();
        encodeThread.Join();
        cancel.ThrowIfCancellationRequested();
        failure?.Throw();
    }

    private bool DecodeInto(FrameSlot slot)
    {
        long t = Stopwatch.GetTimestamp();
        slot.HasDeep = false; // the runner that mattes it says again whether it kept the unrounded results
        bool got = _source.Read(slot);
        _decodeTicks += Stopwatch.GetTimestamp() - t;
        return got;
    }

    private void Matte(IReadOnlyList<FrameSlot> slots)
    {
        long t = Stopwatch.GetTimestamp();
        _matter.Matte(slots);
        _inferenceTicks += Stopwatch.GetTimestamp() - t;
    }

    private void Emit(FrameSlot slot)
    {
        if (slot.Warmup) return;
        long t = Stopwatch.GetTimestamp();
        int pixels = slot.Pixels;
        foreach (var (sink, role) in _outputs)
        {
            if (sink.Deep)
            {
                sink.PutDeep(_deep.For(slot, role, sink.Layout.Channels(), _background), slot);
                continue;
            }
            switch (role)
            {
                case OutputRole.Alpha:
                    sink.Put(slot.Alpha.AsSpan(0, pixels), slot);
                    break;
                case OutputRole.Foreground:
                    sink.Put(slot.Foreground.AsSpan(0, pixels * 3), slot);
                    break;
                case OutputRole.Segmentation:
                    sink.Put(slot.Segmentation.AsSpan(0, pixels), slot);
                    break;
                case OutputRole.Error:
                    sink.Put(slot.Error.AsSpan(0, pixels), slot);
                    break;
                case OutputRole.Refined:
                    sink.Put(slot.Refined.AsSpan(0, pixels), slot);
                    break;
                case OutputRole.Composition:
                    int size = pixels * (_background.Transparent ? 4 : 3);
                    if (_composition.Length < size) _composition = new byte[size];
                    _background.Compose(slot, _composition.AsSpan(0, size));
                    sink.Put(_composition.AsSpan(0, size), slot);
                    break;
            }
        }
        _encodeTicks += Stopwatch.GetTimestamp() - t;
        int done = ++_framesDone;
        _progress?.Report(new ConvertProgress(done, _source.FrameCountEstimate > 0 ? Math.Max(_source.FrameCountEstimate, done) : 0, _clock.Elapsed));
    }

    private void AbortChildren()
    {
        _source.Abort();
        _background.Abort();
        foreach (var (sink, _) in _outputs) sink.Abort();
    }
}
