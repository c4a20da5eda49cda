namespace MatteKit.Subjects;

/// <summary>One of MoveNet's 17 COCO keypoints (nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles) in frame pixels.</summary>
internal readonly record struct Keypoint(float X, float Y, float Score)
{
    /// <summary>The score from which a keypoint is taken to be where it says (regions, torso colours, similarity).</summary>
    public const float ConfidentScore = 0.2f;
}
