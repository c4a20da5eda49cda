using System.Diagnostics;
using System.Text;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using MatteKit.Training.Runs;
using Xunit.Abstractions;

namespace MatteKit.Tests.Training;

/// <summary>
/// A checkpoint's header was read whole (up to 256 MB) and deserialized before its fields were checked: an edited
/// header of 127 MB took 870 MB and 3 s to be refused. Now its shape (step, list entries, length) is read through a
/// small buffer first, and only a header of a run's shape is deserialized.
/// </summary>
public sealed class CheckpointHeaderTests
{
    private const int Megabytes = 1 << 20;
    private readonly ITestOutputHelper _log;

    public CheckpointHeaderTests(ITestOutputHelper log) => _log = log;

    public static IEnumerable<object[]> Oversized() => new[]
    {
        new object[] { "rvm", "entries", "lists 120000 entries at step 1, more than a run writes by then (edited or damaged)" },
        new object[] { "rvm", "padding", "more than its 0 list entries take" },
        new object[] { "bgmv2", "entries", "lists 120000 entries at step 1, more than a run writes by then (edited or damaged)" },
        new object[] { "bgmv2", "padding", "more than its 0 list entries take" },
    };

    [Theory]
    [MemberData(nameof(Oversized))]
    public void AnOversizedHeaderIsRefusedWithoutBeingHeldOrDeserialized(string model, string how, string expected)
    {
        using var temp = new TempFolder();
        var path = temp.File("edited.ckpt");
        var body = new StringBuilder();
        if (how == "entries")
        {
            // 120,000 entries of a run's size (about 13 MB for RVM's records) for a run at step 1.
            string entry = model == "rvm" ? "{\"Step\":1,\"Seconds\":0.5,\"Losses\":{\"total\":0.25,\"alpha_l1\":0.125,\"alpha_laplacian\":0.0625,\"foreground_l1\":0.03125}}" : "0.25";
            body.Append(model == "rvm" ? "\"History\":[" : "\"BaseLosses\":[");
            body.AppendJoin(',', Enumerable.Repeat(entry, 120_000)).Append("],");
        }
        else
        {
            body.Append(' ', 100 * Megabytes);
        }
        WriteHeader(path, model, body.ToString());
        _log.WriteLine($"{model}, {how}: a header of {new FileInfo(path).Length / (double)Megabytes:F0} MB");

        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<MediaFormatException>(() => Read(model, path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        _log.WriteLine($"refused in {watch.Elapsed.TotalSeconds:F2} s, {allocated / (double)Megabytes:F2} MB allocated: {e.Message}");
        Assert.StartsWith($"{path}: checkpoint header ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(allocated < 2 * Megabytes, $"{allocated} bytes allocated to refuse it");
    }

    public static IEnumerable<object[]> StepsPastWhatTheRunBounds() => new[]
    {
        // A --minutes run has no step budget: the entries are held to what a run keeps, whatever the step claims.
        new object[] { "rvm", null!, "lists 120000 entries, more than a run keeps (60003;" },
        new object[] { "bgmv2", null!, "lists 120000 entries, more than a run keeps (60003;" },
        // A --steps run holds the step itself to its budget.
        new object[] { "rvm", 10L, "checkpoint field Step is 100000000: past this run's --steps 10" },
        new object[] { "bgmv2", 10L, "checkpoint field Step is 100000000: past this run's --steps 10" },
    };

    /// <summary>
    /// The pre-scan bounded a header's entries by the header's own Step: edited to 10^8, a header of 120,000 entries
    /// (13 MB of RVM's records) passed it and was deserialized whole, as would 256 MB of them. Now the step is held to
    /// the run's --steps, and without one (--minutes) the entries to the most a run keeps.
    /// </summary>
    [Theory]
    [MemberData(nameof(StepsPastWhatTheRunBounds))]
    public void AHeaderWhoseOwnStepWouldAdmitItsEntriesIsRefusedByTheRunsBound(string model, long? stepBudget, string expected)
    {
        using var temp = new TempFolder();
        var path = temp.File("edited.ckpt");
        string entry = model == "rvm" ? "{\"Step\":1,\"Seconds\":0.5,\"Losses\":{\"total\":0.25,\"alpha_l1\":0.125,\"alpha_laplacian\":0.0625,\"foreground_l1\":0.03125}}" : "0.25";
        WriteHeader(path, model, (model == "rvm" ? "\"History\":[" : "\"BaseLosses\":[") + string.Join(',', Enumerable.Repeat(entry, 120_000)) + "],", step: 100_000_000);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<MediaFormatException>(() => Read(model, path, stepBudget));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        _log.WriteLine($"{model}, budget {stepBudget?.ToString() ?? "none"}: {allocated / (double)Megabytes:F2} MB allocated: {e.Message}");
        Assert.StartsWith($"{path}: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(allocated < 2 * Megabytes, $"{allocated} bytes allocated to refuse it");
    }

    [Fact]
    public void AHeaderOfARunsShapeIsReadAndItsFieldsChecked()
    {
        using var temp = new TempFolder();
        var path = temp.File("long.ckpt");
        // A history of 20,000 steps (about 2 MB) with a validation every 100: read whole and handed on for the tensors.
        string Record(int step) => $"{{\"Step\":{step},\"Seconds\":{step * 0.5},\"Losses\":{{\"total\":0.25,\"alpha_l1\":0.125}}}}";
        string Validation(int step) => $"{{\"Step\":{step},\"Mad\":1.5,\"Mse\":0.5,\"Grad\":0.25,\"DtSsd\":0.125}}";
        WriteHeader(path, "rvm", "\"History\":[" + string.Join(',', Enumerable.Range(1, 20_000).Select(Record)) + "]," +
                                 "\"Validation\":[" + string.Join(',', Enumerable.Range(0, 201).Select(i => Validation(i * 100))) + "],", step: 20_000);
        var reached = Assert.Throws<InvalidOperationException>(() => Checkpoint.Read(path, null, header =>
            throw new InvalidOperationException($"reached at step {header.Step} with {header.History.Count} records and {header.Validation.Count} validations")));
        Assert.Equal("reached at step 20000 with 20000 records and 201 validations", reached.Message);

        // Edited to claim fewer steps than it records: the field check names the list, as before.
        WriteHeader(path, "rvm", "\"History\":[" + string.Join(',', Enumerable.Range(1, 5).Select(Record)) + "],", step: 4);
        var refused = Assert.Throws<MediaFormatException>(() => Checkpoint.Read(path, null, _ => throw new InvalidOperationException("not reached")));
        Assert.Contains("checkpoint field History (its length) is 5: expected 0 to 4", refused.Message);
    }

    public static IEnumerable<object[]> NotJson() => new[]
    {
        new object[] { "rvm", "\"Width\":128", "\"Width\":000", "checkpoint header is not valid JSON at field Width (" },
        new object[] { "bgmv2", "\"Width\":128", "\"Width\":000", "checkpoint header is not valid JSON at field Width (" },
        new object[] { "bgmv2", "\"Height\":128,", "\"Height\":128,,", "checkpoint header is not valid JSON at field Height (" },
        new object[] { "bgmv2", "\"Width\":128", "\"Width\":\"wide\"", "checkpoint field Width is not a value of its kind (" },
        new object[] { "bgmv2", "\"Step\":1", "\"Step\":\"1\"", "checkpoint field Step is not a value of its kind (expected a whole number)" },
    };

    /// <summary>
    /// A checkpoint's header edited into JSON that does not parse (<c>"Width":000</c>), or a value of another kind, was
    /// said to be "not a MatteKit BGMv2 training checkpoint" (found by a hostile-input pass): its magic is a
    /// checkpoint's, so the line now says the header is damaged, naming the file and the field.
    /// </summary>
    [Theory]
    [MemberData(nameof(NotJson))]
    public void AHeaderThatIsNotValidJsonIsSaidToBeDamagedNamingTheField(string model, string field, string edited, string expected)
    {
        using var temp = new TempFolder();
        var path = temp.File("edited.ckpt");
        WriteHeader(path, model, "", fields: f => f.Contains(field) ? f.Replace(field, edited) : throw new InvalidOperationException($"no {field} in {f}"));
        var e = Assert.Throws<MediaFormatException>(() => Read(model, path));
        _log.WriteLine($"{model}, {field} edited to {edited}: {e.Message}");
        Assert.StartsWith($"{path}: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.EndsWith("edited or damaged", e.Message);
        Assert.DoesNotContain("not a MatteKit", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static void Read(string model, string path, long? stepBudget = null)
    {
        if (model == "rvm") Checkpoint.Read(path, stepBudget, _ => throw new InvalidOperationException("not reached"));
        else BgmCheckpoint.Read(path, stepBudget, null!, _ => throw new InvalidOperationException("not reached"));
    }

    /// <summary>A checkpoint of <paramref name="model"/> holding only a header: its fixed fields, then <paramref name="lists"/> as given.</summary>
    /// <param name="fields">An edit of the fixed fields' text (a hand edit of the header).</param>
    private static void WriteHeader(string path, string model, string lists, long step = 1, Func<string, string>? fields = null)
    {
        string text = model == "rvm"
            ? $"\"Preset\":\"finetune\",\"Width\":128,\"Height\":128,\"Frames\":2,\"Step\":{step},\"Seconds\":1,\"RandomState\":7"
            : $"\"Backbone\":\"MobileNetV2\",\"Stages\":\"base\",\"Stage\":\"base\",\"Width\":128,\"Height\":128,\"RefineWidth\":256,\"RefineHeight\":256,\"Step\":{step},\"Seconds\":1,\"RandomState\":7";
        var header = Encoding.UTF8.GetBytes("{" + lists + (fields ?? (f => f))(text) + "}");
        using var writer = new BinaryWriter(File.Create(path), Encoding.UTF8);
        writer.Write(model == "rvm" ? "MATTEKIT-CHECKPOINT-1" : "MATTEKIT-BGM-CHECKPOINT-1");
        writer.Write(header.Length);
        writer.Write(header);
    }
}
