using MatteKit.Subjects;
using Xunit;

namespace MatteKit.Tests.Subjects;

/// <summary>The pose region: its crop-to-frame mapping and how it is made from MoveNet's keypoints (hand-made people).</summary>
public sealed class PoseRoiTests
{
    [Theory]
    [InlineData(300.5f, 200.25f, 412f, 0f)]
    [InlineData(300.5f, 200.25f, 412f, 0.7f)]
    [InlineData(-40f, 900f, 37.5f, -2.9f)]
    public void ToCropInvertsToFrame(float cx, float cy, float side, float rotation)
    {
        var roi = new PoseRoi(cx, cy, side, rotation);
        foreach (var (u, v) in new[] { (0f, 0f), (128f, 128f), (0.5f, 255.5f), (256f, 17.25f), (-30f, 300f) })
        {
            var (x, y) = roi.ToFrame(u, v);
            var (u2, v2) = roi.ToCrop(x, y);
            Assert.True(Math.Abs(u2 - u) < 1e-3 && Math.Abs(v2 - v) < 1e-3, $"({u}, {v}) -> ({x}, {y}) -> ({u2}, {v2})");
        }
        var (mx, my) = roi.ToFrame(PoseRoi.CropSide / 2f, PoseRoi.CropSide / 2f);
        Assert.Equal(cx, mx, 3);
        Assert.Equal(cy, my, 3);
    }

    [Fact]
    public void UprightRegionMapsTheCropStraight()
    {
        var roi = new PoseRoi(100, 50, 64, 0);
        var (x, y) = roi.ToFrame(0, 0);
        Assert.Equal((68f, 18f), (x, y));
        Assert.Equal((132f, 82f), roi.ToFrame(PoseRoi.CropSide, PoseRoi.CropSide));
        Assert.Equal(new PersonBox(68, 18, 132, 82), roi.Bounds);
    }

    [Fact]
    public void QuarterTurnPutsTheCropsTopToTheRight()
    {
        // Rotation +90 degrees: a person lying with the head to the right is upright in the crop, head at the top.
        var roi = new PoseRoi(100, 50, 64, MathF.PI / 2);
        var (x, y) = roi.ToFrame(PoseRoi.CropSide / 2f, 0);
        Assert.Equal(132f, x, 3);
        Assert.Equal(50f, y, 3);
    }

    [Fact]
    public void ScaledRegionCoversTheSameContent()
    {
        var roi = new PoseRoi(300, 200, 412, 0.7f);
        var half = roi.Scaled(0.5f);
        var (x, y) = roi.ToFrame(10, 250);
        var (xh, yh) = half.ToFrame(10, 250);
        Assert.Equal(x / 2, xh, 3);
        Assert.Equal(y / 2, yh, 3);
    }

    [Fact]
    public void BoundsHoldTheTurnedSquare()
    {
        var roi = new PoseRoi(10, 20, 100, MathF.PI / 4);
        float half = 50 * MathF.Sqrt(2);
        Assert.Equal(10 - half, roi.Bounds.Left, 3);
        Assert.Equal(20 + half, roi.Bounds.Bottom, 3);
        foreach (var (u, v) in new[] { (0f, 0f), (256f, 0f), (0f, 256f), (256f, 256f) })
        {
            var (x, y) = roi.ToFrame(u, v);
            Assert.True(x >= roi.Bounds.Left - 1e-3 && x <= roi.Bounds.Right + 1e-3 && y >= roi.Bounds.Top - 1e-3 && y <= roi.Bounds.Bottom + 1e-3);
        }
    }

    [Fact]
    public void UprightPersonIsCentredOnTheHipsAndUnturned()
    {
        var person = Person(
            (0, 100, 50), (5, 90, 80), (6, 110, 80), (11, 92, 150), (12, 108, 150), (15, 95, 250), (16, 105, 250));
        var roi = PoseRoi.FromDetection(person);
        Assert.Equal(100f, roi.CenterX, 3);
        Assert.Equal(150f, roi.CenterY, 3);
        Assert.Equal(0f, roi.Rotation, 3);
        // The farthest confident keypoint is an ankle, 100.12 px from the hips' midpoint.
        float radius = MathF.Sqrt(5 * 5 + 100 * 100);
        Assert.Equal(2 * radius * PoseRoi.ReachBeyondKeypoints * PoseRoi.Scale, roi.Side, 2);
    }

