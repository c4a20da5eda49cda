namespace MatteKit.Subjects;

/// <summary>A person MoveNet found in a frame: its score, box and 17 keypoints, in frame pixels.</summary>
internal sealed record PersonDetection(float Score, PersonBox Box, IReadOnlyList<Keypoint> Keypoints)
{
    /// <summary>The same detection in pixels <paramref name="factor"/> times the size (a coarser grid of the frame).</summary>
    public PersonDetection Scaled(float factor) => this with
    {
        Box = new PersonBox(Box.Left * factor, Box.Top * factor, Box.Right * factor, Box.Bottom * factor),
        Keypoints = Keypoints.Select(k => k with { X = k.X * factor, Y = k.Y * factor }).ToArray(),
    };
}
