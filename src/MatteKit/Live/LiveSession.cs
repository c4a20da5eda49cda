using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MatteKit.Conversion;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Live;

/// <summary>
/// What <c>mattekit live</c> runs: an ffmpeg child reads the source as it comes (camera, stream, screen, stdin,
/// a file at its own rate), every decoded frame goes to a <see cref="LiveMatter"/> (newest wins), and each matted
/// frame goes to the outputs (<see cref="LiveOutput"/>, each with its own writer) and to a viewer. A signal, the
/// end of the input or <c>--duration</c> ends it cleanly: outputs are finished and renamed, the stats written.
/// </summary>
internal static class LiveSession
{
    /// <summary>How long an output's ffmpeg may take to finish its file once the session stops.</summary>
    private static readonly TimeSpan FinishTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How long to wait before reopening an input that ended or failed, with <c>--reconnect</c>.</summary>
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    /// <param name="options">Validated here.</param>
    /// <param name="log">Lines for the user (reconnects, warnings); null = none.</param>
    /// <param name="viewer">Called on the worker with every matted frame after the outputs (the preview page).</param>
    /// <param name="started">Called once with the running matter (to steer it: background, ratio, reset).</param>
    /// <param name="stop">Ends the session cleanly (a signal): outputs are finished, not discarded.</param>
    /// <exception cref="MediaFormatException">The input or an output failed; outputs written so far are finished first.</exception>
    public static LiveStats Run(LiveSessionOptions options, Action<string>? log, Action<LiveFrame>? viewer, Action<LiveMatter>? started,
        CancellationToken stop)
    {
        options.Validate();
        var targets = Targets(options);
        bool transparent = options.Matter.Background.IsTransparent;
        foreach (var (target, v4l2, role) in targets) LiveOutput.Check(target, v4l2, transparent && role == LiveOutputRole.Composition);
        // Written at the end of the session: refused now, not after it (a link or a FIFO there).
        if (options.StatsFile is not null) OutputFile.RequireReplaceable(options.StatsFile);
        CheckInput(options.Input);

        LiveOutput[] outputs = Array.Empty<LiveOutput>();
        void OnFrame(LiveFrame frame)
        {
            foreach (var output in Volatile.Read(ref outputs))
                output.Offer(output.Role switch
                {
                    LiveOutputRole.Alpha => frame.Alpha,
                    LiveOutputRole.Foreground => frame.Foreground,
                    _ => frame.Composition,
                });
            viewer?.Invoke(frame);
        }

        using var until = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var clock = Stopwatch.StartNew();
        MediaInfo? info = null;
        if (options.Realtime)
        {
            // A file's size and rate are known before playback: the session is built (and the live default ratio
            // timed for this rate) before its first frame is read, so nothing is dropped while that happens.
            info = MediaProbe.Probe(options.Input, options.ReadTimeout, until.Token);
            PixelLimit.Check(options.Input, info.DisplaySize.Width, info.DisplaySize.Height, options.Matter.Matting.MaxPixels);
            LiveMatterOptions.CheckRatioFits(options.Matter.Matting.DownsampleRatio, info.DisplaySize.Width, info.DisplaySize.Height);
        }
        double? knownFps = info?.FrameRate.PerSecond ?? options.InputFps;
        var matterOptions = knownFps is { } known && known > 0 && known <= 1000 ? options.Matter with { TargetFps = known } : options.Matter;
        using var matter = LiveMatter.Start(matterOptions, OnFrame);
        started?.Invoke(matter);
        if (info is not null)
        {
            try
            {
                matter.Prepare(info.DisplaySize.Width, info.DisplaySize.Height).Wait(until.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        else if (options.InputSize is { } size)
        {
            matter.Prepare(size.Width, size.Height);
        }
        else
        {
            // A stream's size is known once it decodes: meanwhile the session for the size seen last time is built.
            matter.PrepareRememberedSize();
        }
        if (options.Duration is { } duration) until.CancelAfter(duration);
        FrameRate? probedRate = info?.FrameRate;

        MediaFormatException? ending = null;
        Exception? failure = null; // what stopped the session other than its input: the outputs are finished all the same
        MediaFormatException? unfinished = null; // an output whose ffmpeg failed to finish it
        long reconnects = 0;
        string ended = "the input ended";
        try
        {
            byte[] pixels = Array.Empty<byte>();
            (int Width, int Height)? firstSize = null;
            while (!until.IsCancellationRequested)
            {
                string why = "the input ended";
                using var decoder = VideoDecoder.OpenLive(options.Input, InputArguments(options), options.Matter.Matting.MaxPixels, options.ReadTimeout,
                    (w, h) => { if ((long)w * h <= options.Matter.Matting.MaxPixels && LiveMatterOptions.RatioFits(options.Matter.Matting.DownsampleRatio, w, h)) matter.Prepare(w, h); },
                    until.Token);
                try
                {
                    while (decoder.ReadFrame(ref pixels, out int width, out int height))
                    {
                        if (firstSize is null)
                        {
                            LiveMatterOptions.CheckRatioFits(options.Matter.Matting.DownsampleRatio, width, height);
                            firstSize = (width, height);
                            var rate = probedRate ?? decoder.StreamFrameRate ?? (options.InputFps is { } fps && FrameRate.TryParse(fps.ToString("0.###", CultureInfo.InvariantCulture), out var given) ? given : FrameRate.Default);
                            Volatile.Write(ref outputs, OpenOutputs(targets, matter.Transparent, width, height, rate, options.Encoding));
                        }
                        else if ((width, height) != firstSize)
                        {
                            throw new MediaFormatException(options.Input, $"changed its frame size from {firstSize.Value.Width}x{firstSize.Value.Height} " +
                                $"to {width}x{height}; the outputs hold one size");
                        }
                        matter.Submit(pixels.AsSpan(0, width * height * 3), width, height);
                    }
                }
                catch (OperationCanceledException) when (until.IsCancellationRequested)
                {
                    break;
                }
                catch (MediaFormatException e) when (options.Reconnect && !until.IsCancellationRequested)
                {
                    why = Explain(e, options.Input).Problem;
                }
                if (until.IsCancellationRequested || !options.Reconnect) break;
                log?.Invoke($"mattekit: {options.Input}: {why}; reconnecting in {ReconnectDelay.TotalSeconds:0} s");
                if (until.Token.WaitHandle.WaitOne(ReconnectDelay)) break;
                reconnects++;
                matter.Reset();
            }
            if (stop.IsCancellationRequested) ended = "stopped by a signal";
            else if (until.IsCancellationRequested) ended = "duration reached";
        }
        catch (MediaFormatException e)
        {
            ending = Explain(e, options.Input);
            ended = "the input failed";
        }
        catch (OperationCanceledException) when (until.IsCancellationRequested)
        {
            ended = stop.IsCancellationRequested ? "stopped by a signal" : "duration reached";
        }
        catch (Exception e)
        {
            failure = Unwrapped(e);
            ended = $"the session failed: {Cause(e)}";
        }

        try
        {
            try
            {
                matter.Stop();
            }
            catch (Exception e) when (failure is null)
            {
                failure = Unwrapped(e);
                ended = $"the session failed: {Cause(e)}";
            }
            catch (Exception)
            {
                // The same failure, already caught from Submit.
            }
            // Each output is finished even when another fails to: what they hold is kept under their names. A session
            // that failed before its first frame came out keeps nothing (its outputs are discarded by Dispose).
            bool nothingMatted = failure is not null && matter.Stats.FramesOut == 0;
            foreach (var output in nothingMatted ? Array.Empty<LiveOutput>() : outputs)
            {
                try
                {
                    output.Finish(FinishTimeout, stop.IsCancellationRequested);
                }
                catch (MediaFormatException e)
                {
                    unfinished ??= e;
                }
            }
        }
        finally
        {
            foreach (var output in outputs) output.Dispose();
        }
        var stats = matter.Stats;
        if (options.StatsFile is { } statsFile) WriteStats(statsFile, stats, outputs, reconnects, ended, clock.Elapsed);
        // The stream ended before the frame --subject-frame names: nobody was chosen, and every frame's alpha is 0.
        if (failure is null && matter.SubjectNeverReached is { } never)
            throw new LiveSessionException($"live: {never}; the outputs hold {stats.FramesOut} frame(s) with nobody chosen (alpha 0)",
                new Subjects.SubjectChoiceException(never));
        if (failure is not null)
        {
            if (stats.FramesOut > 0 && outputs.Length > 0)
                throw new LiveSessionException($"live: {ended}; the outputs hold the {stats.FramesOut} frame(s) matted before it", failure);
            if (failure is ArgumentException or MediaFormatException) throw failure;
            throw new LiveSessionException($"live: {ended}", failure);
        }
        if (ending is not null)
        {
            if (stats.FramesOut > 0 && outputs.Length > 0)
                throw new MediaFormatException(options.Input, $"{ending.Problem}; the outputs hold the {stats.FramesOut} frame(s) matted before it");
            throw ending;
        }
        if (unfinished is not null) throw unfinished;
        return stats;
    }

    // All or none: an output that cannot be opened closes (and removes) those opened before it.
    private static LiveOutput[] OpenOutputs(List<(string Target, bool V4l2, LiveOutputRole Role)> targets, bool transparent, int width, int height,
        FrameRate rate, LiveEncoding encoding)
    {
        var opened = new List<LiveOutput>();
        try
        {
            foreach (var (target, v4l2, role) in targets) opened.Add(LiveOutput.Open(target, v4l2, role, transparent, width, height, rate, encoding));
            return opened.ToArray();
        }
        catch
        {
            foreach (var output in opened) output.Dispose();
            throw;
        }
    }

    /// <summary>The innermost message: LiveMatter wraps its worker's failure in "the live session failed: ...".</summary>
    // A failure of the worker arrives wrapped (the matter's InvalidOperationException); a wrong option found on the first
    // frame (a subject that is not there) is the option's error, as convert gives it.
    private static Exception Unwrapped(Exception e) => e is InvalidOperationException { InnerException: ArgumentException inner } ? inner : e;

    private static string Cause(Exception e) => (e is InvalidOperationException { InnerException: { } inner } ? inner : e).Message.ReplaceLineEndings(" ");

    private static List<(string Target, bool V4l2, LiveOutputRole Role)> Targets(LiveSessionOptions options)
    {
        var targets = options.Outputs.Select(o => (o, false, LiveOutputRole.Composition)).ToList();
        if (options.OutputAlpha is { } alpha) targets.Add((alpha, false, LiveOutputRole.Alpha));
        if (options.OutputForeground is { } foreground) targets.Add((foreground, false, LiveOutputRole.Foreground));
        if (options.OutputV4l2 is { } device) targets.Add((device, true, LiveOutputRole.Composition));
        return targets;
    }

    private static void CheckInput(string input)
    {
        if (input.StartsWith("/dev/", StringComparison.Ordinal) && !File.Exists(input))
            throw new MediaFormatException(input, "no such device (ls /dev/video* lists the cameras present)");
    }

    private static List<string> InputArguments(LiveSessionOptions options)
    {
        var args = new List<string>();
        if (options.Realtime) args.Add("-re");
        if (options.Loop) args.AddRange(new[] { "-stream_loop", "-1" });
        if (options.InputFormat is { } format) args.AddRange(new[] { "-f", format });
        if (options.InputSize is { } s) args.AddRange(new[] { "-video_size", $"{s.Width}x{s.Height}" });
        if (options.InputFps is { } fps) args.AddRange(new[] { "-framerate", fps.ToString("0.###", CultureInfo.InvariantCulture) });
        return args;
    }

    /// <summary>ffmpeg's words for a camera another program holds, said plainly.</summary>
    private static MediaFormatException Explain(MediaFormatException e, string input)
        => e.Message.Contains("Device or resource busy", StringComparison.Ordinal)
            ? new MediaFormatException(input, "is busy: another program is using this device")
            : e;

    private static void WriteStats(string path, LiveStats stats, IReadOnlyList<LiveOutput> outputs, long reconnects, string ended, TimeSpan elapsed)
    {
        OutputFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            LiveStatsJson.WriteCounts(json, stats);
            json.WriteNumber("reconnects", reconnects);
            json.WriteNumber("duration_s", Math.Round(elapsed.TotalSeconds, 3));
            json.WriteString("ended", ended);
            json.WriteStartArray("outputs");
            foreach (var output in outputs)
            {
                json.WriteStartObject();
                json.WriteString("target", output.Target);
                json.WriteString("role", output.Role.ToString().ToLowerInvariant());
                json.WriteNumber("frames_written", output.Written);
                json.WriteNumber("dropped", output.Dropped);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }
}
