namespace MatteKit.Subjects;

/// <summary>One person's segmentation in their region of interest, as the pose network gave it for one frame.</summary>
internal sealed class PersonCrop
{
    public PersonCrop(PoseRoi roi, float[] mask, byte[] rgb, float presence, float[] landmarks)
    {
        const int pixels = PoseRoi.CropSide * PoseRoi.CropSide;
        if (mask.Length != pixels) throw new ArgumentException($"a mask of {mask.Length} values, {pixels} expected", nameof(mask));
        if (rgb.Length != pixels * 3) throw new ArgumentException($"a crop of {rgb.Length} bytes, {pixels * 3} expected", nameof(rgb));
        int values = PoseLandmarkGraph.Landmarks * PoseLandmarkGraph.LandmarkValues;
        if (landmarks.Length != values) throw new ArgumentException($"{landmarks.Length} landmark values, {values} expected", nameof(landmarks));
        Roi = roi;
        Mask = mask;
        Rgb = rgb;
        Presence = presence;
        Landmarks = landmarks;
    }

    /// <summary>The region the crop was taken from.</summary>
    public PoseRoi Roi { get; private set; }

    /// <summary><see cref="PoseRoi.CropSide"/> squared person probabilities, 0 to 1, row-major in crop pixels.</summary>
    public float[] Mask { get; }

    /// <summary>The crop's colours (interleaved RGB, <see cref="PoseRoi.CropSide"/> squared pixels): what the network saw.</summary>
    public byte[] Rgb { get; }

    /// <summary>The pose flag, 0 to 1: how sure the network is that a person fills the region (MediaPipe drops one below 0.5).</summary>
    public float Presence { get; private set; }

    /// <summary>
    /// 39 landmarks of 5 values as the model gives them: x and y in crop pixels, z, the visibility logit and the
    /// presence logit (33 body points, then the auxiliary ones).
    /// </summary>
    public float[] Landmarks { get; }

    /// <summary>An empty crop to fill (<see cref="PersonSegmenter.Segment(ReadOnlySpan{byte}, int, int, PoseRoi, PersonCrop)"/>), so that a frame's crops need no new arrays.</summary>
    public static PersonCrop Blank()
    {
        const int pixels = PoseRoi.CropSide * PoseRoi.CropSide;
        return new PersonCrop(default, new float[pixels], new byte[pixels * 3], 0, new float[PoseLandmarkGraph.Landmarks * PoseLandmarkGraph.LandmarkValues]);
    }

    /// <summary>Takes <paramref name="roi"/>, <paramref name="presence"/> and copies of the arrays' values.</summary>
    public void Fill(PoseRoi roi, ReadOnlySpan<float> mask, ReadOnlySpan<byte> rgb, float presence, ReadOnlySpan<float> landmarks)
    {
        mask.CopyTo(Mask);
        rgb.CopyTo(Rgb);
        landmarks.CopyTo(Landmarks);
        Roi = roi;
        Presence = presence;
    }

    /// <summary>Makes this crop a copy of <paramref name="other"/>.</summary>
    public void CopyFrom(PersonCrop other) => Fill(other.Roi, other.Mask, other.Rgb, other.Presence, other.Landmarks);
}
