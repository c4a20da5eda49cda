using MatteKit.Metrics;

namespace MatteKit.Tests.Metrics;

/// <summary>J (region similarity) and F (contour accuracy) on masks small enough to check by hand.</summary>
public class SegmentationMetricTests
{
    [Fact]
    public void J_is_intersection_over_union()
    {
        Assert.Equal(1.0 / 3, RegionSimilarity.Compute([true, true, false, false], [true, false, true, false]), 12);
        Assert.Equal(1, RegionSimilarity.Compute(new bool[4], new bool[4]));
        Assert.Equal(0, RegionSimilarity.Compute(new bool[4], [false, true, false, false]));
    }

    [Fact]
    public void Masks_come_from_alpha_at_one_half()
    {
        Assert.Equal([false, false, true, true], RegionSimilarity.Binarize([0, 127 / 255f, 128 / 255f, 1]));
    }

    [Fact]
    public void Boundary_of_a_single_pixel_is_the_pixel_and_its_upper_left_neighbours()
    {
        var mask = new bool[25];
        mask[2 * 5 + 2] = true;
        var b = ContourAccuracy.Boundary(mask, 5, 5);
        var set = Enumerable.Range(0, 25).Where(i => b[i]).Select(i => (i / 5, i % 5)).ToArray();
        Assert.Equal([(1, 1), (1, 2), (2, 1), (2, 2)], set);
    }

    [Fact]
    public void Boundary_rules_at_the_last_row_and_column()
    {
        // An all-true 3x3 mask: only the padding could differ, and the last row/column compare inside only.
        Assert.All(ContourAccuracy.Boundary(Enumerable.Repeat(true, 9).ToArray(), 3, 3), Assert.False);
    }

    [Fact]
    public void F_of_two_pixels_two_columns_apart()
    {
        // 9x5 frame: r = ceil(0.008 * sqrt(81 + 25)) = 1. Boundaries {(1,1),(1,2),(2,1),(2,2)} and
        // {(1,3),(1,4),(2,3),(2,4)}: (1,3)-(1,2) and (2,3)-(2,2) are 1 apart, the rest 2 or more:
        // P = R = 2/4, F = 0.5.
        var truth = new bool[45];
        var pred = new bool[45];
        truth[2 * 9 + 2] = true;
        pred[2 * 9 + 4] = true;
        Assert.Equal(0.5, ContourAccuracy.Compute(pred, truth, 9, 5), 12);
    }

    [Fact]
    public void F_edge_cases()
    {
        var empty = new bool[100];
        var square = new bool[100];
        for (int y = 3; y < 7; y++)
            for (int x = 3; x < 7; x++) square[y * 10 + x] = true;
        var far = new bool[100];
        far[0] = true;
        Assert.Equal(1, ContourAccuracy.Compute(empty, empty, 10, 10));     // no boundaries: P = R = 1
        Assert.Equal(0, ContourAccuracy.Compute(empty, square, 10, 10));    // P = 1, R = 0
        Assert.Equal(0, ContourAccuracy.Compute(square, empty, 10, 10));    // P = 0, R = 1
        Assert.Equal(1, ContourAccuracy.Compute(square, square, 10, 10));
        Assert.Equal(0, ContourAccuracy.Compute(far, square, 10, 10));      // boundaries 2+ px apart, r = 1
    }
}
