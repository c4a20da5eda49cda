using System.CommandLine;
using System.Text.RegularExpressions;

namespace MatteKit.CommandLine;

/// <summary>
/// The parser's first error as one line in MatteKit's words (the option named first); the option parsers' own
/// messages (<see cref="OptionValues"/>) pass through unchanged.
/// </summary>
public static partial class UsageErrors
{
    public static string OneLine(ParseResult parse)
    {
        // An unknown word explains the rest ("Required command was not provided" follows from it).
        var message = parse.Errors.Select(e => e.Message).FirstOrDefault(m => Unrecognized().IsMatch(m)) ?? parse.Errors[0].Message;
        var command = parse.CommandResult.Command;
        string help = command is RootCommand ? "mattekit --help" : $"mattekit {command.Name} --help";
        if (Unrecognized().Match(message) is { Success: true } u)
        {
            var token = u.Groups[1].Value;
            return token.StartsWith('-') ? $"unknown option {token} (see {help})"
                : command is RootCommand ? $"unknown command '{token}' (see mattekit --help)"
                : $"unexpected argument '{token}' (see {help})";
        }
        if (MissingValue().Match(message) is { Success: true } m) return $"{m.Groups[1].Value} needs a value";
        if (TooMany().Match(message) is { Success: true } t) return $"{t.Groups[1].Value} given twice";
        return message;
    }

    [GeneratedRegex(@"^Unrecognized command or argument '(.*)'")]
    private static partial Regex Unrecognized();

    [GeneratedRegex(@"^Required argument missing for option: '(.*)'")]
    private static partial Regex MissingValue();

    [GeneratedRegex(@"^Option '(.*)' expects a single argument but \d+ were provided")]
    private static partial Regex TooMany();
}
