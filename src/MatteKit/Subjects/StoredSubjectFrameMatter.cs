using MatteKit.Inference;
using MatteKit.Media;

namespace MatteKit.Subjects;

/// <summary>
/// A chunk of a plan made with a subject: the inner matter mattes the frames, and each frame's alpha is kept by the
/// map the plan's person pass stored for that frame (by its index in the whole input), so that the joined output is
/// the one pass's. Warm-up frames are matted only to prime the network: their alpha is never written, so it is left.
/// </summary>
internal sealed class StoredSubjectFrameMatter : FrameMatterWrapper
{
    private readonly StoredSubject _stored;
    private readonly SubjectKeepReader _reader;
    private readonly SubjectKeep _keep = new();
    private readonly long _maxPixels;

    private StoredSubjectFrameMatter(IFrameMatter inner, StoredSubject stored, long maxPixels)
        : base(inner)
    {
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


    public override IFrameMatter OpenAnother() => Wrap(Inner.OpenAnother(), _stored, _maxPixels);

    public override void Matte(IReadOnlyList<FrameSlot> slots)
    {
        Inner.Matte(slots);
        foreach (var slot in slots)
        {
            if (slot.Warmup || slot.IsBlank) continue;
            if (slot.Index >= _stored.Frames)
                throw new MediaFormatException(_stored.Folder, $"the plan's person pass covers {_stored.Frames} frame(s); frame {slot.Index} is past them (plan again)");
            _reader.Read(slot.Index, _keep);
            if ((_keep.Width, _keep.Height) != (slot.Width, slot.Height))
                throw new MediaFormatException(_stored.Folder, $"the plan's person pass saw frame {slot.Index} as {_keep.Width}x{_keep.Height}, this chunk decodes it as {slot.Width}x{slot.Height} (plan again)");
            _keep.ApplyTo(slot);
        }
    }

    protected override string DescribeOwn(int frames) => $"subject ({_stored.Choice}): kept as the plan's person pass found them";

    public override void Dispose()
    {
        base.Dispose();
        _reader.Dispose();
    }
}
