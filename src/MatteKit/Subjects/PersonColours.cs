namespace MatteKit.Subjects;

/// <summary>
/// The colours a person is made of, wherever they lie on them: a histogram of the pixels inside their mask when last
/// seen clear of others. Where two people's masks meet, a pixel's colour says whose it more likely is even when a
/// mask, remembered or taken beside someone else, has slipped by a few pixels; unlike a remembered crop's colours it
/// does not depend on where on the person the pixel is. The same histogram of the crop's pixels outside the mask is the
/// colours around the person then (what was behind and beside them).
/// </summary>
internal sealed class PersonColours
{
    private const int Levels = 8;                    // per channel: 512 bins
    private const int Bins = Levels * Levels * Levels;
    /// <summary>The mask value from which a crop pixel counts: the mask's edge mixes in the background.</summary>
    private const float Core = 0.8f;
    /// <summary>Sure pixels needed before the colours say anything (a person far off, or a mask the model doubts).</summary>
    private const int MinPixels = 256;
    /// <summary>The mask value below which a crop pixel is around the person, not on them.</summary>
    private const float Outside = 0.1f;
    private readonly float[] _logShare = new float[Bins];
    private readonly bool _around;

    /// <param name="around">Whether these are the colours around the person (the crop outside the mask), not on them.</param>
    public PersonColours(bool around = false) => _around = around;

    /// <summary>Whether a mask with enough pixels has been taken (for the colours around a person: the last crop taken had enough around them).</summary>
    public bool Known { get; private set; }

    /// <summary>
    /// Takes the colours of <paramref name="crop"/>'s pixels well inside its mask (outside it, for the colours around);
    /// a crop with too few of them (the person far off, or at the frame's edge) leaves what was known of the person, and
    /// forgets what was around them.
    /// </summary>
    public void Take(PersonCrop crop)
    {
        Span<int> counts = stackalloc int[Bins];
        int total = 0;
        for (int i = 0; i < crop.Mask.Length; i++)
        {
            if (_around ? crop.Mask[i] > Outside : crop.Mask[i] < Core) continue;
            counts[Bin(crop.Rgb[3 * i], crop.Rgb[3 * i + 1], crop.Rgb[3 * i + 2])]++;
            total++;
        }
        if (total < MinPixels)
        {
            // The colours around go with the crop they are of (SubjectOwnership's gap test reads that crop beside
            // them): an older crop's would not describe the one now remembered.
            if (_around) Known = false;
            return;
        }
        Known = true;
        // One pixel's worth of every colour: a colour never seen on a person is unlikely, not impossible.
        for (int b = 0; b < Bins; b++) _logShare[b] = MathF.Log((counts[b] + 1f) / (total + Bins));
    }

    /// <summary>The log of the share of the person's pixels that have this pixel's colour.</summary>
    public float LogShare(ReadOnlySpan<byte> rgb24, int pixel) => LogShare(rgb24[3 * pixel], rgb24[3 * pixel + 1], rgb24[3 * pixel + 2]);

    /// <summary>The log of the share of the person's pixels that have this colour.</summary>
    public float LogShare(byte r, byte g, byte b) => _logShare[Bin(r, g, b)];

    private static int Bin(byte r, byte g, byte b) => ((r * Levels) >> 8) * Levels * Levels + ((g * Levels) >> 8) * Levels + ((b * Levels) >> 8);
}
