namespace MatteKit.Subjects;

/// <summary>
/// A person pass done once over the whole input and stored (<see cref="SubjectKeepWriter"/>), as a plan's chunks use
/// it: where its blocks are, their hashes, the frames it covers, and the choice it followed (for messages).
/// </summary>
internal sealed record StoredSubject(string Folder, IReadOnlyList<string> Hashes, int Frames, string Choice);
