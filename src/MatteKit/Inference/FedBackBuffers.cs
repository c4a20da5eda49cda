namespace MatteKit.Inference;

/// <summary>
/// A recurrent value of a <see cref="BoundSession"/>: two buffers of one shape, one bound to an input and the other
/// to the output that feeds it, swapping roles after each run, so a call's output is the next call's input without
/// copying.
/// </summary>
internal sealed class FedBackBuffers
{
    private readonly float[][] _buffers;
    private int _current;

    internal FedBackBuffers(int length) => _buffers = new[] { new float[length], new float[length] };

    /// <summary>The buffer the next run reads (the last run's output).</summary>
    public float[] Current => _buffers[_current];

    /// <summary>The buffer the next run writes.</summary>
    internal float[] Next => _buffers[1 - _current];

    internal void Swap() => _current = 1 - _current;
}
