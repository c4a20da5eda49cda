namespace MatteKit.Training.Data;

/// <summary>
/// The random numbers of data sampling and augmentation (SplitMix64): one 64-bit state, saved in checkpoints, so a
/// resumed run draws exactly what an uninterrupted one would have.
/// </summary>
internal sealed class TrainingRandom
{
    public TrainingRandom(ulong state) => State = state;

    public ulong State { get; private set; }

    public ulong NextULong()
    {
        ulong z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [0, <paramref name="count"/>).</summary>
    public int Next(int count) => (int)(NextULong() % (ulong)count);

    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>A seed for libtorch's generator (grain noise), drawn from this stream.</summary>
    public long NextSeed() => (long)(NextULong() >> 1);
}
