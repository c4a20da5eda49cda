namespace MatteKit.Chunking;

/// <summary>One chunk of a plan: frames [<see cref="Start"/>, <see cref="End"/>) of the input.</summary>
internal sealed record PlanChunk(int Index, int Start, int End)
{
    public int Count => End - Start;
}
