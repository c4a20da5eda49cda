using MatteKit.Training.Network;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Bgm;

/// <summary>
/// BGMv2's refiner, kernel size 3 (<c>refiner.conv1..4</c>, <c>refiner.bn1..3</c>). It picks 4x4 patches of the
/// frame by the base network's error map and recomputes their alpha and foreground residual from an 8x8 crop (with
/// context) of the coarse outputs and frame/plate at half resolution (two unpadded 3x3 convs to 4x4), upsampled to
/// 8x8 and joined with an 8x8 crop of the full-resolution frame/plate (two more unpadded 3x3 convs to 4x4); the
/// patches replace their blocks in the bilinearly upsampled coarse output. In <see cref="RefineMode.Full"/> the
/// same convs run over the whole (zero-padded) maps. Batch norm sees the batch of selected patches.
/// </summary>
internal sealed class PatchRefiner : Module
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private const long HalfPadding = 3, FullPadding = 2, CropSize = 8;

    private readonly Module<Tensor, Tensor> _conv1, _bn1, _conv2, _bn2, _conv3, _bn3, _conv4;

    public PatchRefiner(long hiddenChannels, RefineMode mode, int samplePixels, float threshold) : base(nameof(PatchRefiner))
    {
        if (mode == RefineMode.Sampling && samplePixels < 16)
            throw new ArgumentException($"refine sample pixels {samplePixels} is less than one 4x4 patch (16)", nameof(samplePixels));
        Mode = mode;
        SamplePixels = samplePixels;
        Threshold = threshold;
        // conv1 sees hidden, coarse alpha, coarse foreground residual, then frame and plate.
        _conv1 = Conv2d(hiddenChannels + 4 + 6, 24, 3, bias: false);
        _bn1 = BatchNorm2d(24);
        _conv2 = Conv2d(24, 16, 3, bias: false);
        _bn2 = BatchNorm2d(16);
        _conv3 = Conv2d(16 + 6, 12, 3, bias: false);
        _bn3 = BatchNorm2d(12);
        _conv4 = Conv2d(12, 4, 3, bias: true);
        register_module("conv1", _conv1); register_module("bn1", _bn1);
        register_module("conv2", _conv2); register_module("bn2", _bn2);
        register_module("conv3", _conv3); register_module("bn3", _bn3);
        register_module("conv4", _conv4);
    }

    public RefineMode Mode { get; }
    public int SamplePixels { get; }
    public float Threshold { get; }

    /// <summary>
    /// Frame and plate <c>[B, 3, H, W]</c> (H, W multiples of 4) and the base network's clamped alpha, raw
    /// foreground residual, clamped error and ReLU'd hidden features at the base size. Returns the 4 raw channels
    /// (alpha, foreground residual) at full size and the selection map <c>[B, 1, H/4, W/4]</c> of 0/1.
    /// </summary>
    public (Tensor Output, Tensor Selected) Refine(Tensor src, Tensor bgr, Tensor alpha, Tensor residual, Tensor error, Tensor hidden)
    {
        long batch = src.shape[0], height = src.shape[2], width = src.shape[3];
        if (height % 4 != 0 || width % 4 != 0) throw new ArgumentException($"the refiner needs sides that are multiples of 4, not {width}x{height}");
        // The base network's outputs and the frame and plate at half size, apart: only the first carry a gradient.
        var halfFeatures = functional.pad(Blocks.ResizeTo(cat(new[] { hidden, alpha, residual }, 1), height / 2, width / 2),
            new[] { HalfPadding, HalfPadding, HalfPadding, HalfPadding });
        var halfImages = functional.pad(Blocks.ResizeTo(cat(new[] { src, bgr }, 1), height / 2, width / 2),
            new[] { HalfPadding, HalfPadding, HalfPadding, HalfPadding });
        var full = functional.pad(cat(new[] { src, bgr }, 1), new[] { FullPadding, FullPadding, FullPadding, FullPadding });

        if (Mode == RefineMode.Full)
        {
            // The context at the borders comes from the zero padding only (not "same"-padded convs).
            var whole = Stage2(UpsampleNearest(Stage1(cat(new[] { halfFeatures, halfImages }, 1))), full);
            return (whole, ones(batch, 1, height / 4, width / 4, dtype: src.dtype, device: src.device));
        }

        var selected = Select(error, height / 4, width / 4);
        var coarse = Blocks.ResizeTo(cat(new[] { alpha, residual }, 1), height, width);
        var idx = selected.squeeze(1).nonzero();
        if (idx.shape[0] == 0) return (coarse, selected);
        var (b, y, x) = (idx[.., 0], idx[.., 1], idx[.., 2]);
        var half = cat(new[] { Crop(halfFeatures, b, y, x, 2), Crop(halfImages, b, y, x, 2) }, 1);
        var patches = Stage2(UpsampleNearest(Stage1(half)), Crop(full, b, y, x, 4));
        return (Replace(coarse, b, y, x, patches), selected);
    }

    /// <summary>[B, 1, H/4, W/4] of 0/1: the patches to recompute (no gradient flows through the choice).</summary>
    private Tensor Select(Tensor error, long quarterHeight, long quarterWidth)
    {
        using var noGrad = no_grad();
        var err = error.detach();
        if (err.shape[2] != quarterHeight || err.shape[3] != quarterWidth) err = Blocks.ResizeTo(err, quarterHeight, quarterWidth);
        if (Mode == RefineMode.Thresholding) return err.gt(Threshold).to(error.dtype);
        long count = quarterHeight * quarterWidth;
        var flat = err.reshape(err.shape[0], count);
        // The official code refuses a budget above the patch count; taking every patch is what such a budget asks for.
        long k = Math.Min(SamplePixels / 16, count);
        var top = flat.topk((int)k, dim: 1).indexes;
        var marked = zeros_like(flat).scatter_(1, top, ones_like(top, dtype: flat.dtype));
        // A patch with no predicted error is never refined, even when the budget would allow it.
        marked = marked * flat.gt(0).to(flat.dtype);
        return marked.reshape(err.shape[0], 1, quarterHeight, quarterWidth);
    }

    /// <summary>
    /// The 8x8 windows of a padded <c>[B, C, Hp, Wp]</c> map at <c>(stride y, stride x)</c> per patch, as <c>[P, C, 8, 8]</c>:
    /// the official unfold-and-index's values, read as whole pixels (all channels) by pixel index from a channels-last
    /// copy of the map. Its gradient is summed straight into a tensor of the map's size, where the unfold's passes
    /// through a zero tensor of every window (16 times the map at stride 2): that was the refine step's largest cost
    /// beyond the convolutions.
    /// </summary>
    private static Tensor Crop(Tensor map, Tensor b, Tensor y, Tensor x, long stride)
    {
        long channels = map.shape[1], height = map.shape[2], width = map.shape[3];
        Tensor index;
        using (NewDisposeScope())
        {
            var corner = (b * (height * width) + y * (stride * width) + x * stride).view(-1, 1, 1);
            var within = arange(CropSize, dtype: ScalarType.Int64, device: map.device).view(1, -1, 1) * width
                         + arange(CropSize, dtype: ScalarType.Int64, device: map.device).view(1, 1, -1);
            index = (corner + within).view(-1).MoveToOuterDisposeScope();
        }
        var pixels = map.permute(0, 2, 3, 1).reshape(-1, channels);
        return pixels.index_select(0, index).view(-1, CropSize, CropSize, channels).permute(0, 3, 1, 2).contiguous();
    }

    /// <summary>Writes <c>[P, C, 4, 4]</c> patches into their 4x4 blocks of <c>[B, C, H, W]</c> (a new tensor).</summary>
    private static Tensor Replace(Tensor map, Tensor b, Tensor y, Tensor x, Tensor patches)
    {
        long n = map.shape[0], c = map.shape[1], h = map.shape[2], w = map.shape[3];
        var blocks = map.reshape(n, c, h / 4, 4, w / 4, 4).permute(0, 2, 4, 1, 3, 5).contiguous();
        blocks.index_put_(patches, TensorIndex.Tensor(b), TensorIndex.Tensor(y), TensorIndex.Tensor(x));
        return blocks.permute(0, 3, 1, 4, 2, 5).reshape(n, c, h, w);
    }

    private Tensor Stage1(Tensor x)
        => functional.relu(_bn2.forward(_conv2.forward(functional.relu(_bn1.forward(_conv1.forward(x))))));

    private Tensor Stage2(Tensor upsampled, Tensor frameAndPlate)
        => _conv4.forward(functional.relu(_bn3.forward(_conv3.forward(cat(new[] { upsampled, frameAndPlate }, 1)))));

    private static Tensor UpsampleNearest(Tensor x)
        => functional.interpolate(x, scale_factor: new[] { 2.0, 2.0 }, mode: InterpolationMode.Nearest);
}
