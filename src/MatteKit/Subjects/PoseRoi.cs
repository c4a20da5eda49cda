namespace MatteKit.Subjects;

/// <summary>
/// A rotated square region of a frame, MediaPipe's pose region of interest, in frame pixels: the square of side
/// <see cref="Side"/> centred on (<see cref="CenterX"/>, <see cref="CenterY"/>), turned by <see cref="Rotation"/>
/// radians (clockwise on screen, y down), which the pose network sees as a <see cref="CropSide"/>-pixel square
/// with the person upright.
/// </summary>
internal readonly record struct PoseRoi(float CenterX, float CenterY, float Side, float Rotation)
{
    /// <summary>The side of the pose network's input, in crop pixels.</summary>
    public const int CropSide = 256;

    /// <summary>A keypoint below this MoveNet score does not shape the region (MoveNet's own drawing threshold).</summary>
    public const float KeypointThreshold = Keypoint.ConfidentScore;

    /// <summary>
    /// MediaPipe's RectTransformationCalculator enlarges the body's circle by this much (tfjs-models BlazePose
    /// constants, scaleX and scaleY).
    /// </summary>
    public const float Scale = 1.25f;

    /// <summary>
    /// COCO keypoints stop at the eyes, wrists and ankles; the crown, fingers and toes reach this much further from
    /// the hips than the farthest keypoint (BlazePose's detector circle encloses them).
    /// </summary>
    public const float ReachBeyondKeypoints = 1.1f;

    /// <summary>Without hips in view, the hip centre is put this many shoulder widths below the shoulders.</summary>
    public const float VirtualHipShoulderWidths = 1.3f;

    // MoveNet's (COCO's) keypoint order.
    private const int Nose = 0, LeftShoulder = 5, RightShoulder = 6, LeftHip = 11, RightHip = 12;

    /// <summary>
    /// The region MediaPipe's pose detector would give this person, from MoveNet's keypoints: centred on the hips'
    /// midpoint, turned so that the direction hips to shoulders (or to the nose) points up in the crop, with side
    /// <see cref="Scale"/> times the diameter of the circle round the hips that holds every confident keypoint
    /// (widened by <see cref="ReachBeyondKeypoints"/>). Without hips a virtual hip centre stands below the shoulders;
    /// without shoulders either, the region is the box's centre and longer side times <see cref="Scale"/>, upright.
    /// </summary>
    public static PoseRoi FromDetection(PersonDetection person)
    {
        var k = person.Keypoints;
        bool Seen(int i) => i < k.Count && k[i].Score >= KeypointThreshold && float.IsFinite(k[i].X) && float.IsFinite(k[i].Y);
        (float X, float Y) Midpoint(int a, int b) => ((k[a].X + k[b].X) / 2, (k[a].Y + k[b].Y) / 2);

        (float X, float Y) centre, up;
        if (Seen(LeftHip) && Seen(RightHip))
        {
            centre = Midpoint(LeftHip, RightHip);
            (float X, float Y)? top = Seen(LeftShoulder) && Seen(RightShoulder) ? Midpoint(LeftShoulder, RightShoulder)
                : Seen(Nose) ? (k[Nose].X, k[Nose].Y) : null;
            up = top is { } t ? (t.X - centre.X, t.Y - centre.Y) : (0f, -1f);
        }
        else if (Seen(LeftShoulder) && Seen(RightShoulder))
        {
            var shoulders = Midpoint(LeftShoulder, RightShoulder);
            float width = Distance(k[LeftShoulder].X, k[LeftShoulder].Y, k[RightShoulder].X, k[RightShoulder].Y);
            up = Seen(Nose) ? (k[Nose].X - shoulders.X, k[Nose].Y - shoulders.Y) : (0f, -1f);
            float length = MathF.Sqrt(up.X * up.X + up.Y * up.Y);
            up = length > 0 ? (up.X / length, up.Y / length) : (0f, -1f);
            centre = (shoulders.X - up.X * VirtualHipShoulderWidths * width, shoulders.Y - up.Y * VirtualHipShoulderWidths * width);
        }
        else
        {
            return FromBox(person.Box);
        }
        if (up.X == 0 && up.Y == 0) up = (0f, -1f);

        float radius = 0;
        for (int i = 0; i < k.Count; i++)
        {
            if (Seen(i)) radius = Math.Max(radius, Distance(k[i].X, k[i].Y, centre.X, centre.Y));
        }
        if (!(radius > 0)) return FromBox(person.Box);
        // AlignmentPointsRectsCalculator's rotation: 90 degrees less the angle of the upward vector (y flipped).
        float rotation = Normalise(MathF.PI / 2 - MathF.Atan2(-up.Y, up.X));
        return new PoseRoi(centre.X, centre.Y, 2 * radius * ReachBeyondKeypoints * Scale, rotation);
    }

    /// <summary>
    /// The region MediaPipe tracks a person with on the next frame: from the landmark model's two auxiliary
    /// landmarks (33, the hips' centre, and 34, a point on the circle round the body, along its axis), brought to
    /// the frame through <paramref name="crop"/>'s region, by the same rules as a detection (side twice their
    /// distance times <see cref="Scale"/>, turned so that 33 to 34 points up in the crop). Null when the two
    /// points coincide or are not finite.
    /// </summary>
    public static PoseRoi? FromAuxiliaryLandmarks(PersonCrop crop)
    {
        const int hipCentre = 33, bodyTop = 34, values = PoseLandmarkGraph.LandmarkValues;
        var l = crop.Landmarks;
        var (x0, y0) = crop.Roi.ToFrame(l[hipCentre * values], l[hipCentre * values + 1]);
        var (x1, y1) = crop.Roi.ToFrame(l[bodyTop * values], l[bodyTop * values + 1]);
        float radius = Distance(x0, y0, x1, y1);
        if (!(radius > 0) || !float.IsFinite(radius) || !float.IsFinite(x0) || !float.IsFinite(y0)) return null;
        return new PoseRoi(x0, y0, 2 * radius * Scale, Normalise(MathF.PI / 2 - MathF.Atan2(-(y1 - y0), x1 - x0)));
    }

    /// <summary>The box's centre, its longer side times <see cref="Scale"/>, upright.</summary>
    public static PoseRoi FromBox(PersonBox box)
        => new(box.CenterX, box.CenterY, Math.Max(box.Width, box.Height) * Scale, 0);

    /// <summary>
    /// The frame point of crop pixel coordinates (<paramref name="u"/>, <paramref name="v"/>), 0 to
    /// <see cref="CropSide"/> across the square, pixel centres at +0.5.
    /// </summary>
    public (float X, float Y) ToFrame(float u, float v)
    {
        float a = (u / CropSide - 0.5f) * Side, b = (v / CropSide - 0.5f) * Side;
        var (sin, cos) = MathF.SinCos(Rotation);
        return (CenterX + a * cos - b * sin, CenterY + a * sin + b * cos);
    }

    /// <summary>The crop pixel coordinates of frame point (<paramref name="x"/>, <paramref name="y"/>): the inverse of <see cref="ToFrame"/>.</summary>
    public (float U, float V) ToCrop(float x, float y)
    {
        float dx = x - CenterX, dy = y - CenterY;
        var (sin, cos) = MathF.SinCos(Rotation);
        return (((dx * cos + dy * sin) / Side + 0.5f) * CropSide, ((-dx * sin + dy * cos) / Side + 0.5f) * CropSide);
    }

    /// <summary>The axis-aligned frame box that holds the square (not clipped to the frame).</summary>
    public PersonBox Bounds
    {
        get
        {
            var (sin, cos) = MathF.SinCos(Rotation);
            float half = Side / 2 * (MathF.Abs(cos) + MathF.Abs(sin));
            return new PersonBox(CenterX - half, CenterY - half, CenterX + half, CenterY + half);
        }
    }

    /// <summary>
    /// The same region in a frame resized by <paramref name="factor"/> (pixel centres at +0.5 in both, as resizing
    /// with half-pixel centres keeps them), e.g. to render a mask at a network's smaller size.
    /// </summary>
    public PoseRoi Scaled(float factor) => new(CenterX * factor, CenterY * factor, Side * factor, Rotation);

    /// <summary>Whether the region can be cropped: finite, and at least <see cref="MinSide"/> pixels a side (a detection with no confident keypoint and no box has none).</summary>
    public bool IsUsable => float.IsFinite(CenterX) && float.IsFinite(CenterY) && float.IsFinite(Rotation) && float.IsFinite(Side) && Side >= MinSide;

    /// <summary>The smallest region side worth a crop: below it the person covers a few pixels.</summary>
    public const float MinSide = 8;

    public void Validate(string paramName)
    {
        if (!float.IsFinite(CenterX) || !float.IsFinite(CenterY) || !float.IsFinite(Rotation))
            throw new ArgumentException($"pose region {this}: centre and rotation must be finite", paramName);
        if (!(Side > 0) || !float.IsFinite(Side))
            throw new ArgumentException($"pose region {this}: the side must be finite and above 0", paramName);
    }

    private static float Distance(float x0, float y0, float x1, float y1) => MathF.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));

    /// <summary>An angle in [-pi, pi).</summary>
    private static float Normalise(float angle) => angle - 2 * MathF.PI * MathF.Floor((angle + MathF.PI) / (2 * MathF.PI));
}
