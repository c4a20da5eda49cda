namespace MatteKit.Training.Runs;

/// <summary>Why a training run ended; each ends with a checkpoint written somewhere.</summary>
internal enum TrainingEnd
{
    /// <summary>The step or time budget was reached; --out (and --report) were written.</summary>
    Finished,

    /// <summary>A signal stopped it (exit 130).</summary>
    Stopped,

    /// <summary>A frame could not be read while training (exit 1).</summary>
    DataFailed,

    /// <summary>An output (--out, the checkpoint, --report) could not be written (exit 1).</summary>
    OutputFailed,
}
