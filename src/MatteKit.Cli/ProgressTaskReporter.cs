using MatteKit.Conversion;
using Spectre.Console;

namespace MatteKit.Cli;

/// <summary>Feeds conversion progress into a Spectre.Console progress task (frames, fps; the bar shows the ETA).</summary>
internal sealed class ProgressTaskReporter(ProgressTask task) : IProgress<ConvertProgress>
{
    public void Report(ConvertProgress p)
    {
        double fps = p.FramesDone / Math.Max(p.Elapsed.TotalSeconds, 1e-9);
        if (p.FramesTotal > 0)
        {
            task.IsIndeterminate = false;
            task.MaxValue = p.FramesTotal;
            task.Description = $"frame {p.FramesDone}/{p.FramesTotal}  {fps:F1} fps";
        }
        else
        {
            task.Description = $"frame {p.FramesDone}  {fps:F1} fps";
        }
        task.Value = p.FramesDone;
    }
}
