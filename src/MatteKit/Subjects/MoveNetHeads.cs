namespace MatteKit.Subjects;

/// <summary>
/// The six head outputs of one frame, NCHW at a quarter of the network input (<see cref="MoveNetGraph"/>): what
/// <see cref="MoveNetDecoder"/> turns into people.
/// </summary>
internal sealed class MoveNetHeads
{
    public const int Keypoints = 17;

    public MoveNetHeads(int width, int height)
    {
        Width = width;
        Height = height;
        int cells = width * height;
        Center = new float[cells];
        Heatmap = new float[Keypoints * cells];
        Regress = new float[2 * Keypoints * cells];
        Offset = new float[2 * Keypoints * cells];
        BoxScale = new float[2 * cells];
        BoxOffset = new float[2 * cells];
        Peaks = new int[MoveNetDecoder.MaxPeople * Keypoints];
        Best = new float[Keypoints * cells];
    }

    public int Width { get; }
    public int Height { get; }
    public float[] Center { get; }
    public float[] Heatmap { get; }
    public float[] Regress { get; }
    public float[] Offset { get; }
    public float[] BoxScale { get; }
    public float[] BoxOffset { get; }

    /// <summary>The decoder's scratch, kept with the heads so that a frame allocates nothing: each candidate's
    /// keypoint peaks [person, keypoint] (a cell), and per keypoint and cell the largest weighted heatmap value over candidates.</summary>
    internal int[] Peaks { get; }
    internal float[] Best { get; }

    /// <summary>The buffers in the order of <see cref="MoveNetGraph.Heads"/>.</summary>
    public float[][] All => new[] { Center, Heatmap, Regress, Offset, BoxScale, BoxOffset };

    public float At(float[] head, int channel, int y, int x) => head[(channel * Height + y) * Width + x];
}
