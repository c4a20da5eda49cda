namespace MatteKit.Subjects;

/// <summary>A person MoveNet found in a frame: its score, box and 17 keypoints, in frame pixels.</summary>
internal sealed record PersonDetection(float Score, PersonBox Box, IReadOnlyList<Keypoint> Keypoints);
