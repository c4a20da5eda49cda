using MatteKit.Inference;
using MatteKit.Media;

namespace MatteKit.Subjects;

/// <summary>
/// A chunk of a plan made with a subject: the inner matter mattes the frames, and each frame's alpha is kept by the
/// map the plan's person pass stored for that frame (by its index in the whole input), so that the joined output is
/// the one pass's. Warm-up frames are matted only to prime the network: their alpha is never written, so it is left.
/// </summary>
internal sealed class StoredSubjectFrameMatter : IFrameMatter
{
    private readonly IFrameMatter _inner;
    private readonly StoredSubject _stored;
    private readonly SubjectKeepReader _reader;
    private readonly SubjectKeep _keep = new();
    private readonly long _maxPixels;

    private StoredSubjectFrameMatter(IFrameMatter inner, StoredSubject stored, long maxPixels)
    {
        _inner = inner;
        _stored = stored;
        _maxPixels = maxPixels;
        _reader = new SubjectKeepReader(stored.Folder, stored.Hashes, stored.Frames, maxPixels);
    }

    /// <summary>Wraps <paramref name="inner"/>, which it then owns (disposed with it, also when this fails).</summary>
    public static StoredSubjectFrameMatter Wrap(IFrameMatter inner, StoredSubject stored, long maxPixels)
    {
        try
        {
            return new StoredSubjectFrameMatter(inner, stored, maxPixels);
        }
        catch
        {
            inner.Dispose();
            throw;
        }
    }

    public int FramesPerCall => _inner.FramesPerCall;
    public double ResolvedRatio => _inner.ResolvedRatio;
    public (int Width, int Height) NetworkSize => _inner.NetworkSize;
    public string WeightsSource => _inner.WeightsSource;
    public bool HasRatio => _inner.HasRatio;

    public double? Ratio
    {
        get => _inner.Ratio;
        set => _inner.Ratio = value;
    }

    public void Reset() => _inner.Reset();

    public IFrameMatter OpenAnother() => Wrap(_inner.OpenAnother(), _stored, _maxPixels);

    public void Matte(IReadOnlyList<FrameSlot> slots)
    {
        _inner.Matte(slots);
        foreach (var slot in slots)
        {
            if (slot.Warmup || slot.IsBlank) continue;
            if (slot.Index >= _stored.Frames)
                throw new MediaFormatException(_stored.Folder, $"the plan's person pass covers {_stored.Frames} frame(s); frame {slot.Index} is past them (plan again)");
            _reader.Read(slot.Index, _keep);
            if ((_keep.Width, _keep.Height) != (slot.Width, slot.Height))
                throw new MediaFormatException(_stored.Folder, $"the plan's person pass saw frame {slot.Index} as {_keep.Width}x{_keep.Height}, this chunk decodes it as {slot.Width}x{slot.Height} (plan again)");
            _keep.ApplyTo(slot.Alpha.AsSpan(0, slot.Pixels));
        }
    }

    public string? Describe(int frames)
    {
        string subject = $"subject ({_stored.Choice}): kept as the plan's person pass found them";
        return _inner.Describe(frames) is { } inner ? inner + "; " + subject : subject;
    }

    public void Dispose()
    {
        _inner.Dispose();
        _reader.Dispose();
    }
}
