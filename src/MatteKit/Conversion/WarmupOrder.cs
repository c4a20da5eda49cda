namespace MatteKit.Conversion;

/// <summary>Which frames prime RVM's recurrent state before the first frame of a chunk (<c>--warmup-order</c>).</summary>
/// <remarks>
/// Measured (bench seams, docs/long-videos.md): forward priming with 15 frames gives a joined alpha within 0.05% of the one-pass
/// run's MAD on the synthetic clip and the closest to one pass on a real clip; reverse priming changes every chunk's
/// start, the first included, and so moves the whole output away from the one-pass result.
/// </remarks>
internal enum WarmupOrder
{
    /// <summary>The W frames before the chunk, in order (none before frame 0): the state one pass would have, nearly.</summary>
    Forward,

    /// <summary>The W frames after the chunk's first, last to first, then the chunk from its first frame on.</summary>
    Reverse,
}
