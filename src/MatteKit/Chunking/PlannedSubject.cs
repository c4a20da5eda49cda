namespace MatteKit.Chunking;

/// <summary>
/// A plan's person pass (<c>plan --subject</c>): the choice it followed (as the user gave it), with the SHA-256 of a
/// mask's pixels when the choice is a mask (a file edited since is another choice), the line saying where the subject
/// was followed, lost and hidden, and the SHA-256 of each block of keep maps it stored in the plan's segments folder
/// (<see cref="Subjects.SubjectKeepWriter"/>), <see cref="Subjects.SubjectKeepWriter.BlockFrames"/> frames a block.
/// </summary>
internal sealed record PlannedSubject(string Choice, string? MaskSha256, string Summary, IReadOnlyList<string> Blocks);
