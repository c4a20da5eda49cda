using MatteKit.Onnx;

namespace MatteKit.Bgm;

/// <summary>A BGMv2 backbone: features at 1/16 (X4), 1/8 (X3), 1/4 (X2) and 1/2 (X1) of its 6-channel input.</summary>
internal interface IBgmEncoder
{
    /// <summary>Channels of X4, X3, X2, X1 (the decoder's skip widths).</summary>
    int[] FeatureChannels { get; }

    (GraphValue X4, GraphValue X3, GraphValue X2, GraphValue X1) Forward(GraphBuilder g, GraphValue input);
}
