namespace MatteKit.Subjects;

/// <summary>
/// Hands, forearms, legs and heads, which a segmentation mask most often misses and which reach out towards a
/// neighbour: capsules on MoveNet's confident keypoints (and a disc on the face) that mark a person's pixels whatever
/// the masks say.
/// </summary>
internal static class LimbCapsules
{
    /// <summary>Marks the other person's confident limbs (capsules around elbow-wrist and the like) as theirs, except where the subject's own limbs lie.</summary>
    public static void Mark(byte[] owner, byte label, PersonDetection other, float radius, PersonDetection? subject, float subjectRadius, PixelBox box, int width)
    {
        // The head: a disc on the confident face keypoints (a mask beside someone else's hair may leave a face out).
        var face = other.Keypoints.Take(5).Where(k => k.Score >= LimbScore).ToList();
        if (face.Count > 0)
        {
            float cx = face.Average(k => k.X), cy = face.Average(k => k.Y), r = HeadShare / RadiusShare * radius;
            for (int y = Math.Max(box.Top, (int)(cy - r)); y < Math.Min(box.Bottom, (int)(cy + r) + 1); y++)
                for (int x = Math.Max(box.Left, (int)(cx - r)); x < Math.Min(box.Right, (int)(cx + r) + 1); x++)
                    if ((x + 0.5f - cx) * (x + 0.5f - cx) + (y + 0.5f - cy) * (y + 0.5f - cy) <= r * r) owner[y * width + x] = label;
        }
        foreach (var (p, q) in LimbSegments(other))
        {
            int x0 = Math.Max(box.Left, (int)(Math.Min(p.X, q.X) - radius)), x1 = Math.Min(box.Right, (int)(Math.Max(p.X, q.X) + radius) + 1);
            int y0 = Math.Max(box.Top, (int)(Math.Min(p.Y, q.Y) - radius)), y1 = Math.Min(box.Bottom, (int)(Math.Max(p.Y, q.Y) + radius) + 1);
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                {
                    if (SegmentDistance(x + 0.5f, y + 0.5f, p, q) > radius) continue;
                    if (subject is not null && OnLimb(subject, x + 0.5f, y + 0.5f, subjectRadius)) continue;
                    owner[y * width + x] = label;
                }
        }
    }

    /// <summary>
    /// A person's confident limbs as segments: upper and lower arms and legs, and the hands and feet, which COCO does
    /// not mark, as the forearm and shin carried on by <see cref="HandShare"/> of their length.
    /// </summary>
    private static IEnumerable<(Keypoint P, Keypoint Q)> LimbSegments(PersonDetection person)
    {
        foreach (var (a, b) in LimbKeypoints)
        {
            var (p, q) = (person.Keypoints[a], person.Keypoints[b]);
            if (p.Score < LimbScore || q.Score < LimbScore) continue;
            yield return (p, q);
            if (b is 9 or 10 or 15 or 16) yield return (q, q with { X = q.X + HandShare * (q.X - p.X), Y = q.Y + HandShare * (q.Y - p.Y) });
        }
    }

    private static bool OnLimb(PersonDetection person, float x, float y, float radius)
    {
        foreach (var (p, q) in LimbSegments(person))
            if (SegmentDistance(x, y, p, q) <= radius) return true;
        return false;
    }

    private static float SegmentDistance(float x, float y, Keypoint p, Keypoint q)
    {
        float dx = q.X - p.X, dy = q.Y - p.Y, length2 = dx * dx + dy * dy;
        float t = length2 > 0 ? Math.Clamp(((x - p.X) * dx + (y - p.Y) * dy) / length2, 0, 1) : 0;
        float ex = p.X + t * dx - x, ey = p.Y + t * dy - y;
        return MathF.Sqrt(ex * ex + ey * ey);
    }

    /// <summary>COCO's arms and legs: shoulder-elbow, elbow-wrist, hip-knee, knee-ankle on each side.</summary>
    private static readonly (int A, int B)[] LimbKeypoints = [(5, 7), (7, 9), (6, 8), (8, 10), (11, 13), (13, 15), (12, 14), (14, 16)];

    /// <summary>A limb's half width, as a share of the person's region side (an arm is about a twentieth of it).</summary>
    public const float RadiusShare = 0.02f;
    private const float LimbScore = 0.3f;
    /// <summary>A head's radius around the face keypoints, as a share of the person's region side.</summary>
    private const float HeadShare = 0.035f;
    /// <summary>A hand's (or foot's) reach past the wrist (ankle), as a share of the forearm (shin).</summary>
    private const float HandShare = 0.45f;
}
