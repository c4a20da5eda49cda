namespace MatteKit.Datasets;

/// <summary>What <see cref="DatasetComposer"/> builds.</summary>
internal sealed record ComposeOptions
{
    /// <summary>A folder of cut-out folders, each with <c>image.jpg</c> (or .png) and <c>alpha.png</c>.</summary>
    public required string Foregrounds { get; init; }

    /// <summary>A folder (searched recursively) of background images and videos, or one such file.</summary>
    public required string Backgrounds { get; init; }

    /// <summary>The dataset folder to create (must not exist, or be empty).</summary>
    public required string Output { get; init; }

    public int Width { get; init; } = 512;
    public int Height { get; init; } = 288;
    public int Frames { get; init; } = 30;

    /// <summary>At most this many clips (0: one per cut-out).</summary>
    public int MaxClips { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>Also write each frame's background layer (<c>bgr/</c>).</summary>
    public bool WriteBackground { get; init; } = true;
}
