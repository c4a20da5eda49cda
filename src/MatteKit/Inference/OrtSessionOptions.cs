using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Inference;

/// <summary>The ONNX Runtime settings every MatteKit session uses: all graph optimisations, one operator at a time.</summary>
internal static class OrtSessionOptions
{
    /// <param name="threads">Threads inside one operator; 0 = one per core.</param>
    /// <param name="spinWhileIdle">Let idle workers spin: faster alone, slower when other busy threads share the cores.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is negative.</exception>
    public static SessionOptions Create(int threads, bool spinWhileIdle = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        // Thousands of threads only contend, and took minutes to exit: at most one per core (the CLI refuses more).
        threads = Math.Min(threads, Environment.ProcessorCount);
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        };
        if (!spinWhileIdle) options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }
}
