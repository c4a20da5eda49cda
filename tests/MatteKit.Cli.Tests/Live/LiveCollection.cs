namespace MatteKit.Tests.Live;

/// <summary>
/// Tests that play sources in real time and read the rates and latencies that come out: they run alone, not
/// beside the rest of the suite, whose work on the same two cores would be read as a slow machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveCollection
{
    public const string Name = "live, alone";
}
