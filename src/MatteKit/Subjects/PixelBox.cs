namespace MatteKit.Subjects;

/// <summary>A box of whole pixels inside a frame (right and bottom exclusive).</summary>
internal readonly record struct PixelBox(int Left, int Top, int Right, int Bottom)
{
    /// <summary>The pixels of a frame that <paramref name="box"/> touches, clipped to the frame.</summary>
    public static PixelBox Within(PersonBox box, int width, int height)
    {
        int left = Math.Clamp((int)MathF.Floor(box.Left), 0, width), right = Math.Clamp((int)MathF.Ceiling(box.Right), left, width);
        int top = Math.Clamp((int)MathF.Floor(box.Top), 0, height), bottom = Math.Clamp((int)MathF.Ceiling(box.Bottom), top, height);
        return new PixelBox(left, top, right, bottom);
    }

    /// <summary>This box grown by <paramref name="pixels"/> on every side, clipped to <paramref name="within"/>.</summary>
    public PixelBox Grown(int pixels, PixelBox within)
        => new(Math.Max(within.Left, Left - pixels), Math.Max(within.Top, Top - pixels), Math.Min(within.Right, Right + pixels), Math.Min(within.Bottom, Bottom + pixels));
}
