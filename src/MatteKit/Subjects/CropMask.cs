namespace MatteKit.Subjects;

/// <summary>
/// A crop-space mask brought back to the frame: MediaPipe's inverse warp (WarpAffineCalculator with the inverse of
/// the crop's matrix), bilinear, for the frame pixels whose centres fall inside the region's square.
/// </summary>
internal static class CropMask
{
    /// <summary>
    /// Writes the crop-space mask, warped back with the ROI (bilinear), into dest (width*height, frame pixels) for the
    /// pixels inside the ROI's square; pixels outside the square are left as they are (the caller clears).
    /// cropMask holds <see cref="PoseRoi.CropSide"/> squared values, row-major in crop pixels.
    /// </summary>
    public static void Render(ReadOnlySpan<float> cropMask, PoseRoi roi, Span<float> dest, int width, int height)
    {
        const int side = PoseRoi.CropSide;
        if (cropMask.Length != side * side)
            throw new ArgumentException($"a crop mask of {cropMask.Length} values, {side * side} expected", nameof(cropMask));
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"frame of {width}x{height}");
        if (dest.Length != (long)width * height)
            throw new ArgumentException($"frame of {width}x{height} needs {(long)width * height} mask values, got {dest.Length}", nameof(dest));
        roi.Validate(nameof(roi));

        // Only rows and columns the square's bounding box touches can hold a pixel inside it.
        var bounds = roi.Bounds;
        int left = Math.Max(0, (int)MathF.Floor(Math.Max(bounds.Left, -1))), right = Math.Min(width, (int)MathF.Ceiling(Math.Min(bounds.Right, width + 1)));
        int top = Math.Max(0, (int)MathF.Floor(Math.Max(bounds.Top, -1))), bottom = Math.Min(height, (int)MathF.Ceiling(Math.Min(bounds.Bottom, height + 1)));
        var (sin, cos) = MathF.SinCos(roi.Rotation);
        float scale = side / roi.Side;
        for (int y = top; y < bottom; y++)
        {
            float dy = y + 0.5f - roi.CenterY;
            var row = dest.Slice(y * width, width);
            for (int x = left; x < right; x++)
            {
                // PoseRoi.ToCrop, with the sine and cosine taken once.
                float dx = x + 0.5f - roi.CenterX;
                float u = (dx * cos + dy * sin) * scale + side / 2f, v = (-dx * sin + dy * cos) * scale + side / 2f;
                if (!(u >= 0 && u < side && v >= 0 && v < side)) continue;
                row[x] = Bilinear(cropMask, u - 0.5f, v - 0.5f);
            }
        }
    }

    /// <summary>The mask at crop point (<paramref name="u"/>, <paramref name="v"/>) in pixel-index units, edge pixels repeated beyond the centres.</summary>
    public static float Bilinear(ReadOnlySpan<float> cropMask, float u, float v)
    {
        const int side = PoseRoi.CropSide;
        float fu = MathF.Floor(u), fv = MathF.Floor(v);
        float wu = u - fu, wv = v - fv;
        int u0 = Math.Clamp((int)fu, 0, side - 1), u1 = Math.Clamp((int)fu + 1, 0, side - 1);
        int v0 = Math.Clamp((int)fv, 0, side - 1), v1 = Math.Clamp((int)fv + 1, 0, side - 1);
        float top = cropMask[v0 * side + u0] + (cropMask[v0 * side + u1] - cropMask[v0 * side + u0]) * wu;
        float bottom = cropMask[v1 * side + u0] + (cropMask[v1 * side + u1] - cropMask[v1 * side + u0]) * wu;
        return top + (bottom - top) * wv;
    }
}
