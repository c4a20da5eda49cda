using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>
/// A folder of OpenEXR frames (named by <see cref="FrameFileNames"/>): half floats, colour in
/// linear light (the sRGB values decoded; sRGB's primaries, which are Rec. 709's, EXR's default), alpha as it is. RGB
/// outputs are R, G, B; RGBA ones add A, premultiplied in linear light by default as EXR's convention has it; a grey
/// output (the alpha matte, a mask) is one channel, Y.
/// </summary>
internal sealed class ExrSequenceSink : FrameSink
{
    private readonly OutputFolder _folder;
    private readonly FrameFileNames _names = new(".exr");
    private float[][] _planes = [];

    public ExrSequenceSink(string path, PixelLayout layout, bool premultiply) : base(path, layout, premultiply)
    {
        _folder = new OutputFolder(path);
    }

    public override bool Deep => true;

    public override void PutDeep(ReadOnlySpan<float> values, FrameSlot frame)
    {
        int pixels = frame.Pixels, channels = Layout.Channels();
        if (values.Length < pixels * channels) throw new ArgumentException($"{values.Length} values for {frame.Width}x{frame.Height} with {channels} channels", nameof(values));
        if (_planes.Length != channels || _planes[0].Length < pixels)
            _planes = Enumerable.Range(0, channels).Select(_ => new float[pixels]).ToArray();
        for (int i = 0; i < pixels; i++)
        {
            if (channels == 1)
            {
                _planes[0][i] = values[i];
                continue;
            }
            float a = channels == 4 ? values[4 * i + 3] : 1f;
            for (int c = 0; c < 3; c++)
            {
                float linear = SrgbTransfer.ToLinear(values[channels * i + c]);
                _planes[c][i] = Premultiply ? linear * a : linear;
            }
            if (channels == 4) _planes[3][i] = a;
        }
        string[] names = channels switch { 1 => ["Y"], 3 => ["R", "G", "B"], _ => ["R", "G", "B", "A"] };
        ExrFile.Write(_folder.FilePath(_names.For(frame)), frame.Width, frame.Height, names.Select((n, c) => (n, _planes[c])).ToArray());
    }

    protected override void Write(ReadOnlySpan<byte> pixels, FrameSlot frame)
        => throw new InvalidOperationException("an EXR output takes unrounded values (PutDeep)");

    public override void Commit() => _folder.Commit();

    public override void Dispose() => _folder.Dispose();
}
