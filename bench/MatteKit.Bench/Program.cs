using MatteKit.Bench;

// mattekit benchmark program. Usage: MatteKit.Bench [network] [--frames N] [--warmup N] [--threads 1,2] [--heights 288,720,1080,2160] [--shared DIR]
//                                   MatteKit.Bench network --precision fp32,int8 [--calibration-frames 20] [--heights 288,720] ...
//                                   MatteKit.Bench network --seq-chunk 1,2,4 [--no-spin] [--frames GROUPS] [--warmup GROUPS] ...
//                                   MatteKit.Bench session-options [--frames N] [--threads 2]
//                                   MatteKit.Bench convert [options of ConvertBenchmark.cs]
//                                   MatteKit.Bench live [--precision fp32,int8] [other options of LiveBenchmark.cs]
//                                   MatteKit.Bench serve [--seconds 10] [--queued 50] [--cli MatteKit.Cli.dll]  (serve's overhead against convert, memory with jobs queued)
//                                   MatteKit.Bench seams [--chunk 10]  (chunked conversion against one pass)
//                                   MatteKit.Bench masks --true DIR[,DIR] [--weights RVM.pth] [--threads 2] [--frames N]  (person masks against ground truth)
//                                   MatteKit.Bench selfie [--sizes 640x360,1280x720] [--frames 40] [--rounds 3]  (selfie models against RVM, ms per frame)
//                                   MatteKit.Bench subject [--input VIDEO] [--frames 40] [--threads 2]  (what --subject costs a frame against RVM, 640x360 and 1280x720)
//                                   MatteKit.Bench priming [--warmups 15] [--frames 40] [--clips 12]  (the state primed on a clip's opening frames against none, on clips with exact truth)
//                                   MatteKit.Bench foreground [--frames 20] [--clips 12]  (network against estimated foreground at soft edges, on clips with exact truth)
//                                   MatteKit.Bench calibrate --out FILE [--calibration-frames 20]  (the embedded model's int8 activation ranges, as models/rvm_mobilenetv3/int8_ranges.txt holds them)
//                                   MatteKit.Bench train-step [--frames STEPS] [--warmup N] [--threads 2] [--repeats 3] [--official RVM_DIR]
//                                   MatteKit.Bench bgm-train-step [--frames STEPS] [--warmup N] [--threads 2] [--repeats 3] [--official BGMV2_DIR]  (BGMv2's base and refine steps)
// The convert mode parses its own options (its --frames and --threads mean other things).
if (args.FirstOrDefault() == "convert") return ConvertBenchmark.Run(args[1..]);
string shared = Environment.GetEnvironmentVariable("MATTEKIT_SHARED") ?? Path.GetFullPath(Path.Combine(FindRepoRoot(), "..", "shared"));
if (args.FirstOrDefault() == "live") return LiveBenchmark.Run(args[1..], shared);
if (args.FirstOrDefault() == "serve") return ServeBenchmark.Run(args[1..], shared, FindRepoRoot());
if (args.FirstOrDefault() == "seams") return SeamBenchmark.Run(args[1..], shared);
if (args.FirstOrDefault() == "masks") return MaskBenchmark.Run(args[1..], shared);
if (args.FirstOrDefault() == "selfie") return SelfieBenchmark.Run(args[1..], shared);
if (args.FirstOrDefault() == "subject") return SubjectBenchmark.Run(args[1..]);
if (args.FirstOrDefault() == "priming") return PrimingBenchmark.Run(args[1..], shared);
if (args.FirstOrDefault() == "foreground") return ForegroundBenchmark.Run(args[1..], shared);
if (args.FirstOrDefault() == "calibrate")
{
    // What --precision int8 runs with: written once, committed, and rebuilt the same by this command on the same frames.
    string output = BenchArguments.Option(args, "--out") ?? throw new ArgumentException("calibrate needs --out FILE");
    int perClip = int.Parse(BenchArguments.Option(args, "--calibration-frames") ?? "20", System.Globalization.CultureInfo.InvariantCulture);
    var measured = PrecisionBenchmark.Calibrate(shared, perClip, PrecisionBenchmark.ShippedCalibrationClips);
    File.WriteAllText(output, measured.ToText());
    Console.WriteLine($"{measured.Count} activation ranges from {perClip} frames each of {string.Join(", ", PrecisionBenchmark.ShippedCalibrationClips)} at 512x288 -> {output}");
    return 0;
}
int frames = 20, warmup = 5;
int[] threads = { 1, 2 };
string mode = "network";
int[]? chunkLengths = null;
bool spin = true;
int repeats = 3;
string? official = null;
int[]? heights = null;
string[]? precisions = null;
int calibrationFrames = 20;
bool profile = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--frames": frames = int.Parse(args[++i]); break;
        case "--warmup": warmup = int.Parse(args[++i]); break;
        case "--threads": threads = args[++i].Split(',').Select(int.Parse).ToArray(); break;
        case "--shared": shared = args[++i]; break;
        case "--seq-chunk": chunkLengths = args[++i].Split(',').Select(int.Parse).ToArray(); break;
        case "--no-spin": spin = false; break;
        case "--repeats": repeats = int.Parse(args[++i]); break;
        case "--official": official = args[++i]; break;
        case "--heights": heights = args[++i].Split(',').Select(int.Parse).ToArray(); break;
        case "--precision": precisions = args[++i].Split(','); break;
        case "--calibration-frames": calibrationFrames = int.Parse(args[++i]); break;
        case "--profile": profile = true; break;
        default: mode = args[i]; break;
    }
}
if (!Directory.Exists(Path.Combine(shared, "media", "clips")))
{
    Console.Error.WriteLine($"bench: shared materials not found at {shared} (set MATTEKIT_SHARED or --shared)");
    return 1;
}
switch (mode)
{
    case "network" when chunkLengths is not null:
        ChunkBenchmark.Run(shared, frames, warmup, threads, chunkLengths, spin);
        return 0;
    case "int8-sites":
        Int8SiteProbe.Run(shared);
        return 0;
    case "network" when precisions is not null:
        PrecisionBenchmark.Run(shared, frames, warmup, threads, heights, precisions, calibrationFrames, profile);
        return 0;
    case "network":
        NetworkBenchmark.Run(shared, frames, warmup, threads, heights);
        return 0;
    case "train-step":
        TrainStepBenchmark.Run(shared, frames, warmup, threads.Max(), repeats, official);
        return 0;
    case "bgm-train-step":
        BgmTrainStepBenchmark.Run(shared, frames, warmup, threads.Max(), repeats, official);
        return 0;
    case "session-options":
        SessionOptionsBenchmark.Run(shared, frames, threads.Max());
        return 0;
    default:
        Console.Error.WriteLine($"bench: unknown mode '{mode}' (network, session-options, convert, live, seams, masks, selfie, subject, train-step, bgm-train-step)");
        return 2;
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "MatteKit.slnx"))) return dir.FullName;
    return Directory.GetCurrentDirectory();
}
