using MatteKit.Live;

namespace MatteKit.Tests.Live;

public class AutoNetworkSideTests
{
    [Fact]
    public void AFastCpuKeepsTheLargestSideAfterOneTiming()
    {
        var auto = new AutoNetworkSide();
        var timed = new List<int>();
        auto.Calibrate(side => { timed.Add(side); return 10; }, intervalMs: 1000.0 / 30);
        Assert.Equal(AutoNetworkSide.Largest, auto.Side);
        Assert.Equal(new[] { 320 }, timed);
    }

    [Fact]
    public void TheLargestSideThatFitsIsFoundInFourTimingsAtMost()
    {
        // A fixed cost plus a part that grows with the network's pixels, as measured (17 ms at 128, 47 ms at 320).
        static double Cost(int side) => 12 + 35 * (side / 320.0) * (side / 320.0);
        foreach (double fps in new[] { 15.0, 25, 30, 40, 60 })
        {
            var auto = new AutoNetworkSide();
            var timed = new List<int>();
            double interval = 1000 / fps;
            auto.Calibrate(side => { timed.Add(side); return Cost(side); }, interval);
            Assert.True(timed.Count <= 4, $"{fps} fps: {timed.Count} timings");
            double budget = AutoNetworkSide.NetworkShare * interval;
            var fitting = new[] { 320, 288, 256, 224, 192, 160, 128 }.Where(s => Cost(s) <= budget).DefaultIfEmpty(128).Max();
            Assert.Equal(fitting, auto.Side);
        }
    }

    [Fact]
    public void NothingFittingGivesTheSmallestSide()
    {
        var auto = new AutoNetworkSide();
        auto.Calibrate(_ => 500, intervalMs: 33);
        Assert.Equal(AutoNetworkSide.Smallest, auto.Side);
    }

    [Fact]
    public void StepDownOnlyWhenFramesTakeLongerThanTheyArriveAndNeverBelowTheSmallest()
    {
        var auto = new AutoNetworkSide();
        Assert.Null(auto.StepDown(frameMs: 30, intervalMs: 33));
        Assert.Equal(256, auto.StepDown(frameMs: 40, intervalMs: 33));
        auto.Accept(128);
        Assert.Null(auto.StepDown(frameMs: 400, intervalMs: 33));
        Assert.Equal(0.2, AutoNetworkSide.Ratio(128, 640, 360), 12);
        Assert.Equal(1.0, AutoNetworkSide.Ratio(320, 200, 100));
    }
}
