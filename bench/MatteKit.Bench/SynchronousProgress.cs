using MatteKit.Conversion;

namespace MatteKit.Bench;

/// <summary><see cref="Progress{T}"/> posts to the thread pool; measurements need the call on the reporting thread.</summary>
internal sealed class SynchronousProgress(Action<ConvertProgress> report) : IProgress<ConvertProgress>
{
    public void Report(ConvertProgress value) => report(value);
}
