namespace MatteKit.Layers;

/// <summary>A serialized ONNX model and the multiply-adds of its convolutions.</summary>
internal sealed record ModelGraph(byte[] OnnxBytes, long ConvMultiplyAdds);
