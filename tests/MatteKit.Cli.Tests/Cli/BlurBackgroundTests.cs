using MatteKit.Compositing;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;

namespace MatteKit.Tests.Cli;

/// <summary><c>convert --background blur[:SIGMA]</c>: where the alpha is 0 the composition is the input blurred.</summary>
public sealed class BlurBackgroundTests
{
    [Fact]
    public void CompositionShowsTheBlurredInputWhereThePersonIsNot()
    {
        using var dir = new TempFolder();
        var input = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
        var r = CliRunner.Run("convert", input, "--background", "blur:12", "--output-composition", dir.File("com.png"), "--output-alpha", dir.File("pha.png"),
            "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var source = PngFile.ReadRgb(input);
        var com = PngFile.ReadRgb(dir.File("com.png"));
        var alpha = PngFile.ReadGray(dir.File("pha.png"));
        var blurred = new byte[source.Pixels.Length];
        new BackgroundBlur(12).Apply(source.Pixels, source.Width, source.Height, blurred);
        int background = 0;
        for (int i = 0; i < alpha.Pixels.Length; i++)
        {
            if (alpha.Pixels[i] != 0) continue;
            background++;
            for (int c = 0; c < 3; c++) Assert.Equal(blurred[3 * i + c], com.Pixels[3 * i + c]);
        }
        Assert.True(background > alpha.Pixels.Length / 20, $"only {background} background pixels");
        Assert.NotEqual(source.Pixels, blurred);

        var bad = CliRunner.Run("convert", input, "--background", "blur:0", "--output-composition", dir.File("bad.png"));
        Assert.Equal(2, bad.ExitCode); // a value the option does not take: a usage error, told before anything is read
        Assert.Contains("blur:SIGMA", bad.StdErr);
    }
}
