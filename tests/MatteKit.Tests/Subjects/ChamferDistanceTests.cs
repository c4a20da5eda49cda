using MatteKit.Subjects;
using Xunit;

namespace MatteKit.Tests.Subjects;

/// <summary>The two-pass chamfer distance against its definition (3 a step, 4 a diagonal), at an odd size and inside a box.</summary>
public sealed class ChamferDistanceTests
{
    [Fact]
    public void DistancesAreTheCheapestPathOfStepsAndDiagonals()
    {
        const int w = 9, h = 7;
        var owner = new byte[w * h];
        owner[2 * w + 3] = 1;
        owner[5 * w + 7] = 1;
        owner[0] = 2; // another label: not a source
        var box = new PixelBox(1, 1, 8, 7);
        var distance = new int[w * h];
        ChamferDistance.To(owner, 1, distance, box, w);
        for (int y = box.Top; y < box.Bottom; y++)
            for (int x = box.Left; x < box.Right; x++)
            {
                int expected = new[] { (3, 2), (7, 5) }.Min(p =>
                {
                    int dx = Math.Abs(x - p.Item1), dy = Math.Abs(y - p.Item2);
                    return 4 * Math.Min(dx, dy) + 3 * (Math.Max(dx, dy) - Math.Min(dx, dy));
                });
                Assert.Equal(expected, distance[y * w + x]);
            }
        Assert.Equal(0, distance[0]); // outside the box: untouched
    }
}
