namespace MatteKit.Conversion;

/// <summary>Which network makes the alpha.</summary>
public enum MatteModel
{
    /// <summary>Robust Video Matting: a real alpha matte and foreground (the default).</summary>
    Rvm,

    /// <summary>MediaPipe selfie segmentation, general model (256x256): a refined mask, several times faster.</summary>
    Selfie,

    /// <summary>MediaPipe selfie segmentation, landscape model (256x144).</summary>
    SelfieLandscape,
}
