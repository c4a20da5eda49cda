using MatteKit.Onnx;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;
using MatteKit.Layers;

namespace MatteKit.Bgm;

/// <summary>
/// BGMv2's refiner (kernel size 3). It picks 4x4 patches of the frame by the base network's error map, and for each
/// one recomputes alpha and foreground residual from an 8x8 crop (with context) of the coarse outputs and the
/// frame/plate at half resolution (two unpadded 3x3 convs to 4x4), upsampled to 8x8 and joined with an 8x8 crop of
/// the full-resolution frame/plate (two more unpadded 3x3 convs to 4x4). The patches then replace their blocks in
/// the bilinearly upsampled coarse output. Selection, crops and write-back all happen inside the graph.
/// </summary>
internal sealed class PatchRefiner
{
    private const int HalfPadding = 3;
    private const int FullPadding = 2;
    private const int CropSize = 8;

    private readonly ConvLayer _conv1;
    private readonly ConvLayer _conv2;
    private readonly ConvLayer _conv3;
    private readonly ConvLayer _conv4;

    public PatchRefiner(WeightSet w, int hiddenChannels)
    {
        const float eps = BgmNetwork.BatchNormEps;
        // Input of conv1: hidden, coarse alpha, coarse foreground residual, then frame and plate.
        _conv1 = ConvLayer.LoadWithBatchNorm(w, "refiner.conv1", "refiner.bn1", eps, 24, hiddenChannels + 4 + 6, 3);
        _conv2 = ConvLayer.LoadWithBatchNorm(w, "refiner.conv2", "refiner.bn2", eps, 16, 24, 3);
        _conv3 = ConvLayer.LoadWithBatchNorm(w, "refiner.conv3", "refiner.bn3", eps, 12, 16 + 6, 3);
        _conv4 = ConvLayer.Load(w, "refiner.conv4", 4, 12, 3);
    }

    /// <summary>What the refiner produced: 4 raw channels at full size, the selection map, and for tests the patch list and raw patches.</summary>
    public sealed record Result(GraphValue Output, GraphValue Selected, GraphValue? PatchIndices, GraphValue? Patches);

    /// <summary>
    /// Inputs: frame and plate [1, 6, H, W] in 0..1, and the base network's clamped alpha, unclamped foreground
    /// residual, clamped error and ReLU'd hidden features.
    /// </summary>
    public Result Forward(GraphBuilder g, BgmGeometry geo, GraphValue frameAndPlate,
        GraphValue alpha, GraphValue residual, GraphValue error, GraphValue hidden)
    {
        var coarse = g.Concat(1, hidden, alpha, residual);
        var half = g.Concat(1,
            g.ResizeBilinearToSize(coarse, geo.HalfHeight, geo.HalfWidth),
            g.ResizeBilinearToSize(frameAndPlate, geo.HalfHeight, geo.HalfWidth));
        half = g.Pad(half, HalfPadding, HalfPadding, HalfPadding, HalfPadding);
        var full = g.Pad(frameAndPlate, FullPadding, FullPadding, FullPadding, FullPadding);

        if (geo.Mode == RefineMode.Full)
        {
            // The same convs over the whole map; the context at the borders comes from the zero padding only.
            var wholeMap = Stage2(g, g.UpsampleNearest(Stage1(g, half), 2), full);
            var everything = g.Expand(g.Constant(1f), 1, 1, geo.QuarterHeight, geo.QuarterWidth);
            return new Result(wholeMap, everything, null, null);
        }

        var selected = SelectPatches(g, geo, error);
        var indices = g.Transpose(g.NonZero(g.Reshape(selected, geo.QuarterHeight, geo.QuarterWidth)), 1, 0);
        var yx = g.Split(indices, 1, 1, 1);
        var halfCrops = CropPatches(g, half, yx[0], yx[1], 2);
        var fullCrops = CropPatches(g, full, yx[0], yx[1], 4);
        var patches = Stage2(g, g.UpsampleNearest(Stage1(g, halfCrops), 2), fullCrops);

        var upsampled = g.ResizeBilinearToSize(g.Concat(1, alpha, residual), geo.Height, geo.Width);
        return new Result(ReplacePatches(g, geo, upsampled, indices, patches), selected, indices, patches);
    }

