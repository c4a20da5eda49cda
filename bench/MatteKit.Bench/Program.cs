using MatteKit.Bench;

// Benchmark modes; each lives in its own file.
const string Usage = """
    Usage: dotnet run --project bench/MatteKit.Bench -c Release -- MODE [options]

    Modes:
      convert   end-to-end `convert` speed (pipeline vs sequential vs inference alone) on the shared 720p and
                1080p clips, and a 2,000-frame run with its memory sampled (see ConvertBenchmark.cs)
    """;

switch (args.FirstOrDefault())
{
    case "convert":
        return ConvertBenchmark.Run(args[1..]);
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}
