namespace MatteKit.Rvm;

/// <summary>The graph's frame input.</summary>
public enum SourceFormat
{
    /// <summary>uint8 <c>[T, H, W, 3]</c> (T frames, 1 per call unless chunked), interleaved RGB as video decoders deliver it.</summary>
    Rgb24,

    /// <summary>uint8 <c>[T, 3, H, W]</c>: R, G and B planes of bytes, the frame as the network reads it.</summary>
    PlanarBytes,

    /// <summary>float32 <c>[T, 3, H, W]</c>, RGB in 0..1 (the official PyTorch / ONNX input).</summary>
    PlanarFloat,
}
