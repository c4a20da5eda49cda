namespace MatteKit.Rvm;

/// <summary>The graph's frame input.</summary>
public enum SourceFormat
{
    /// <summary>uint8 <c>[1, H, W, 3]</c>, interleaved RGB as video decoders deliver it.</summary>
    Rgb24,

    /// <summary>float32 <c>[1, 3, H, W]</c>, RGB in 0..1 (the official PyTorch / ONNX input).</summary>
    PlanarFloat,
}
