namespace MatteKit.Live;

/// <summary>What a live output carries.</summary>
internal enum LiveOutputRole
{
    Composition,
    Alpha,
    Foreground,
}
