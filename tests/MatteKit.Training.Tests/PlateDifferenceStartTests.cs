using MatteKit.Bgm;
using MatteKit.Training.Bgm;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Tests.Training;

/// <summary>
/// A BGMv2 network that starts from no weights has its stem filters set to see the frame minus the plate: the stem's
/// output then does not change when frame and plate change together, and it does from PyTorch's initialisation alone.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class PlateDifferenceStartTests
{
    [Theory]
    [InlineData("MobileNetV2")]
    [InlineData("ResNet50")]
    public void TheStemSeesOnlyTheFrameMinusThePlate(string name)
    {
        var backbone = Enum.Parse<BgmBackbone>(name);
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var network = new BgmMattingNetwork(backbone, refiner: null);
        var frame = rand(1, 3, 33, 47);
        var plate = rand(1, 3, 33, 47);
        var shift = rand(1, 3, 33, 47);
        Assert.True(StemChange(network, frame, plate, shift) > 1e-2, "from the default initialisation the stem sees frame and plate apart");

        network.StartFromPlateDifference();
        var weight = Stem(network);
        Assert.Equal(new long[] { weight.shape[0], 6 }, weight.shape[..2]);
        Assert.True(weight[TensorIndex.Colon, TensorIndex.Slice(0, 3)].abs().max().item<float>() > 0);
        Assert.True(StemChange(network, frame, plate, shift) < 1e-5, "after the start the stem sees the difference only");
    }

    /// <summary>The stem's weight under its official key.</summary>
    private static Tensor Stem(BgmMattingNetwork network) =>
        network.named_parameters().Single(p => p.name is "backbone.features.0.0.weight" or "backbone.conv1.weight").parameter;

    /// <summary>The largest change of the stem's output (the first convolution alone) when frame and plate both get <paramref name="shift"/> added.</summary>
    private static float StemChange(BgmMattingNetwork network, Tensor frame, Tensor plate, Tensor shift)
    {
        var weight = Stem(network);
        using var _ = no_grad();
        var a = functional.conv2d(cat(new[] { frame, plate }, 1), weight);
        var b = functional.conv2d(cat(new[] { frame + shift, plate + shift }, 1), weight);
        return (a - b).abs().max().item<float>();
    }
}
