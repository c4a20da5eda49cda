namespace MatteKit.Training.Runs;

/// <summary>Which network <c>mattekit train</c> trains.</summary>
internal enum TrainModel
{
    /// <summary>Robust Video Matting (the default).</summary>
    Rvm,

    /// <summary>BackgroundMattingV2: frame and captured background plate.</summary>
    Bgmv2,
}
