using MatteKit.Training.Recipe;

namespace MatteKit.Training.Runs;

/// <summary>
/// The memory one training step needs, estimated before anything loads, and a refusal (with sizes that fit) when
/// it exceeds what the machine has: stage3's own defaults (512x512, T=40, and 2048x2048, T=6) would otherwise
/// pass every check and exhaust memory in the first step.
/// </summary>
/// <remarks>
/// Fitted to the peak RSS (VmHWM, /usr/bin/time) of 3 steps of mattekit-train with MobileNetV3, 2 threads, one
/// cut-out over one background, measured on this project's 2-core machine: finetune 128x128 T=2: 429 MiB;
/// 256x256 T=2: 618 MiB; 256x256 T=8: 1559 MiB; 512x512 T=4: 2272 MiB; stage1 256x256 T=4: 887 MiB; stage3 at
/// 128x128 T=2 with the high-resolution pass at 256x256 T=2: 531 MiB, 512x512 T=2: 914 MiB, 1024x1024 T=2:
/// 2517 MiB. Between them the low-resolution pass grows 1890 to 2509 bytes per pixel of its batch (T x W x H), the
/// high-resolution pass (ratio 0.25, deep guided filter) 1021 to 1069; the passes run one after the other. The
/// estimate, a 400 MiB base plus 2600 or 1150 bytes a pixel of the larger pass, is above every measurement.
/// ResNet50 was not measured (no such weights here).
/// </remarks>
internal static class StepMemory
{
    public const long BaseBytes = 400L << 20;
    public const long LowResolutionBytesPerPixel = 2600, HighResolutionBytesPerPixel = 1150;

    public static long Estimate(TrainOptions o) => Estimate(o.Preset, o.Width, o.Height, o.Frames, o.HighWidth, o.HighHeight, o.HighFrames);

    public static long Estimate(TrainingPreset preset, int width, int height, int frames, int highWidth, int highHeight, int highFrames)
    {
        long low = LowResolutionBytesPerPixel * frames * width * height;
        long high = preset.HighResolution ? HighResolutionBytesPerPixel * highFrames * highWidth * highHeight : 0;
        return BaseBytes + Math.Max(low, high);
    }

    /// <summary>
    /// What this process may use: the memory available now (Linux's MemAvailable) or the container's limit,
    /// whichever is lower.
    /// </summary>
    public static long Available()
    {
        long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line["MemAvailable:".Length..].Trim().Split(' ')[0], out long kb))
                    return Math.Min(limit, kb * 1024);
        }
        catch (IOException)
        {
        }
        return limit;
    }

    /// <exception cref="ArgumentException">The step would not fit: one line with the estimate, what is available and sizes that fit.</exception>
    public static void Check(TrainOptions o) => Check(o, Available());

    public static void Check(TrainOptions o, long available)
    {
        long needed = Estimate(o);
        if (needed <= available) return;
        var what = $"--preset {o.Preset.Name} at {o.Width}x{o.Height}, T={o.Frames}" +
                   (o.Preset.HighResolution ? $" with a high-resolution pass at {o.HighWidth}x{o.HighHeight}, T={o.HighFrames}" : "");
        throw new ArgumentException($"{what} needs about {Gigabytes(needed)} for one step, more than the {Gigabytes(available)} available here; {Proposal(o, available)}");
    }

    private static string Proposal(TrainOptions o, long available)
    {
        var parts = new List<string>();
        long room = available - BaseBytes;
        if (room > 0)
        {
            if (LowResolutionBytesPerPixel * o.Frames * o.Width * o.Height > room)
            {
                long frames = room / (LowResolutionBytesPerPixel * o.Width * o.Height);
                if (frames >= 1) parts.Add($"--seq-length {frames}");
                else if (SideFitting(room, LowResolutionBytesPerPixel, o.Width, o.Height) is { } side) parts.Add($"--size {side.Width}x{side.Height} --seq-length 1");
            }
            if (o.Preset.HighResolution && HighResolutionBytesPerPixel * o.HighFrames * o.HighWidth * o.HighHeight > room)
            {
                long frames = room / (HighResolutionBytesPerPixel * o.HighWidth * o.HighHeight);
                if (frames >= 1) parts.Add($"--hr-seq-length {frames}");
                else if (SideFitting(room, HighResolutionBytesPerPixel, o.HighWidth, o.HighHeight) is { } side) parts.Add($"--hr-size {side.Width}x{side.Height} --hr-seq-length 1");
            }
        }
        return parts.Count > 0 ? $"e.g. {string.Join(' ', parts)} fits" : "lower --size and --seq-length (and --hr-size, --hr-seq-length)";
    }

    // The given aspect scaled down (sides a multiple of 32, at least the smallest training side) until one frame fits.
    private static (int Width, int Height)? SideFitting(long room, long bytesPerPixel, int width, int height)
    {
        for (double scale = 0.9; scale > 0; scale -= 0.05)
        {
            int w = Math.Max(TrainOptions.MinSide, (int)(width * scale) / 32 * 32), h = Math.Max(TrainOptions.MinSide, (int)(height * scale) / 32 * 32);
            if (bytesPerPixel * w * h <= room) return (w, h);
            if (w == TrainOptions.MinSide && h == TrainOptions.MinSide) return null;
        }
        return null;
    }

    private static string Gigabytes(long bytes) => $"{bytes / (double)(1L << 30):F1} GB";
}
