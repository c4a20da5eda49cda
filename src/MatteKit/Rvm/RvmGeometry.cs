namespace MatteKit.Rvm;

/// <summary>
/// Sizes for one frame size and downsample ratio: where the network runs (<c>floor(n * ratio)</c>, or the frame
/// itself at ratio 1) and the recurrent state shapes, each a ceil-halving of the previous (stride-2 convs pad
/// symmetrically, so an odd side rounds up).
/// </summary>
internal sealed class RvmGeometry
{
    public RvmGeometry(int frameWidth, int frameHeight, double downsampleRatio, IReadOnlyList<int>? stateChannels = null)
    {
        // The MobileNetV3 model's unless told (RvmNetwork.Geometry passes its own).
        stateChannels ??= NetworkWidths.RvmArchitecture.MobileNetV3.StateChannels;
        if (frameWidth < 1 || frameHeight < 1)
            throw new ArgumentException($"frame size {frameWidth}x{frameHeight} is empty");
        if (!(downsampleRatio > 0 && downsampleRatio <= 1))
            throw new ArgumentException($"downsample ratio {downsampleRatio} is outside (0, 1]");
        FrameWidth = frameWidth;
        FrameHeight = frameHeight;
        DownsampleRatio = downsampleRatio;
        Refine = downsampleRatio != 1;
        RequireNetworkPixels(frameWidth, frameHeight, downsampleRatio);
        (NetworkWidth, NetworkHeight) = NetworkSize(frameWidth, frameHeight, downsampleRatio);

        StateShapes = new int[4][];
        int h = NetworkHeight, w = NetworkWidth;
        for (int i = 0; i < 4; i++)
        {
            h = (h + 1) / 2;
            w = (w + 1) / 2;
            StateShapes[i] = new[] { 1, stateChannels[i], h, w };
        }
    }

    /// <summary>Where the network runs for this frame and ratio: <c>floor(side * ratio)</c>, or the frame itself at ratio 1.</summary>
    public static (int Width, int Height) NetworkSize(int frameWidth, int frameHeight, double downsampleRatio)
        => downsampleRatio == 1 ? (frameWidth, frameHeight)
            : ((int)Math.Floor(frameWidth * downsampleRatio), (int)Math.Floor(frameHeight * downsampleRatio));

    /// <summary>
    /// The one check that a ratio leaves the network at least a pixel each way of a frame: convert meets it at the first
    /// frame, serve at upload from the probed size, live at the stream's first frame and at each change of ratio, all
    /// with this line, which gives the least ratio that fits the frame.
    /// </summary>
    /// <exception cref="ArgumentException">The network would be empty.</exception>
    public static void RequireNetworkPixels(int frameWidth, int frameHeight, double downsampleRatio)
    {
        var (networkWidth, networkHeight) = NetworkSize(frameWidth, frameHeight, downsampleRatio);
        if (networkWidth >= 1 && networkHeight >= 1) return;
        double least = Math.Ceiling(10_000.0 / Math.Min(frameWidth, frameHeight)) / 10_000;
        throw new ArgumentException(
            $"downsample ratio {downsampleRatio.ToString(System.Globalization.CultureInfo.InvariantCulture)} shrinks a {frameWidth}x{frameHeight} frame to nothing " +
            $"({networkWidth}x{networkHeight}); at this size it must be at least {least.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    public bool Matches(int frameWidth, int frameHeight, double downsampleRatio)
        => FrameWidth == frameWidth && FrameHeight == frameHeight && DownsampleRatio == downsampleRatio;

    public int FrameWidth { get; }
    public int FrameHeight { get; }
    public double DownsampleRatio { get; }

    /// <summary>Whether the frame is downsampled and the guided-filter refiner brings the result back (ratio != 1).</summary>
    public bool Refine { get; }

    public int NetworkWidth { get; }
    public int NetworkHeight { get; }

    /// <summary>NCHW shapes of r1..r4 (e.g. 16, 20, 40, 64 channels for MobileNetV3) at 1/2, 1/4, 1/8, 1/16 of the network size.</summary>
    public int[][] StateShapes { get; }

    /// <summary>
    /// The official converter's automatic choice: the network's longer side about 512 px, never upsampling.
    /// </summary>
    public static double AutoRatio(int frameWidth, int frameHeight) => Math.Min(512.0 / Math.Max(frameWidth, frameHeight), 1.0);
}
