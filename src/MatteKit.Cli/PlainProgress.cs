using System.Diagnostics;
using MatteKit.Conversion;

namespace MatteKit.Cli;

/// <summary>
/// Progress as plain lines on stderr when it is not a terminal (logs, CI): the first frame, then at most one line
/// every two seconds, and the last frame. Reported synchronously so lines never interleave with the summary.
/// </summary>
internal sealed class PlainProgress : IProgress<ConvertProgress>
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private TimeSpan _last = -Interval;
    private int _printed = -1;

    public void Report(ConvertProgress p)
    {
        bool last = p.FramesTotal > 0 && p.FramesDone >= p.FramesTotal;
        if (p.FramesDone == _printed || (p.FramesDone != 1 && !last && p.Elapsed - _last < Interval)) return;
        _last = p.Elapsed;
        _printed = p.FramesDone;
        double fps = p.FramesDone / Math.Max(p.Elapsed.TotalSeconds, 1e-9);
        var line = p.FramesTotal > 0
            ? $"frame {p.FramesDone}/{p.FramesTotal}  {fps:F1} fps  ETA {Eta(p, fps)}"
            : $"frame {p.FramesDone}  {fps:F1} fps";
        Console.Error.WriteLine(line);
    }

    private static string Eta(ConvertProgress p, double fps)
    {
        double seconds = Math.Max(0, p.FramesTotal - p.FramesDone) / Math.Max(fps, 1e-9);
        return TimeSpan.FromSeconds(Math.Round(seconds)).ToString(@"h\:mm\:ss");
    }
}