    private GraphValue Stage1(GraphBuilder g, GraphValue x)
        => g.Relu(_conv2.Forward(g, g.Relu(_conv1.Forward(g, x, padding: 0)), padding: 0));

    private GraphValue Stage2(GraphBuilder g, GraphValue upsampled, GraphValue frameAndPlate)
        => _conv4.Forward(g, g.Relu(_conv3.Forward(g, g.Concat(1, upsampled, frameAndPlate), padding: 0)), padding: 0);

    /// <summary>[1, 1, H/4, W/4] of 0/1: which patches the refiner recomputes.</summary>
    private static GraphValue SelectPatches(GraphBuilder g, BgmGeometry geo, GraphValue error)
    {
        var quarter = error.Dim(2) == geo.QuarterHeight && error.Dim(3) == geo.QuarterWidth
            ? error
            : g.ResizeBilinearToSize(error, geo.QuarterHeight, geo.QuarterWidth);
        if (geo.Mode == RefineMode.Thresholding)
            return g.Cast(g.Greater(quarter, g.Constant(geo.Threshold)), DataType.Float);

        long count = (long)geo.QuarterHeight * geo.QuarterWidth;
        var flat = g.Reshape(quarter, 1, count);
        var top = g.TopKIndices(flat, geo.PatchBudget);
        var marked = g.ScatterElements(g.Zeros(1, count), top, g.Expand(g.Constant(1f), 1, geo.PatchBudget), axis: 1);
        // A patch with no predicted error is never refined, even when the budget would allow it.
        marked = g.Mul(marked, g.Cast(g.Greater(flat, g.Constant(0f)), DataType.Float));
        return g.Reshape(marked, 1, 1, geo.QuarterHeight, geo.QuarterWidth);
    }

    /// <summary>
    /// The 8x8 windows of a padded [1, C, Hp, Wp] map at <c>(stride * y, stride * x)</c> for every selected patch, as
    /// [P, C, 8, 8]: one Gather over the flattened map with index <c>(stride*y + dy) * Wp + stride*x + dx</c>.
    /// </summary>
    private static GraphValue CropPatches(GraphBuilder g, GraphValue map, GraphValue y, GraphValue x, int stride)
    {
        long channels = map.Dim(1), height = map.Dim(2), width = map.Dim(3);
        var flat = g.Reshape(map, channels, height * width);
        var start = g.Add(g.Mul(y, g.Int64Constant(stride * width)), g.Mul(x, g.Int64Constant(stride)));
        var offsets = new long[CropSize * CropSize];
        for (int dy = 0; dy < CropSize; dy++)
            for (int dx = 0; dx < CropSize; dx++) offsets[dy * CropSize + dx] = dy * width + dx;
        var index = g.Add(g.Reshape(start, -1, 1, 1), g.Int64Tensor(offsets, 1, CropSize, CropSize));
        return g.Transpose(g.Gather(flat, index, axis: 1), 1, 0, 2, 3);
    }

    /// <summary>
    /// Writes [P, 4, 4, 4] patches into their 4x4 blocks of [1, 4, H, W]: the map is viewed as a grid of blocks
    /// [H/4, W/4, 4, 4, 4] so that one ScatterND row replaces one block.
    /// </summary>
    private static GraphValue ReplacePatches(GraphBuilder g, BgmGeometry geo, GraphValue map, GraphValue indices, GraphValue patches)
    {
        long c = map.Dim(1), hq = geo.QuarterHeight, wq = geo.QuarterWidth;
        var blocks = g.Transpose(g.Reshape(map, c, hq, 4, wq, 4), 1, 3, 0, 2, 4);
        blocks = g.ScatterND(blocks, indices, patches);
        return g.Reshape(g.Transpose(blocks, 2, 0, 3, 1, 4), 1, c, geo.Height, geo.Width);
    }
}
