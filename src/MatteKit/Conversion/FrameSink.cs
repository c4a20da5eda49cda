using MatteKit.Compositing;
using MatteKit.Inference;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>
/// Where one output's frames go. Nothing appears under the final name before <see cref="Commit"/>;
/// disposing an incomplete sink removes what it wrote. Frames come straight (not premultiplied) and sRGB-encoded,
/// as 8-bit pixels (<see cref="Put"/>) or, where the output is deeper than 8 bits (<see cref="Deep"/>), as the
/// unrounded values (<see cref="PutDeep"/>); the sink writes them in its format's way, premultiplied when
/// <see cref="Premultiply"/>.
/// </summary>
internal abstract class FrameSink : IDisposable
{
    private byte[] _bytes = [];
    private float[] _values = [];

    protected FrameSink(string path, PixelLayout layout, bool premultiply = false)
    {
        Path = path;
        Layout = layout;
        Premultiply = premultiply && layout.HasAlpha();
    }

    public string Path { get; }

    public PixelLayout Layout { get; }

    /// <summary>RGBA is written premultiplied (<see cref="ConvertOptions.PremultiplyAlpha"/>); otherwise straight.</summary>
    public bool Premultiply { get; }

    /// <summary>Takes the unrounded values (<see cref="PutDeep"/>) rather than 8-bit pixels.</summary>
    public virtual bool Deep => Layout.IsDeep();

    /// <summary>One frame of 8-bit pixels in <see cref="Layout"/>, straight alpha.</summary>
    public void Put(ReadOnlySpan<byte> pixels, FrameSlot frame)
    {
        if (!Premultiply)
        {
            Write(pixels, frame);
            return;
        }
        if (_bytes.Length < pixels.Length) _bytes = new byte[pixels.Length];
        var premultiplied = _bytes.AsSpan(0, pixels.Length);
        pixels.CopyTo(premultiplied);
        Compositor.Premultiply(premultiplied);
        Write(premultiplied, frame);
    }

    /// <summary>
    /// One frame of unrounded values (0..1, <see cref="Layout"/>'s channels interleaved, straight alpha); written here as
    /// 16-bit samples (rounded), premultiplied in the encoded values when asked.
    /// </summary>
    public virtual void PutDeep(ReadOnlySpan<float> values, FrameSlot frame)
    {
        if (Premultiply)
        {
            if (_values.Length < values.Length) _values = new float[values.Length];
            values.CopyTo(_values);
            Compositor.Premultiply(_values.AsSpan(0, values.Length));
            values = _values.AsSpan(0, values.Length);
        }
        // Past 2 GB a frame's samples fit no array (a frame over 268 megapixels, RGBA, with --max-pixels raised).
        if (values.Length > Array.MaxLength / 2)
            throw new MediaFormatException(Path, $"a frame of {frame.Width}x{frame.Height} is too large to write at 16 bits");
        if (_bytes.Length < 2 * values.Length) _bytes = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            ushort sample = (ushort)Math.Clamp(MathF.Round(values[i] * 65535f), 0f, 65535f);
            _bytes[2 * i] = (byte)sample;
            _bytes[2 * i + 1] = (byte)(sample >> 8);
        }
        Write(_bytes.AsSpan(0, 2 * values.Length), frame);
    }

    /// <summary>One frame as it goes into the file: <see cref="Layout"/>'s samples, 16-bit ones little-endian.</summary>
    protected abstract void Write(ReadOnlySpan<byte> pixels, FrameSlot frame);

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
