namespace MatteKit.Conversion;

/// <summary>How an output with alpha stores its colour: beside the alpha, or already multiplied by it.</summary>
public enum AlphaMode
{
    /// <summary>The colour as it is, alpha beside it (PNG's and video's convention).</summary>
    Straight,

    /// <summary>The colour multiplied by alpha (OpenEXR's convention: in linear light there; in the stored values elsewhere).</summary>
    Premultiplied,
}
