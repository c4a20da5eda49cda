using MatteKit.Onnx;

namespace MatteKit.Rvm;

/// <summary>An RVM backbone: image in 0..1 to features at 1/2, 1/4, 1/8 and 1/16 of its size.</summary>
internal interface IRvmEncoder
{
    /// <summary>Channels of the four features.</summary>
    IReadOnlyList<int> FeatureChannels { get; }

    (GraphValue F1, GraphValue F2, GraphValue F3, GraphValue F4) Forward(GraphBuilder g, GraphValue image);
}
