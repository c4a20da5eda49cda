namespace MatteKit.CommandLine;

/// <summary>What <c>--foreground</c> takes: the network's foreground colour, or the one estimated from the frame and the alpha.</summary>
public enum ForegroundChoice
{
    Network,
    Estimate,
}
