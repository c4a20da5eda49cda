namespace MatteKit;

/// <summary>MediaPipe's selfie segmentation models, shipped inside MatteKit (Apache-2.0, <c>models/mediapipe_selfie</c>).</summary>
internal enum SelfieModel
{
    /// <summary>256x256 in: portrait and square frames.</summary>
    General,

    /// <summary>256x144 in (W x H): landscape frames, about 40% less work than the general model.</summary>
    Landscape,
}
