namespace MatteKit.Subjects;

/// <summary>An axis-aligned box in frame pixels (right and bottom exclusive).</summary>
internal readonly record struct PersonBox(float Left, float Top, float Right, float Bottom)
{
    public float Width => Math.Max(0, Right - Left);
    public float Height => Math.Max(0, Bottom - Top);
    public float Area => Width * Height;
    public float CenterX => (Left + Right) / 2;
    public float CenterY => (Top + Bottom) / 2;

    /// <summary>The box grown by <paramref name="share"/> of its width and height on every side.</summary>
    public PersonBox Grown(float share) => new(Left - Width * share, Top - Height * share, Right + Width * share, Bottom + Height * share);

    /// <summary>Whether the two boxes share any area.</summary>
    public bool Intersects(PersonBox other) => Left < other.Right && other.Left < Right && Top < other.Bottom && other.Top < Bottom;

    public bool Contains(float x, float y) => x >= Left && x < Right && y >= Top && y < Bottom;

    /// <summary>The area the two boxes share, 0 when they share none.</summary>
    public float Intersection(PersonBox other)
    {
        float w = Math.Min(Right, other.Right) - Math.Max(Left, other.Left), h = Math.Min(Bottom, other.Bottom) - Math.Max(Top, other.Top);
        return w <= 0 || h <= 0 ? 0 : w * h;
    }

    /// <summary>Intersection over union, 0 when either box is empty.</summary>
    public float Overlap(PersonBox other)
    {
        float inter = Intersection(other);
        if (inter == 0) return 0;
        float union = Area + other.Area - inter;
        return union > 0 ? inter / union : 0;
    }
}
