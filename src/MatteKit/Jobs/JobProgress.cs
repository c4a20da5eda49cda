namespace MatteKit.Jobs;

/// <summary>
/// A job's frames written so far out of <see cref="FramesTotal"/> (0 when unknown, as <see cref="Conversion.ConvertProgress"/>
/// says), the rate since its run began (loading included) and the time left at that rate (null while unknown).
/// </summary>
internal readonly record struct JobProgress(int FramesDone, int FramesTotal, double FramesPerSecond, TimeSpan? Remaining)
{
    /// <summary>From the converter's report: the rate over the whole run so far, the time left at that rate.</summary>
    public static JobProgress From(Conversion.ConvertProgress report)
    {
        double seconds = report.Elapsed.TotalSeconds;
        double fps = seconds > 0 ? report.FramesDone / seconds : 0;
        TimeSpan? remaining = report.FramesTotal > 0 && fps > 0
            ? TimeSpan.FromSeconds(Math.Max(0, report.FramesTotal - report.FramesDone) / fps)
            : null;
        return new JobProgress(report.FramesDone, report.FramesTotal, fps, remaining);
    }
}