    [Fact]
    public void LeaningPersonTurnsTheRegion()
    {
        // Shoulders straight to the right of the hips: lying, head right; the crop turns a quarter clockwise.
        var person = Person((5, 200, 90), (6, 200, 110), (11, 100, 95), (12, 100, 105));
        var roi = PoseRoi.FromDetection(person);
        Assert.Equal(MathF.PI / 2, roi.Rotation, 3);
        // The shoulders land at the top middle of the crop.
        var (u, v) = roi.ToCrop(200, 100);
        Assert.Equal(PoseRoi.CropSide / 2f, u, 2);
        Assert.True(v < PoseRoi.CropSide / 2f);
    }

    [Fact]
    public void WithoutHipsAVirtualHipStandsBelowTheShoulders()
    {
        var person = Person((0, 100, 50), (5, 90, 80), (6, 110, 80));
        var roi = PoseRoi.FromDetection(person);
        Assert.Equal(100f, roi.CenterX, 3);
        Assert.Equal(80 + PoseRoi.VirtualHipShoulderWidths * 20, roi.CenterY, 3);
        Assert.Equal(0f, roi.Rotation, 3);
        // Farthest keypoint: the nose, 56 px above the virtual hip.
        Assert.Equal(2 * 56 * PoseRoi.ReachBeyondKeypoints * PoseRoi.Scale, roi.Side, 2);
    }

    [Fact]
    public void WithoutKeypointsTheBoxDecides()
    {
        var person = Person();
        var roi = PoseRoi.FromDetection(person);
        Assert.Equal(new PoseRoi(70, 140, 160 * PoseRoi.Scale, 0), roi);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.8f)]
    public void AuxiliaryLandmarksGiveTheNextRegion(float rotation)
    {
        // Landmark 33 at the crop's centre, 34 80 crop pixels straight above: the same centre and turn, side
        // 2 x 80 crop pixels x Scale.
        var roi = new PoseRoi(300, 200, 512, rotation);
        var landmarks = new float[39 * 5];
        (landmarks[33 * 5], landmarks[33 * 5 + 1]) = (128, 128);
        (landmarks[34 * 5], landmarks[34 * 5 + 1]) = (128, 48);
        var crop = new PersonCrop(roi, new float[256 * 256], new byte[256 * 256 * 3], 1, landmarks);
        var next = PoseRoi.FromAuxiliaryLandmarks(crop)!.Value;
        Assert.Equal(300f, next.CenterX, 3);
        Assert.Equal(200f, next.CenterY, 3);
        Assert.Equal(rotation, next.Rotation, 4);
        Assert.Equal(2 * 80 * 2 * PoseRoi.Scale, next.Side, 2);

        (landmarks[34 * 5], landmarks[34 * 5 + 1]) = (128, 128);
        Assert.Null(PoseRoi.FromAuxiliaryLandmarks(crop));
    }

    [Theory]
    [InlineData(float.NaN, 1f, 0f)]
    [InlineData(1f, 0f, 0f)]
    [InlineData(1f, -5f, 0f)]
    [InlineData(1f, float.PositiveInfinity, 0f)]
    [InlineData(1f, 10f, float.NaN)]
    public void RegionsThatCannotBeSampledAreRefused(float cx, float side, float rotation)
        => Assert.Throws<ArgumentException>(() => new PoseRoi(cx, 1, side, rotation).Validate("roi"));

    /// <summary>A detection with box (30, 60)-(110, 220) and the given keypoints (index, x, y) at score 0.9; the others at 0.</summary>
    private static PersonDetection Person(params (int Index, float X, float Y)[] seen)
    {
        var keypoints = Enumerable.Range(0, 17).Select(_ => new Keypoint(0, 0, 0)).ToArray();
        foreach (var (i, x, y) in seen) keypoints[i] = new Keypoint(x, y, 0.9f);
        return new PersonDetection(0.8f, new PersonBox(30, 60, 110, 220), keypoints);
    }
}
