using System.Diagnostics;

namespace MatteKit.Bench;

/// <summary>Real frames for timing: decoded once from a shared clip by ffmpeg, scaled to the size under test.</summary>
internal static class ClipFrames
{
    public static List<byte[]> Decode(string clip, int width, int height, int count)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-i", clip, "-frames:v", count.ToString(), "-vf", $"scale={width}:{height}:flags=bicubic",
                     "-f", "rawvideo", "-pix_fmt", "rgb24", "-" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("ffmpeg could not be started");
        var stderr = p.StandardError.ReadToEndAsync();
        var frames = new List<byte[]>();
        var stream = p.StandardOutput.BaseStream;
        while (frames.Count < count)
        {
            var frame = new byte[width * height * 3];
            if (stream.ReadAtLeast(frame, frame.Length, throwOnEndOfStream: false) < frame.Length) break;
            frames.Add(frame);
        }
        p.WaitForExit();
        if (p.ExitCode != 0 || frames.Count == 0)
            throw new InvalidOperationException($"{clip}: ffmpeg could not decode frames ({stderr.Result.Trim()})");
        return frames;
    }
}
