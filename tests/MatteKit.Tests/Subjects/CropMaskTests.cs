using MatteKit.Subjects;
using Xunit;

namespace MatteKit.Tests.Subjects;

/// <summary>The crop mask brought back to the frame, against a direct per-pixel computation at an odd frame size.</summary>
public sealed class CropMaskTests
{
    [Theory]
    [InlineData(18.3f, 11.7f, 30f, 0.6f)]
    [InlineData(5f, 20f, 12f, -2.2f)]
    [InlineData(18f, 11f, 200f, 0f)]
    public void RenderMatchesADirectWarp(float cx, float cy, float side, float rotation)
    {
        const int width = 37, height = 23, s = PoseRoi.CropSide;
        var random = new Random(26);
        var mask = Enumerable.Range(0, s * s).Select(_ => (float)random.NextDouble()).ToArray();
        var roi = new PoseRoi(cx, cy, side, rotation);
        var dest = Enumerable.Repeat(-1f, width * height).ToArray();
        CropMask.Render(mask, roi, dest, width, height);

        int inside = 0;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                var (u, v) = roi.ToCrop(x + 0.5f, y + 0.5f);
                bool isInside = u >= 0 && u < s && v >= 0 && v < s;
                bool nearEdge = Math.Min(Math.Min(Math.Abs(u), Math.Abs(u - s)), Math.Min(Math.Abs(v), Math.Abs(v - s))) < 1e-3;
                float got = dest[y * width + x];
                if (!isInside)
                {
                    Assert.True(got == -1f || nearEdge, $"({x}, {y}) outside the square was written");
                    continue;
                }
                inside++;
                if (got == -1f && nearEdge) continue;
                float expected = Direct(mask, u - 0.5f, v - 0.5f);
                Assert.True(Math.Abs(got - expected) < 1e-4, $"({x}, {y}): {got}, direct {expected}");
            }
        }
        Assert.True(inside > 0);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        var mask = new float[PoseRoi.CropSide * PoseRoi.CropSide];
        Assert.Throws<ArgumentException>(() => CropMask.Render(mask.AsSpan(1), new PoseRoi(1, 1, 10, 0), new float[6], 3, 2));
        Assert.Throws<ArgumentException>(() => CropMask.Render(mask, new PoseRoi(1, 1, 10, 0), new float[5], 3, 2));
        Assert.Throws<ArgumentException>(() => CropMask.Render(mask, new PoseRoi(1, 1, 0, 0), new float[6], 3, 2));
    }

    /// <summary>Bilinear sampling with the edge pixels repeated, written out tap by tap.</summary>
    private static float Direct(float[] mask, float u, float v)
    {
        const int s = PoseRoi.CropSide;
        int u0 = (int)Math.Floor(u), v0 = (int)Math.Floor(v);
        double sum = 0;
        for (int dv = 0; dv < 2; dv++)
        {
            for (int du = 0; du < 2; du++)
            {
                double weight = (du == 1 ? u - u0 : 1 - (u - u0)) * (dv == 1 ? v - v0 : 1 - (v - v0));
                sum += weight * mask[Math.Clamp(v0 + dv, 0, s - 1) * s + Math.Clamp(u0 + du, 0, s - 1)];
            }
        }
        return (float)sum;
    }
}
