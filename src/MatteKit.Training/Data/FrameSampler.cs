namespace MatteKit.Training.Data;

/// <summary>
/// Which frames of a clip make one training sequence: a random speed (0.5x to 5x, the official set), a random
/// start, played backwards half of the time; indices past the end wrap back from the end (ping-pong).
/// </summary>
internal static class FrameSampler
{
    private static readonly double[] Speeds = { 0.5, 1, 2, 3, 4, 5 };

    public static int[] Indices(TrainingRandom rng, int clipLength, int frames)
    {
        double speed = Speeds[rng.Next(Speeds.Length)];
        double span = (frames - 1) * speed;
        int start = span >= clipLength - 1 ? 0 : rng.Next((int)(clipLength - 1 - span) + 1);
        var indices = new int[frames];
        for (int i = 0; i < frames; i++) indices[i] = PingPong(start + (int)Math.Floor(i * speed), clipLength);
        if (rng.Chance(0.5)) Array.Reverse(indices);
        return indices;
    }

    private static int PingPong(int index, int length)
    {
        if (length == 1) return 0;
        int period = 2 * (length - 1);
        index %= period;
        return index < length ? index : period - index;
    }
}
