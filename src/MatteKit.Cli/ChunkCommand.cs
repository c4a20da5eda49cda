using System.CommandLine;
using MatteKit.Chunking;

namespace MatteKit.Cli;

/// <summary><c>mattekit chunk plan.json --index K</c> (one chunk into its segments) and <c>mattekit join plan.json</c>.</summary>
internal static class ChunkCommand
{
    private static readonly Argument<string> Plan = OptionValues.PathArgument<string>("PLAN", "a plan written by mattekit plan", "give the plan's file (plan.json)", use: PathUse.Read);
    private static readonly Option<int?> Index = OptionValues.WholeNumber("--index", "the chunk to convert (0 to chunks - 1; on Slurm $SLURM_ARRAY_TASK_ID)", 0);

    public static Command BuildChunk(CancellationToken cancel)
    {
        var command = new Command("chunk", "Convert one chunk of a plan into its segment files (a finished chunk is not redone)") { Plan, Index, SharedOptions.Quiet };
        command.SetAction(parse =>
        {
            var plan = ConversionPlan.Load(parse.GetRequiredValue(Plan));
            int index = parse.GetValue(Index) ?? throw new UsageException("--index K is needed");
            try
            {
                plan.Chunk(index);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(ParameterFlags.Say(e));
            }
            bool done = ChunkRunner.Run(plan, index, null, cancel);
            var chunk = plan.Chunks[index];
            if (!parse.GetValue(SharedOptions.Quiet))
                Console.WriteLine(done ? $"chunk {index}: frames {chunk.Start} to {chunk.End - 1} converted" : $"chunk {index}: already done");
            return 0;
        });
        return command;
    }

    public static Command BuildJoin(CancellationToken cancel)
    {
        var command = new Command("join", "Check every chunk of a plan and join the segments into the outputs (audio muxed once)") { Plan, SharedOptions.Quiet };
        command.SetAction(parse =>
        {
            var plan = ConversionPlan.Load(parse.GetRequiredValue(Plan));
            // A folder output that holds something was refused by the library only when the join reached it, after
            // the video outputs were joined, as exit 1: refused first, as plan and convert refuse it (exit 2), naming
            // the output by its role in the plan, which is where join takes it from. A joined plan's outputs hold its frames.
            if (!plan.IsJoined())
                ReplaceableOutputs.RequireEmptyFolders(plan.Outputs.Where(o => o.IsFolder).Select(o => ($"the plan's {o.Role} output", o.Path)));
            bool joined = PlanJoiner.Join(plan, cancel);
            if (!parse.GetValue(SharedOptions.Quiet))
                Console.WriteLine(joined
                    ? $"joined {plan.Chunks.Count} chunk(s), {plan.Frames} frames: {string.Join(", ", plan.Outputs.Select(o => o.Path))}"
                    : $"already joined ({plan.Frames} frames in each output): {string.Join(", ", plan.Outputs.Select(o => o.Path))}; nothing to do");
            return 0;
        });
        return command;
    }
}
