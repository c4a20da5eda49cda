using System.Text.Json;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Media;

/// <summary>
/// Video outputs are encoded with the input's own matrix and range and tagged with them, so a player shows the
/// composition as it shows the input. Measured where the person is opaque: there the composition equals the
/// foreground exactly, so the composition video decoded as a player would, against the lossless foreground PNGs,
/// leaves only compression noise.
/// </summary>
public sealed class ColourRoundTripTests
{
    private static readonly string SampleClip = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private readonly ITestOutputHelper _log;

    public ColourRoundTripTests(ITestOutputHelper log) => _log = log;

    [SkippableTheory]
    [InlineData("bt709", "bt709", "bt709", 1280, 720, true, "bt601")]
    [InlineData("smpte170m", "smpte170m", "smpte170m", 640, 360, true, "bt709")]
    [InlineData("bt709", "bt709", "bt709", 1280, 720, false, "bt601")]   // untagged HD: BT.709 assumed, as players do
    public void CompositionDecodesToTheForegroundAndCarriesTheInputsTags(string matrix, string primaries, string transfer,
        int width, int height, bool tagged, string wrongMatrix)
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var input = dir.File("in.mp4");
        var scaleMatrix = matrix == "smpte170m" ? "bt601" : matrix;
        var make = new List<string> { "-i", SampleClip, "-t", "0.4", "-an",
            "-vf", $"scale={width}:{height}:out_color_matrix={scaleMatrix}:out_range=tv", "-c:v", "libx264", "-crf", "10", "-pix_fmt", "yuv420p" };
        if (tagged) make.AddRange(new[] { "-colorspace", matrix, "-color_primaries", primaries, "-color_trc", transfer, "-color_range", "tv" });
        make.Add(input);
        MediaTools.Ffmpeg(make.ToArray());

        var r = CliRunner.Run("convert", input, "--output-composition", dir.File("com.mp4"), "--output-alpha", dir.File("pha"),
            "--output-foreground", dir.File("fgr"), "--crf", "10");
        Assert.True(r.ExitCode == 0, r.StdErr);

        var tags = ColourTags(dir.File("com.mp4"));
        _log.WriteLine($"input {width}x{height} {(tagged ? $"tagged {matrix}" : "untagged")}: composition tagged {string.Join(", ", tags)}");
        Assert.Equal(new[] { matrix, "tv", primaries, transfer }, tags);

        // The noise floor: the lossless foreground encoded the same way by ffmpeg alone (matrix, range, 4:2:0, crf).
        MediaTools.Ffmpeg("-framerate", "25", "-i", Path.Combine(dir.File("fgr"), "%04d.png"), "-vf", $"scale=out_color_matrix={scaleMatrix}:out_range=tv",
            "-c:v", "libx264", "-crf", "10", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            "-colorspace", matrix, "-color_primaries", primaries, "-color_trc", transfer, "-color_range", "tv", dir.File("floor.mp4"));
        var floor = MediaTools.DecodeFrames(dir.File("floor.mp4"), "rgb24", width, height);
        var asPlayed = MediaTools.DecodeFrames(dir.File("com.mp4"), "rgb24", width, height);
        var wrong = MediaTools.DecodeFrames(dir.File("com.mp4"), "rgb24", width, height,
            filter: $"scale=in_color_matrix={wrongMatrix}:in_range=tv,format=rgb24");
        var inputFrames = MediaTools.DecodeFrames(input, "rgb24", width, height);
        var pngs = Directory.GetFiles(dir.File("fgr"), "*.png").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(pngs.Length, asPlayed.Count);

        var error = new double[3];
        var floorError = new double[3];
        var wrongError = new double[3];
        var inputError = new double[3];
        long opaque = 0;
        for (int f = 0; f < pngs.Length; f++)
        {
            var fgr = PngFile.ReadRgb(pngs[f]).Pixels;
            var pha = PngFile.ReadGray(Path.Combine(dir.File("pha"), Path.GetFileName(pngs[f]))).Pixels;
            for (int p = 0; p < pha.Length; p++)
            {
                if (pha[p] != 255) continue;
                opaque++;
                for (int c = 0; c < 3; c++)
                {
                    error[c] += Math.Abs(asPlayed[f][3 * p + c] - fgr[3 * p + c]);
                    floorError[c] += Math.Abs(floor[f][3 * p + c] - fgr[3 * p + c]);
                    wrongError[c] += Math.Abs(wrong[f][3 * p + c] - fgr[3 * p + c]);
                    inputError[c] += Math.Abs(asPlayed[f][3 * p + c] - inputFrames[f][3 * p + c]);
                }
            }
        }
        string Levels(double[] e) => string.Join(" / ", e.Select(v => (v / opaque).ToString("F2")));
        _log.WriteLine($"{opaque} opaque pixels over {pngs.Length} frames; mean error R/G/B in levels: composition as played vs foreground {Levels(error)} " +
                       $"(noise floor, ffmpeg encoding the foreground alone: {Levels(floorError)}), " +
                       $"decoded with the {wrongMatrix} matrix instead {Levels(wrongError)}, composition vs input {Levels(inputError)}");
        Assert.True(opaque > 10_000, $"only {opaque} opaque pixels");
        for (int c = 0; c < 3; c++) Assert.InRange(error[c] / opaque, 0, floorError[c] / opaque + 0.25);
        // The check can fail: the other matrix is off by more than compression noise.
        Assert.True(wrongError.Max() / opaque > 2.0, $"the wrong matrix gave {Levels(wrongError)}");
    }

    [Fact]
    public void PngOutputsAreTaggedSrgb()
    {
        using var dir = new TempFolder();
        PngFile.WriteRgb(dir.File("x.png"), 4, 4, new byte[48]);
        var bytes = File.ReadAllBytes(dir.File("x.png"));
        int at = bytes.AsSpan().IndexOf("sRGB"u8);
        _log.WriteLine($"sRGB chunk at byte {at}");
        Assert.Equal(8 + 25 + 4, at);   // right after IHDR, as the PNG spec requires (before IDAT)
        Assert.Equal(0, bytes[at + 4]);   // perceptual
    }

    private static string[] ColourTags(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=color_space,color_range,color_primaries,color_transfer", "-of", "json", path })
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var json = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var s = JsonDocument.Parse(json).RootElement.GetProperty("streams")[0];
        return new[] { "color_space", "color_range", "color_primaries", "color_transfer" }
            .Select(k => s.TryGetProperty(k, out var v) ? v.GetString()! : "absent").ToArray();
    }
}
