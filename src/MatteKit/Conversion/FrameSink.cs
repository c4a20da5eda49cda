using MatteKit.Inference;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>
/// Where one output's frames go. Nothing appears under the final name before <see cref="Commit"/>;
/// disposing an incomplete sink removes what it wrote.
/// </summary>
internal abstract class FrameSink : IDisposable
{
    protected FrameSink(string path, PixelLayout layout)
    {
        Path = path;
        Layout = layout;
    }

    public string Path { get; }

    public PixelLayout Layout { get; }

    public abstract void Write(ReadOnlySpan<byte> pixels, FrameSlot frame);

    /// <summary>Finishes writing (for a video: waits for ffmpeg to close the file) without renaming yet.</summary>
    public virtual void Finish()
    {
    }

    /// <summary>Moves the finished output to its final name.</summary>
    public abstract void Commit();

    /// <summary>Stops any child process at once (from another thread), so a blocked <see cref="Write"/> returns.</summary>
    public virtual void Abort()
    {
    }

    public abstract void Dispose();
}
