namespace MatteKit.Tests.TestSupport;

/// <summary>
/// One composite clip of two people (<see cref="SubjectComposites"/>): its PNG frames and, per frame, each person's
/// visible alpha (after occlusion by whoever is in front), so that an output can be scored per person.
/// </summary>
/// <param name="Name">The case's name (SideBySide, CrossingChosenFront, ...).</param>
/// <param name="Folder">The frames, <c>0000.png</c> on, <see cref="SubjectComposites.Width"/> x <see cref="SubjectComposites.Height"/>.</param>
/// <param name="Chosen">Per frame the chosen person's visible alpha (byte per pixel, row-major).</param>
/// <param name="Other">Per frame the other person's visible alpha.</param>
/// <param name="PointFrame">The frame where the chosen person is chosen (0 except when they enter late).</param>
/// <param name="Point">A pixel on the chosen person in <paramref name="PointFrame"/> (opaque there), outside the other person's box.</param>
/// <param name="ChosenSolo">Frame <paramref name="PointFrame"/> with the chosen person alone over the background (RGB), to check the detector sees them.</param>
/// <param name="OtherSolo">The same frame with the other person alone.</param>
internal sealed record SubjectCase(
    string Name,
    string Folder,
    IReadOnlyList<byte[]> Chosen,
    IReadOnlyList<byte[]> Other,
    int PointFrame,
    (int X, int Y) Point,
    byte[] ChosenSolo,
    byte[] OtherSolo)
{
    public int FrameCount => Chosen.Count;

    /// <summary>Per frame, how many of the chosen person's pixels have visible alpha >= 128.</summary>
    public int[] ChosenOpaquePixels() => Chosen.Select(a => a.Count(v => v >= 128)).ToArray();
}
