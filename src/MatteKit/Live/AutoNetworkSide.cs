namespace MatteKit.Live;

/// <summary>
/// The live default ratio, chosen for the CPU at hand rather than fixed: the network's longer side in pixels,
/// timed once when the session is built (<see cref="Calibrate"/>) and lowered while running when frames keep taking
/// longer than they arrive (<see cref="StepDown"/>). Only ever lowered during a session: raising it would risk a
/// stall to find out, and each change restarts the recurrent state. A side remembered from an earlier run is searched
/// past at the start when it leaves much room (<see cref="HasRoomBeyond"/>).
/// </summary>
internal sealed class AutoNetworkSide
{
    /// <summary>Where it starts (measured on a 2-core machine at 640x360: 22 ms a frame on one, 47 ms on another).</summary>
    public const int Largest = LiveMatterOptions.AutoNetworkSide;

    /// <summary>Below this the matte loses the hands and hair the network is there for.</summary>
    public const int Smallest = 128;

    /// <summary>Sides move in steps of this (the network's strides need multiples of 16 anyway).</summary>
    private const int Step = 16;

    /// <summary>
    /// The share of a frame interval the network may take at start: the rest goes to the decoder, the
    /// composition and the encoders, which share the cores.
    /// </summary>
    public const double NetworkShare = 0.75;

    public int Side { get; private set; } = Largest;

    public static double Ratio(int side, int width, int height) => Math.Min(1, (double)side / Math.Max(width, height));

    /// <summary>The sides tried, largest first.</summary>
    private static readonly int[] Candidates = { 320, 288, 256, 224, 192, 160, 128 };

    /// <summary>
    /// Sets <see cref="Side"/> to the largest candidate whose one-frame network time (<paramref name="timeMs"/> of a
    /// side) fits <see cref="NetworkShare"/> of the frame interval, else the smallest. The time does not fall with the
    /// network's pixels alone (the full-resolution input, guided filter and outputs cost the same at every side), so
    /// the candidates are searched by halves rather than guessed: at most four timings.
    /// </summary>
    /// <param name="timeMs">One frame's network time at a side (builds that side's session first).</param>
    /// <param name="intervalMs">The frame interval to fit.</param>
    /// <param name="outOfTime">True once the search has taken long enough (a busy machine: a stream's frames are
    /// dropped meanwhile); the search then ends with the largest side known to fit, else the smallest.</param>
    /// <returns>Whether the side chosen was timed and fits (false: even the smallest is too slow, or time ran out first).</returns>
    public bool Calibrate(Func<int, double> timeMs, double intervalMs, Func<bool>? outOfTime = null)
    {
        double budget = NetworkShare * intervalMs;
        Side = Largest;
        if (timeMs(Candidates[0]) <= budget) return true;
        int fits = Candidates.Length, tooSlow = 0; // fits == Length: none timed fits yet
        while (fits - tooSlow > 1 && outOfTime?.Invoke() != true)
        {
            int middle = (fits + tooSlow) / 2;
            if (timeMs(Candidates[middle]) <= budget) fits = middle;
            else tooSlow = middle;
        }
        Side = Candidates[Math.Min(fits, Candidates.Length - 1)];
        return fits < Candidates.Length;
    }

    /// <summary>The next smaller side when a frame's whole handling keeps taking longer than the input's interval; null = keep.</summary>
    public int? StepDown(double frameMs, double intervalMs)
        => frameMs > intervalMs && Side > Smallest ? Math.Max(Smallest, (int)(Side * 0.8) / Step * Step) : null;

    public void Accept(int side) => Side = Math.Clamp(side, Smallest, Largest);

    /// <summary>
    /// The share of <see cref="NetworkShare"/> of the interval under which a side remembered from an earlier run is
    /// searched past: the next candidate up has at most about 1.6 times its pixels (and its time grows slower than
    /// they do), so a side timed at under half the budget leaves room for at least one larger.
    /// </summary>
    public const double RoomToSearchAgain = 0.5;

    /// <summary>Whether a side (remembered, not searched now) that took <paramref name="timeMs"/> a frame leaves room for a larger one.</summary>
    public static bool HasRoomBeyond(int side, double timeMs, double intervalMs)
        => side < Largest && timeMs <= RoomToSearchAgain * NetworkShare * intervalMs;
}
