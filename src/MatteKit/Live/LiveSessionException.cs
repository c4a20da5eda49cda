namespace MatteKit.Live;

/// <summary>
/// A live session stopped by a failure of its own (the network, a frame handler), not by its input: the outputs were
/// finished and the stats written before it was thrown. The message is one line for the command line.
/// </summary>
internal sealed class LiveSessionException(string message, Exception inner) : Exception(message, inner);
