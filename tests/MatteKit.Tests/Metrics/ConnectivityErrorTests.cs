using MatteKit.Metrics;

namespace MatteKit.Tests.Metrics;

public class ConnectivityErrorTests
{
    [Fact]
    public void Identical_and_all_zero_mattes_score_zero()
    {
        float[] a = [1, 0.3f, 0, 0.8f, 1, 1];
        Assert.Equal(0, ConnectivityError.Compute(a, a, 3, 2));
        Assert.Equal(0, ConnectivityError.Compute(new float[6], new float[6], 3, 2));
    }

    [Fact]
    public void All_zero_prediction_of_an_opaque_frame()
    {
        // No intersection at any threshold: every level is 0; phi(true = 1) = 0, phi(pred = 0) = 1; 4 pixels / 1e3.
        Assert.Equal(0.004, ConnectivityError.Compute(new float[4], [1, 1, 1, 1], 2, 2), 9);
    }

    [Fact]
    public void A_pixel_cut_off_from_the_largest_component()
    {
        // true [1 1 0 1], pred [1 1 0 .5]: pixel 3 is its own component (size 1 < 2), so its level is 0 from
        // t = 0.1 on; phi(true) = 1 - 1 = 0, phi(pred) = 1 - 0.5; pixels 0-1 stay connected (level 1, phi 1).
        Assert.Equal(0.0005, ConnectivityError.Compute([1, 1, 0, 0.5f], [1, 1, 0, 1], 4, 1), 9);
    }

    [Fact]
    public void Equal_components_are_decided_by_raster_order()
    {
        // true [1 0 1], pred [1 0 .9]: two components of size 1 up to t = 0.9; the first (pixel 0) is the
        // largest, so pixel 2 gets level 0 and adds |(1 - 1) - (1 - 0.9)| = 0.1. Had pixel 2 won, the score were 0.
        Assert.Equal(0.0001, ConnectivityError.Compute([1, 0, 0.9f], [1, 0, 1], 3, 1), 8);
    }

    [Fact]
    public void Four_connectivity_does_not_join_diagonal_pixels()
    {
        // true = pred on the diagonal pixels except one: diagonal neighbours are separate components.
        float[] truth = [1, 0, 0, 1], pred = [1, 0, 0, 0.5f];
        // pixel 3 is not in the largest component (pixel 0 wins the tie): level 0, phi(true) 0, phi(pred) .5
        Assert.Equal(0.0005, ConnectivityError.Compute(pred, truth, 2, 2), 9);
    }

    [Fact]
    public void Matches_the_official_definition_on_a_fixture()
    {
        var (pred, truth) = OfficialFixture.Load();
        // The script sums in float32; we sum in double: they differ by about 2e-9.
        Assert.InRange(ConnectivityError.Compute(pred, truth, OfficialFixture.Width, OfficialFixture.Height), 0.0418274498 - 1e-8, 0.0418274498 + 1e-8);
        // float32 means in NumPy against double sums here: they differ by about 2e-5 (relative 5e-8).
        Assert.Equal(333.5620761, MeanAbsoluteDifference.Compute(pred, truth), 3);
        Assert.Equal(166.3922817, MeanSquaredError.Compute(pred, truth), 3);
    }
}
