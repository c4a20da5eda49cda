using MatteKit.Tests.TestSupport;

namespace MatteKit.Tests.Training;

/// <summary>
/// Small training sets made from shared/ for the training tests: one or more cut-outs (symbolic links to the
/// P3M folders), background images, and validation clips composed by <c>mattekit compose-dataset</c>.
/// </summary>
internal static class TrainingSets
{
    public static string Matting => SharedData.Path("media", "matting");
    public static string BackgroundImages => SharedData.Path("media", "backgrounds", "images");

    /// <summary>A folder holding links to the named cut-outs of shared/media/matting.</summary>
    public static string Cutouts(TempFolder temp, string name, params string[] cutouts)
    {
        SharedData.SkipIfMissing(Matting);
        var folder = temp.File(name);
        Directory.CreateDirectory(folder);
        foreach (var c in cutouts) Directory.CreateSymbolicLink(Path.Combine(folder, c), Path.Combine(Matting, c));
        return folder;
    }

    /// <summary>A folder holding links to the named background files.</summary>
    public static string Backgrounds(TempFolder temp, string name, params string[] files)
    {
        SharedData.SkipIfMissing(BackgroundImages);
        var folder = temp.File(name);
        Directory.CreateDirectory(folder);
        foreach (var f in files) File.CreateSymbolicLink(Path.Combine(folder, f), Path.Combine(BackgroundImages, f));
        return folder;
    }

    /// <summary>Validation clips (CLIP/com|fgr|pha) of <paramref name="cutouts"/> over <paramref name="backgrounds"/>.</summary>
    public static string Compose(TempFolder temp, string name, string cutouts, string backgrounds, string size, int frames)
    {
        var output = temp.File(name);
        var r = CliRunner.Run("compose-dataset", "--foregrounds", cutouts, "--backgrounds", backgrounds, "--out", output,
            "--size", size, "--frames", frames.ToString(), "--clips", "1");
        Assert.True(r.ExitCode == 0, r.StdErr);
        return output;
    }
}
