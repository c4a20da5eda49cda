namespace MatteKit.Rvm;

/// <summary>The graph's frame input.</summary>
internal enum SourceFormat
{
    /// <summary>uint8 <c>[T, 3, H, W]</c> (T frames, 1 per call unless chunked): R, G and B planes of bytes.</summary>
    PlanarBytes,

    /// <summary>float32 <c>[T, 3, H, W]</c>, RGB in 0..1 (the official PyTorch / ONNX input).</summary>
    PlanarFloat,
}
