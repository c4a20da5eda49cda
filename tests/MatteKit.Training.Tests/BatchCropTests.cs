using MatteKit.Training.Data;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MatteKit.Tests.Training;

/// <summary>
/// The official BGMv2 random crop of each batch: sizes from half of the stage's size to just under it (the refine
/// stage's rounded down to multiples of 4) over the whole range, and layers resized to cover the size with their
/// aspect kept, then cropped at the centre.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class BatchCropTests
{
    private readonly ITestOutputHelper _log;

    public BatchCropTests(ITestOutputHelper log) => _log = log;

    [Theory]
    [InlineData(512, 288, 4)]
    [InlineData(256, 144, 1)]
    public void SizesSpanHalfToJustUnderTheStageSize(int width, int height, int multiple)
    {
        var rng = new TrainingRandom(3);
        var crops = Enumerable.Range(0, 4000).Select(_ => BatchCrop.Draw(rng, width, height, multiple)).ToList();
        _log.WriteLine($"{width}x{height}, multiples of {multiple}: widths {crops.Min(c => c.Width)}-{crops.Max(c => c.Width)} (mean {crops.Average(c => c.Width):F1}), " +
                       $"heights {crops.Min(c => c.Height)}-{crops.Max(c => c.Height)} (mean {crops.Average(c => c.Height):F1})");
        Assert.All(crops, c =>
        {
            Assert.InRange(c.Width, width / 2, width - 1);
            Assert.InRange(c.Height, height / 2, height - 1);
            Assert.Equal(0, c.Width % multiple);
            Assert.Equal(0, c.Height % multiple);
        });
        // Uniform over the range: both ends are drawn, the mean is the middle.
        int lastWidth = (width - 1) / multiple * multiple, lastHeight = (height - 1) / multiple * multiple;
        Assert.Equal((width / 2, lastWidth), (crops.Min(c => c.Width), crops.Max(c => c.Width)));
        Assert.Equal((height / 2, lastHeight), (crops.Min(c => c.Height), crops.Max(c => c.Height)));
        Assert.InRange(crops.Average(c => c.Width), (width / 2 + lastWidth) / 2.0 - 0.02 * width, (width / 2 + lastWidth) / 2.0 + 0.02 * width);
        Assert.InRange(crops.Average(c => c.Height), (height / 2 + lastHeight) / 2.0 - 0.02 * height, (height / 2 + lastHeight) / 2.0 + 0.02 * height);
        // The same seed, the same sizes.
        var again = new TrainingRandom(3);
        Assert.Equal(crops, Enumerable.Range(0, 4000).Select(_ => BatchCrop.Draw(again, width, height, multiple)));
    }

    [Fact]
    public void LayersAreScaledToCoverWithTheirAspectAndCroppedAtTheCentre()
    {
        using var scope = NewDisposeScope();
        const int w = 512, h = 288;
        // Column and row positions in 0..1 as two channels.
        var columns = linspace(0, 1, w).view(1, 1, 1, w).expand(1, 1, h, w);
        var rows = linspace(0, 1, h).view(1, 1, h, 1).expand(1, 1, h, w);
        var layer = cat(new[] { columns, rows }, 1).contiguous();

        // The full size: unchanged.
        Assert.True(new BatchCrop(w, h).Apply(new[] { layer })[0].eq(layer).all().item<bool>());

        // 300x250: the height decides the factor (250/288 > 300/512): the rows are all kept, the columns' middle 300 of 444.
        var cropped = new BatchCrop(300, 250).Apply(new[] { layer, layer[.., ..1] });
        Assert.Equal(new long[] { 1, 2, 250, 300 }, cropped[0].shape);
        Assert.Equal(new long[] { 1, 1, 250, 300 }, cropped[1].shape);
        Assert.True(cropped[1].eq(cropped[0][.., ..1]).all().item<bool>(), "the layers of a sample take the same crop");
        double columnSpan = cropped[0][0, 0, 0, -1].item<float>() - cropped[0][0, 0, 0, 0].item<float>();
        double rowSpan = cropped[0][0, 1, -1, 0].item<float>() - cropped[0][0, 1, 0, 0].item<float>();
        double columnMiddle = cropped[0][0, 0].mean().item<float>(), rowMiddle = cropped[0][0, 1].mean().item<float>();
        _log.WriteLine($"300x250 of 512x288: column span {columnSpan:F4} (middle {columnMiddle:F4}), row span {rowSpan:F4} (middle {rowMiddle:F4})");
        Assert.InRange(columnSpan, 300.0 / 444 - 0.01, 300.0 / 444 + 0.01);
        Assert.InRange(rowSpan, 0.99, 1.0);
        Assert.InRange(columnMiddle, 0.495, 0.505);
        Assert.InRange(rowMiddle, 0.495, 0.505);
    }
}
