using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Rvm;

/// <summary>
/// Deep guided filter refiner (Wu et al. 2018, as RVM trains it): a learned depthwise 3x3 box filter gives the
/// local means, covariance and variance of guide (RGB + grey mean) and output at network resolution; a 1x1 conv
/// net on <c>[cov, var, hidden features]</c> predicts A, <c>b = mean(y) - A * mean(x)</c>; A and b are upsampled
/// bilinearly and applied to the full-resolution guide. Unlike the fast guided filter there is no division.
/// </summary>
internal sealed class DeepGuidedFilter
{
    private const float BatchNormEps = 1e-5f;
    private const int Channels = 4;

    private readonly ConvLayer _box;
    private readonly ConvLayer _conv1;
    private readonly ConvLayer _conv2;
    private readonly ConvLayer _conv3;

    public DeepGuidedFilter(WeightSet w, int hiddenChannels)
    {
        _box = ConvLayer.Load(w, "refiner.box_filter", Channels, 1, 3, hasBias: false);
        _conv1 = ConvLayer.LoadWithBatchNorm(w, "refiner.conv.0", "refiner.conv.1", BatchNormEps,
            hiddenChannels, 2 * Channels + hiddenChannels, 1);
        _conv2 = ConvLayer.LoadWithBatchNorm(w, "refiner.conv.3", "refiner.conv.4", BatchNormEps, hiddenChannels, hiddenChannels, 1);
        _conv3 = ConvLayer.Load(w, "refiner.conv.6", Channels, hiddenChannels, 1);
    }

    /// <summary>Weights that hold a deep guided filter.</summary>
    public static bool IsIn(WeightSet w) => w.Contains("refiner.box_filter.weight");

    /// <summary>
    /// Predicts A and b from the network's 4 channels (fgr residual, alpha), its hidden features and the guide at
    /// network resolution, and returns the final matte at full resolution, not yet clamped
    /// (<see cref="RefinerGuide.Apply"/>).
    /// </summary>
    public GraphValue Forward(GraphBuilder g, RefinerGuide guide, GraphValue coarseGuide, GraphValue coarseOutput, GraphValue hidden)
    {
        var coarseX = coarseGuide;
        var y = coarseOutput;

        var meanX = Box(g, coarseX);
        var meanY = Box(g, y);
        var covXY = g.Sub(Box(g, g.Mul(coarseX, y)), g.Mul(meanX, meanY));
        var varX = g.Sub(Box(g, g.Mul(coarseX, coarseX)), g.Mul(meanX, meanX));

        var a = g.Relu(_conv1.Forward(g, g.Concat(1, covXY, varX, hidden)));
        a = g.Relu(_conv2.Forward(g, a));
        a = _conv3.Forward(g, a);
        var b = g.Sub(meanY, g.Mul(a, meanX));
        return guide.Apply(g, a, b);
    }

    private GraphValue Box(GraphBuilder g, GraphValue x) => _box.Forward(g, x, groups: Channels);
}
