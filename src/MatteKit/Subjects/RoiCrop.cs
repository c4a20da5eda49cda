namespace MatteKit.Subjects;

/// <summary>
/// The pixels of a frame under a <see cref="PoseRoi"/>, warped to an upright <see cref="PoseRoi.CropSide"/>-pixel
/// square: bilinear, pixel centres at +0.5, and past the frame's edge its border pixels repeated (MediaPipe's
/// ImageToTensorCalculator default, BORDER_REPLICATE), so a region that leaves the frame shows no black wedge.
/// </summary>
internal static class RoiCrop
{
    /// <summary>
    /// Fills <paramref name="crop"/> (interleaved RGB, <see cref="PoseRoi.CropSide"/> squared pixels) from the frame
    /// <paramref name="rgb24"/> (interleaved RGB, <paramref name="width"/> x <paramref name="height"/>) under <paramref name="roi"/>.
    /// </summary>
    public static void Sample(ReadOnlySpan<byte> rgb24, int width, int height, PoseRoi roi, Span<byte> crop)
    {
        const int side = PoseRoi.CropSide;
        var (sin, cos) = MathF.SinCos(roi.Rotation);
        float scale = roi.Side / side;
        // Crop pixel (i, j) samples the frame at PoseRoi.ToFrame(i + 0.5, j + 0.5), less the half pixel of the frame's own centres.
        float halfSide = side / 2f;
        for (int j = 0; j < side; j++)
        {
            float b = (j + 0.5f - halfSide) * scale;
            for (int i = 0; i < side; i++)
            {
                float a = (i + 0.5f - halfSide) * scale;
                float x = roi.CenterX + a * cos - b * sin - 0.5f, y = roi.CenterY + a * sin + b * cos - 0.5f;
                float fx = MathF.Floor(x), fy = MathF.Floor(y);
                float wx = x - fx, wy = y - fy;
                int x0 = ClampIndex(fx, width), x1 = ClampIndex(fx + 1, width);
                int y0 = ClampIndex(fy, height), y1 = ClampIndex(fy + 1, height);
                int p00 = (y0 * width + x0) * 3, p01 = (y0 * width + x1) * 3, p10 = (y1 * width + x0) * 3, p11 = (y1 * width + x1) * 3;
                int o = (j * side + i) * 3;
                for (int c = 0; c < 3; c++)
                {
                    float top = rgb24[p00 + c] + (rgb24[p01 + c] - rgb24[p00 + c]) * wx;
                    float bottom = rgb24[p10 + c] + (rgb24[p11 + c] - rgb24[p10 + c]) * wx;
                    crop[o + c] = (byte)(top + (bottom - top) * wy + 0.5f);
                }
            }
        }
    }

    /// <summary>A sample index clamped into 0..size-1 (also for points far outside, where the float exceeds int).</summary>
    private static int ClampIndex(float index, int size) => index <= 0 ? 0 : index >= size - 1 ? size - 1 : (int)index;
}
