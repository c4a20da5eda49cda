using MatteKit.Live;
using MatteKit.Tests.TestSupport;
using Xunit;

namespace MatteKit.Tests.Live;

/// <summary>
/// The live default's network side remembered between runs: recalled by its whole key only, newest first and at most
/// 64 entries, a damaged, oversized or foreign file read as empty and rewritten, an unwritable place refused quietly;
/// and a second session with the same settings takes the side the first one's search found (a third, told to retime,
/// searches again, and so does one whose remembered side leaves much room now).
/// </summary>
public sealed class NetworkSideMemoryTests
{
    [Fact]
    public void RecallsByTheWholeKeyNewestFirstAndKeepsAtMostSixtyFour()
    {
        using var dir = new TempFolder();
        var memory = new NetworkSideMemory(dir.File("sub/sides.json"));
        string a = NetworkSideMemory.Key("w", "2 threads", 640, 360, 30), b = NetworkSideMemory.Key("w", "2 threads", 1280, 720, 30);
        Assert.Null(memory.Recall(a));
        Assert.True(memory.Remember(a, 256, false));
        Assert.True(memory.Remember(b, 160, true));
        Assert.Equal((256, false), memory.Recall(a));
        Assert.Equal((160, true), memory.Recall(b));
        Assert.Null(memory.Recall(NetworkSideMemory.Key("w", "1 threads", 640, 360, 30)));
        Assert.Equal((1280, 720), memory.NewestSize("w", "2 threads", 30));
        Assert.Null(memory.NewestSize("w", "2 threads", 25));
        memory.Remember(a, 224, false);
        Assert.Equal((224, false), memory.Recall(a));
        Assert.Equal((640, 360), memory.NewestSize("w", "2 threads", 30));
        for (int i = 0; i < 70; i++) memory.Remember(NetworkSideMemory.Key("w", "2 threads", 100 + i, 100, 30), 128, false);
        Assert.Null(memory.Recall(a)); // the oldest went
        Assert.Equal((128, false), memory.Recall(NetworkSideMemory.Key("w", "2 threads", 169, 100, 30)));
        Assert.Empty(Directory.GetFiles(dir.File("sub"), "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"entries\": 3}")]
    [InlineData("{\"entries\": [{\"key\": \"k\", \"side\": 1000, \"halved\": false}, {\"key\": \"k\", \"side\": \"x\"}]}")]
    public void ADamagedFileIsReadAsEmptyAndRewritten(string text)
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("sides.json"), text);
        var memory = new NetworkSideMemory(dir.File("sides.json"));
        Assert.Null(memory.Recall("k"));
        Assert.True(memory.Remember("k", 192, false));
        Assert.Equal((192, false), memory.Recall("k"));
    }

    /// <summary>A FIFO or /dev/zero where the memory is (by mistake or malice) reads as empty at once: no wait, no endless read.</summary>
    [SkippableFact]
    public void AFifoOrADeviceThereIsReadAsEmptyAtOnce()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "FIFOs and /dev/zero are tested on Linux");
        using var dir = new TempFolder();
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", dir.File("fifo.json"))!) mkfifo.WaitForExit();
        File.CreateSymbolicLink(dir.File("zero.json"), "/dev/zero");
        foreach (var name in new[] { "fifo.json", "zero.json" })
        {
            var read = Task.Run(() => new NetworkSideMemory(dir.File(name)).Recall("k"));
            Assert.True(read.Wait(TimeSpan.FromSeconds(10)), $"{name}: still reading after 10 s");
            Assert.Null(read.Result);
        }
    }

    /// <summary>
    /// Links planted at guessable temporary names beside the memory (a shared cache folder) are never written through:
    /// the file they point at stays as it was.
    /// </summary>
    [SkippableFact]
    public void WritingNeverFollowsALinkPlantedBesideIt()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "symbolic links are tested on Linux");
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("victim.txt"), "keep me");
        for (int pid = Environment.ProcessId - 5; pid <= Environment.ProcessId + 5; pid++)
            File.CreateSymbolicLink(dir.File($".sides.json.{pid}.tmp"), dir.File("victim.txt"));
        var memory = new NetworkSideMemory(dir.File("sides.json"));
        Assert.True(memory.Remember("k", 192, false));
        Assert.Equal("keep me", File.ReadAllText(dir.File("victim.txt")));
        Assert.Equal((192, false), memory.Recall("k"));
        Assert.Null(new FileInfo(dir.File("sides.json")).LinkTarget);
    }

    /// <summary>
    /// A memory that is a symbolic link was read but never rewritten (the writer replaces only a regular file), so
    /// every start searched again without a word (found by a review). Now the live default refuses it at start, one
    /// line naming the file; with a ratio given the memory is not used, and nothing is refused.
    /// </summary>
    [SkippableFact]
    public void AMemoryThatIsALinkIsRefusedAtStartNamingIt()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "symbolic links are tested on Linux");
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("elsewhere.json"), "{}");
        File.CreateSymbolicLink(dir.File("sides.json"), dir.File("elsewhere.json"));
        var options = new LiveMatterOptions { TargetFps = 1, Matting = new() { Threads = 1 }, NetworkSideMemoryFile = dir.File("sides.json") };
        var refused = Assert.Throws<ArgumentException>(options.Validate);
        Assert.StartsWith($"{dir.File("sides.json")}: the live network-side memory is a symbolic link (to {dir.File("elsewhere.json")})", refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
        (options with { Matting = new() { Threads = 1, DownsampleRatio = 0.25 } }).Validate();
        File.Delete(dir.File("sides.json"));
        options.Validate();
    }

    [Fact]
    public void AnOversizedFileIsNotReadAndAnUnwritablePlaceIsRefusedQuietly()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("big.json"), "{\"entries\": [" + new string(' ', (int)NetworkSideMemory.MaxBytes) + "]}");
        Assert.Null(new NetworkSideMemory(dir.File("big.json")).Recall("k"));
        File.WriteAllText(dir.File("file"), "");
        var nowhere = new NetworkSideMemory(dir.File("file/sides.json")); // a file where the folder should be
        Assert.False(nowhere.Remember("k", 192, false));
        Assert.Null(nowhere.Recall("k"));
    }

    [Fact]
    public async Task ASecondSessionTakesTheSideTheFirstFoundAndRetimingSearchesAgain()
    {
        using var dir = new TempFolder();
        var options = new LiveMatterOptions { TargetFps = 1, Matting = new() { Threads = 1 }, NetworkSideMemoryFile = dir.File("sides.json") };
        async Task<LiveStats> Session(LiveMatterOptions o)
        {
            using var live = LiveMatter.Start(o, _ => { });
            await live.Prepare(160, 96).WaitAsync(TimeSpan.FromSeconds(60));
            live.Submit(new byte[160 * 96 * 3], 160, 96);
            live.Stop();
            return live.Stats;
        }
        var first = await Session(options);
        Assert.False(first.NetworkSideRemembered);
        Assert.True(File.Exists(dir.File("sides.json")));
        var second = await Session(options);
        Assert.True(second.NetworkSideRemembered);
        Assert.Equal(first.NetworkWidth, second.NetworkWidth);
        Assert.False((await Session(options with { RetimeNetworkSide = true })).NetworkSideRemembered);

        // A side remembered from a run on a busier machine (edited in here): at one frame a second it leaves so much
        // room that it is searched past, and the side found is remembered in its place.
        string json = File.ReadAllText(dir.File("sides.json"));
        Assert.Contains($"\"side\": {AutoNetworkSide.Largest}", json);
        File.WriteAllText(dir.File("sides.json"), json.Replace($"\"side\": {AutoNetworkSide.Largest}", $"\"side\": {AutoNetworkSide.Smallest}"));
        var busier = await Session(options);
        Assert.False(busier.NetworkSideRemembered);
        Assert.Equal(first.NetworkWidth, busier.NetworkWidth);
        Assert.Contains($"\"side\": {AutoNetworkSide.Largest}", File.ReadAllText(dir.File("sides.json")));
        Assert.True((await Session(options)).NetworkSideRemembered);
    }
}
