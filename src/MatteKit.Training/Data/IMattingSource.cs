namespace MatteKit.Training.Data;

/// <summary>Ground-truth foregrounds to train on: cut-outs (one image) or clips (frame sequences).</summary>
internal interface IMattingSource
{
    /// <summary>What the source is, for the summary ("12 cut-outs from DIR").</summary>
    string Description { get; }

    int Count { get; }

    /// <summary>T frames of item <paramref name="index"/>, at its (reduced) source size.</summary>
    MattingSequence Read(int index, TrainingRandom rng, int frames);
}
