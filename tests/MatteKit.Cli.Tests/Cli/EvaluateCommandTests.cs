using System.Text.Json;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;

namespace MatteKit.Tests.Cli;

public class EvaluateCommandTests
{
    private static void WriteClip(string root, string clip, params byte[][] frames)
    {
        var pha = Directory.CreateDirectory(Path.Combine(root, clip, "pha")).FullName;
        for (int i = 0; i < frames.Length; i++) PngFile.WriteGray(Path.Combine(pha, $"{i:D4}.png"), 2, 2, frames[i]);
    }

    [Fact]
    public void Prints_the_table_and_writes_json_csv_and_report()
    {
        using var temp = new TempFolder();
        WriteClip(temp.File("true"), "a", [255, 255, 0, 0], [255, 255, 0, 0]);
        WriteClip(temp.File("pred"), "a", [255, 255, 0, 0], [255, 255, 255, 0]);
        var r = CliRunner.Run("evaluate", "--pred", temp.File("pred"), "--true", temp.File("true"),
            "--json", temp.File("s.json"), "--csv", temp.File("s.csv"), "--report", temp.File("r.html"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        // frame 1: MAD = 1/4 * 1e3 = 250; the clip mean over 2 frames is 125
        Assert.Contains("125.0000", r.StdOut);
        using var json = JsonDocument.Parse(File.ReadAllText(temp.File("s.json")));
        Assert.Equal(125, json.RootElement.GetProperty("mean").GetProperty("MAD").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("mean").GetProperty("FgrMSE").ValueKind);
        var csv = File.ReadAllLines(temp.File("s.csv"));
        Assert.StartsWith("clip,frame,MAD,MSE,Grad,Conn,dtSSD", csv[0]);
        Assert.Equal(1 + 2 + 1 + 1, csv.Length);
        var html = File.ReadAllText(temp.File("r.html"));
        Assert.Contains("<svg", html);
        Assert.Contains("data:image/png;base64,", html);
    }

    [Fact]
    public void A_missing_prediction_is_one_line_naming_the_file()
    {
        using var temp = new TempFolder();
        WriteClip(temp.File("true"), "a", [0, 0, 0, 0], [0, 0, 0, 0]);
        WriteClip(temp.File("pred"), "a", [0, 0, 0, 0]);
        var r = CliRunner.Run("evaluate", "--pred", temp.File("pred"), "--true", temp.File("true"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("0001.png: missing", r.StdErr);
        Assert.Single(r.StdErr.Trim().Split('\n'));
    }

    [Fact]
    public void A_prediction_of_another_size_is_refused()
    {
        using var temp = new TempFolder();
        WriteClip(temp.File("true"), "a", [0, 0, 0, 0]);
        var pha = Directory.CreateDirectory(Path.Combine(temp.File("pred"), "a", "pha")).FullName;
        PngFile.WriteGray(Path.Combine(pha, "0000.png"), 1, 1, [0]);
        var r = CliRunner.Run("evaluate", "--pred", temp.File("pred"), "--true", temp.File("true"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("is 1x1, the ground truth is 2x2", r.StdErr);
    }

    [Fact]
    public void Missing_options_are_usage_errors()
    {
        Assert.Equal(2, CliRunner.Run("evaluate", "--pred", "x").ExitCode);
        Assert.Equal(2, CliRunner.Run("compose-dataset", "--foregrounds", "x").ExitCode);
        Assert.Equal(2, CliRunner.Run("compose-dataset", "--foregrounds", "x", "--backgrounds", "y", "--out", "z", "--size", "12").ExitCode);
    }

    [Fact]
    public void Compose_dataset_with_a_missing_folder_fails_with_one_line()
    {
        using var temp = new TempFolder();
        var r = CliRunner.Run("compose-dataset", "--foregrounds", temp.File("nope"), "--backgrounds", temp.Path, "--out", temp.File("ds"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("nope: no such folder", r.StdErr);
        Assert.False(Directory.Exists(temp.File("ds")));
    }
}
