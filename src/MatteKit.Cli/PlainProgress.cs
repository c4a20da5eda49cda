using MatteKit.Conversion;

namespace MatteKit.Cli;

/// <summary>
/// Progress as plain lines on stderr (first frame, every 25th, last), reported synchronously so lines never
/// interleave with the summary. A live bar for terminals comes with the video pipeline.
/// </summary>
internal sealed class PlainProgress : IProgress<ConvertProgress>
{
    public void Report(ConvertProgress p)
    {
        if (p.FramesDone == 1 || p.FramesDone == p.FramesTotal || p.FramesDone % 25 == 0)
            Console.Error.WriteLine($"frame {p.FramesDone}/{p.FramesTotal}  {p.FramesDone / Math.Max(p.Elapsed.TotalSeconds, 1e-9):F1} fps");
    }
}
