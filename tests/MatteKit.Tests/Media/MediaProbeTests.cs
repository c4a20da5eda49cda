using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Tests.Media;

/// <summary>Reading ffprobe's JSON answer and ffmpeg's frame-rate notations (no ffmpeg needed).</summary>
public sealed class MediaProbeTests
{
    [Fact]
    public void ReadsTheFirstRealVideoStreamItsRotationAndTheAudioCodec()
    {
        const string Json = """
            {"streams": [
              {"codec_type": "video", "codec_name": "mjpeg", "width": 300, "height": 300, "r_frame_rate": "90000/1",
               "disposition": {"attached_pic": 1}},
              {"codec_type": "audio", "codec_name": "aac"},
              {"codec_type": "video", "codec_name": "h264", "width": 1920, "height": 1080, "r_frame_rate": "30000/1001",
               "avg_frame_rate": "30000/1001", "nb_frames": "287", "duration": "9.576",
               "side_data_list": [{"side_data_type": "Display Matrix", "rotation": -90}]}
            ], "format": {"duration": "9.6"}}
            """;
        var info = MediaProbe.Parse("clip.mp4", Json);
        Assert.Equal(("h264", 1920, 1080, new FrameRate(30000, 1001), 287L, -90), (info.VideoCodec, info.Width, info.Height, info.FrameRate, info.FrameCount, info.Rotation));
        Assert.Equal((1080, 1920), info.DisplaySize);
        Assert.Equal("aac", info.AudioCodec);
    }

    [Fact]
    public void FrameCountFallsBackToDurationTimesRate()
    {
        var info = MediaProbe.Parse("clip.webm", """
            {"streams": [{"codec_type": "video", "codec_name": "vp9", "width": 64, "height": 48, "r_frame_rate": "25/1"}],
             "format": {"duration": "2.000000"}}
            """);
        Assert.Equal(50, info.FrameCount);
        Assert.False(info.HasAudio);
    }

    /// <summary>
    /// A stream ffprobe reports at 0x0 (a text file named .png: ffprobe exits 0 and says why only on stderr) was
    /// "video stream has no frame size"; now the codec, that the file is damaged or not what its name says, and
    /// ffprobe's reason where it gave one.
    /// </summary>
    [Fact]
    public void AStreamWithNoFrameSizeIsSaidToBeDamagedOrNotWhatItsNameSays()
    {
        const string Json = """{"streams": [{"codec_type": "video", "codec_name": "png", "width": 0, "height": 0}]}""";
        Assert.Equal("x.png: its png stream has no frame size: damaged, or not what its name says",
            Assert.Throws<MediaFormatException>(() => MediaProbe.Parse("x.png", Json)).Message);
        Assert.Equal("x.png: its png stream has no frame size: damaged, or not what its name says (ffprobe: Invalid PNG signature 0x4920616D20746578.)",
            Assert.Throws<MediaFormatException>(() => MediaProbe.Parse("x.png", Json, "Invalid PNG signature 0x4920616D20746578.")).Message);
    }

    [Fact]
    public void NoVideoStreamNamesTheFile()
    {
        var e = Assert.Throws<MediaFormatException>(() => MediaProbe.Parse("song.m4a", """{"streams": [{"codec_type": "audio", "codec_name": "aac"}]}"""));
        Assert.Equal("song.m4a: has no video stream", e.Message);
    }

    [Theory]
    [InlineData("30000/1001", 30000, 1001)]
    [InlineData("25/1", 25, 1)]
    [InlineData("29.97", 30000, 1001)]
    [InlineData("23.98", 24000, 1001)]
    [InlineData("50", 50, 1)]
    [InlineData("12.5", 12500, 1000)]
    public void FrameRatesStayExact(string text, int numerator, int denominator)
    {
        Assert.True(FrameRate.TryParse(text, out var rate));
        Assert.Equal(new FrameRate(numerator, denominator), rate);
    }

    [Theory]
    [InlineData("0/0")]
    [InlineData("")]
    [InlineData("fast")]
    public void UnusableFrameRatesAreRejected(string text) => Assert.False(FrameRate.TryParse(text, out _));
}
