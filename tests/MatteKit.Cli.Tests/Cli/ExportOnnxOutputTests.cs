using System.Diagnostics;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// export-onnx's --out where something other than a regular file is: it replaced a FIFO or a symbolic link with a
/// plain file and exited 0. Now one line naming the path and what is there, exit 2, before any work, and the thing
/// left as it was.
/// </summary>
public sealed class ExportOnnxOutputTests
{
    private readonly ITestOutputHelper _log;

    public ExportOnnxOutputTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void AnOutThatIsNotARegularFileIsRefusedBeforeAnyWorkAndLeftAsItWas()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses mkfifo and symbolic links");
        using var dir = new TempFolder();
        using (var mkfifo = Process.Start("mkfifo", dir.File("fifo.onnx"))!) mkfifo.WaitForExit();
        File.WriteAllText(dir.File("kept.txt"), "keep me");
        File.CreateSymbolicLink(dir.File("link.onnx"), dir.File("kept.txt"));
        File.CreateSymbolicLink(dir.File("dangling.onnx"), dir.File("nowhere.onnx"));
        Directory.CreateDirectory(dir.File("folder.onnx"));

        foreach (var (name, kind) in new[]
        {
            ("fifo.onnx", "is a FIFO (named pipe)"),
            ("link.onnx", $"is a symbolic link (to {dir.File("kept.txt")})"),
            ("dangling.onnx", $"is a symbolic link (to {dir.File("nowhere.onnx")})"),
            ("folder.onnx", "exists and is a folder, not a file"),
        })
        {
            // Weights that do not exist: were they read first, the line would name them instead.
            var r = CliRunner.Run("export-onnx", "--size", "64x48", "--out", dir.File(name), "--weights", dir.File("missing.pth"), "--quiet");
            _log.WriteLine($"{name}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal($"mattekit: --out {dir.File(name)}: {kind}", r.StdErr.Trim().Split('\n').Single().Split(';')[0]);
        }
        Assert.Equal(FileKind.Fifo, FileIdentity.Of(dir.File("fifo.onnx"))?.Kind);
        Assert.Equal(dir.File("kept.txt"), new FileInfo(dir.File("link.onnx")).LinkTarget);
        Assert.Equal(dir.File("nowhere.onnx"), new FileInfo(dir.File("dangling.onnx")).LinkTarget);
        Assert.Equal("keep me", File.ReadAllText(dir.File("kept.txt")));
        Assert.False(File.Exists(dir.File("nowhere.onnx")));
        Assert.Empty(Directory.GetFileSystemEntries(dir.File("folder.onnx")));

        // A device cannot be made here without privileges; the one check says what it is.
        Assert.Equal("is a device; an output replaces only a regular file", OutputFile.NotReplaceable("/dev/null"));
        Assert.Null(OutputFile.NotReplaceable(dir.File("kept.txt")));
        Assert.Null(OutputFile.NotReplaceable(dir.File("absent.onnx")));

        // And the export itself still replaces a regular file.
        var ok = CliRunner.Run("export-onnx", "--size", "64x48", "--out", dir.File("kept.onnx"), "--quiet");
        Assert.True(ok.ExitCode == 0, ok.StdErr);
        var again = CliRunner.Run("export-onnx", "--size", "64x48", "--out", dir.File("kept.onnx"), "--quiet");
        Assert.True(again.ExitCode == 0, again.StdErr);
    }
}
