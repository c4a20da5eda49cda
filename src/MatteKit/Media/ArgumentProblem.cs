namespace MatteKit;

/// <summary>
/// An <see cref="ArgumentException"/>'s message as it was written, without the " (Parameter 'X')" .NET appends when a
/// parameter name is given: the library's messages already name it.
/// </summary>
internal static class ArgumentProblem
{
    public static string Of(ArgumentException error)
    {
        string suffix = $" (Parameter '{error.ParamName}')";
        return error.ParamName is not null && error.Message.EndsWith(suffix, StringComparison.Ordinal) ? error.Message[..^suffix.Length] : error.Message;
    }
}
