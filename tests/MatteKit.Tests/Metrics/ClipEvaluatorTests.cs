using MatteKit.Metrics;

namespace MatteKit.Tests.Metrics;

public class ClipEvaluatorTests
{
    [Fact]
    public void First_frame_has_zero_dtssd_and_it_counts_in_the_mean()
    {
        var clip = new ClipEvaluator("c", 2, 1);
        var first = clip.Add("0", [0, 0], [0, 0]);
        var second = clip.Add("1", [0.2f, 0], [0, 0]);
        var scores = clip.Finish();
        Assert.Equal(0, first.Values.DtSsd);
        Assert.Equal(100 * Math.Sqrt(0.02), second.Values.DtSsd, 5);
        Assert.Equal(100 * Math.Sqrt(0.02) / 2, scores.Mean.DtSsd, 5);
        Assert.Equal((0 + 100) / 2.0, scores.Mean.Mad, 4);     // MAD: 0, then |0.2 - 0| / 2 * 1e3 = 100
    }

    [Fact]
    public void One_frame_clip()
    {
        var clip = new ClipEvaluator("c", 2, 2);
        clip.Add("only", [1, 1, 0, 0], [1, 1, 0, 0]);
        var scores = clip.Finish();
        Assert.Single(scores.Frames);
        Assert.All(new[] { scores.Mean.Mad, scores.Mean.Mse, scores.Mean.Grad, scores.Mean.Conn, scores.Mean.DtSsd }, v => Assert.Equal(0, v));
        Assert.Equal(1, scores.Mean.JAndF);
        Assert.True(double.IsNaN(scores.Mean.ForegroundMse), "no foreground given");
    }

    [Fact]
    public void Foreground_means_leave_out_frames_without_foreground_pixels()
    {
        var clip = new ClipEvaluator("c", 1, 1);
        clip.Add("0", [0], [0], [1, 1, 1], [0, 0, 0]);           // true alpha 0: NaN
        clip.Add("1", [1], [1], [0.5f, 0.5f, 0.5f], [0, 0, 0]);  // (0.25 * 3) / 3 * 1e3 = 250
        var scores = clip.Finish();
        Assert.Equal(250, scores.Mean.ForegroundMse, 4);
        Assert.Equal(500, scores.Mean.ForegroundMad, 4);
    }

    [Fact]
    public void Dataset_mean_is_the_mean_of_clip_means()
    {
        var a = new ClipEvaluator("a", 1, 1);
        a.Add("0", [1], [0]);
        var b = new ClipEvaluator("b", 1, 1);
        b.Add("0", [0], [0]);
        b.Add("1", [0], [0]);
        var dataset = DatasetScores.FromClips([a.Finish(), b.Finish()]);
        Assert.Equal(500, dataset.Mean.Mad, 9);
    }

    [Fact]
    public void Frames_of_the_wrong_size_are_refused()
    {
        var clip = new ClipEvaluator("c", 2, 2);
        Assert.Throws<ArgumentException>(() => clip.Add("0", new float[3], new float[4]));
    }
}
