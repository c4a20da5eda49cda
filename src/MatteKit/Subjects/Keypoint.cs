namespace MatteKit.Subjects;

/// <summary>One of MoveNet's 17 COCO keypoints (nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles) in frame pixels.</summary>
internal readonly record struct Keypoint(float X, float Y, float Score);
