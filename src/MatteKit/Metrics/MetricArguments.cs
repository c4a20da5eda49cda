namespace MatteKit.Metrics;

internal static class MetricArguments
{
    public static void CheckSameLength<T>(ReadOnlySpan<T> predicted, ReadOnlySpan<T> truth)
    {
        if (predicted.Length != truth.Length)
            throw new ArgumentException($"prediction has {predicted.Length} values, ground truth {truth.Length}");
        if (predicted.Length == 0) throw new ArgumentException("an empty frame has no score");
    }

    public static void CheckPlane<T>(ReadOnlySpan<T> plane, int width, int height, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (plane.Length != (long)width * height)
            throw new ArgumentException($"{name} has {plane.Length} values, a {width}x{height} frame needs {(long)width * height}");
    }
}
