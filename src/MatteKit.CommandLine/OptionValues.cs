using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace MatteKit.CommandLine;

/// <summary>
/// Options declared once: name, help, type and the text-to-type parser with its one-line error, for every command.
/// The parsers only turn text into types (a number, a size, a choice); whether a value makes sense with the others
/// is the library's to say (<c>ConvertOptions.Validate</c>).
/// </summary>
public static class OptionValues
{
    /// <summary>
    /// A path (or a name: a token, a partition), its text checked by <see cref="PathTextProblem"/>; <paramref name="use"/>
    /// is <see cref="PathUse.Read"/> for a file or folder the command reads.
    /// </summary>
    public static Option<string?> Path(string name, string help, string helpName = "PATH", PathUse use = PathUse.Named)
    {
        var option = new Option<string?>(name) { Description = help, HelpName = helpName };
        option.Validators.Add(result => RefuseBadPathText(result, name, $"give {name} <{helpName}>", use));
        return option;
    }

    /// <summary>
    /// A path a command writes a file or a folder to, its text checked as <see cref="Path"/>'s and refused when it is a
    /// URL (<c>file:///tmp/x.mov</c> was a relative path, a folder named "file:"). Inputs take URLs (ffmpeg reads
    /// rtsp://, udp://, http://), and so do live's outputs, which may be streams: those are <see cref="Path"/>.
    /// </summary>
    public static Option<string?> OutputPath(string name, string help, string helpName = "PATH") => Path(name, help, helpName, PathUse.Written);

    /// <summary>A repeatable path option (<c>--cutouts A --cutouts B</c>), each value checked as <see cref="Path"/>'s.</summary>
    public static Option<string[]> Paths(string name, string help, string helpName = "DIR", PathUse use = PathUse.Named)
    {
        var option = new Option<string[]>(name) { Description = help, HelpName = helpName, AllowMultipleArgumentsPerToken = false };
        option.Validators.Add(result => RefuseBadPathText(result, name, $"give {name} <{helpName}>", use));
        return option;
    }

    /// <summary>
    /// A positional path (INPUT, PLAN), its text checked as <see cref="Path"/>'s; <paramref name="give"/> says what
    /// to give instead ("give a file, a folder, - (stdin) or a URL").
    /// </summary>
    public static Argument<T> PathArgument<T>(string name, string description, string give, ArgumentArity? arity = null, PathUse use = PathUse.Named)
    {
        var argument = new Argument<T>(name) { Description = description };
        if (arity is { } a) argument.Arity = a;
        argument.Validators.Add(result => RefuseBadPathText(result, name, give, use));
        return argument;
    }

    private static void RefuseBadPathText(SymbolResult result, string name, string give, PathUse use)
    {
        foreach (var token in result.Tokens)
        {
            if (PathTextProblem(name, token.Value, give, use) is { } problem)
            {
                result.AddError(problem);
                return;
            }
        }
    }

    /// <summary>
    /// The one rule on a path's text, for every path option and argument: empty (an unset shell variable,
    /// <c>--out "$PLAN"</c>) used to reach the library as .NET's "The value cannot be an empty string."; only white
    /// space (<c>--out " "</c>) and white space at either end (<c>--out " x"</c>, a quoting mistake) made folders named
    /// by spaces, which no one can tell apart in a listing. A path that is read (<see cref="PathUse.Read"/>) may have
    /// white space at either end when something is there by that name: a file really named <c>"photo.png "</c> could
    /// not be given at all, told to drop the space it has. Where a file or a folder is written
    /// (<see cref="PathUse.Written"/>), a URL is refused too: <c>file:///tmp/x.mov</c> was taken as a relative path; and
    /// so is a name ffmpeg reads as a protocol (<c>file:v.mp4</c> made a file of that name, which ffmpeg, given it as an
    /// input, reads as <c>v.mp4</c>).
    /// Null when the text is fine.
    /// </summary>
    public static string? PathTextProblem(string name, string value, string give, PathUse use = PathUse.Named)
    {
        if (value.Length == 0) return $"{name} is empty; {give}";
        string shown = '"' + Media.PrintableText.Excerpt(value) + '"';
        if (string.IsNullOrWhiteSpace(value)) return $"{name} is only white space ({shown}); {give}";
        if ((char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])) && !(use == PathUse.Read && (File.Exists(value) || Directory.Exists(value))))
            return $"{name} {shown} starts or ends with white space (a quoting mistake?); give it without";
        if (use == PathUse.Written && IsUrl(value)) return $"{name} {shown} is a URL; give a path (this option writes a file or a folder here)";
        if (use == PathUse.Written && Media.Ffmpeg.FfmpegPath.ProtocolPrefix(value) is { } protocol)
            return $"{name} {shown} begins as an ffmpeg protocol's name does ('{protocol}:'), so ffmpeg, or MatteKit given it back " +
                   $"as an input, would not read it as this file; give ./{Media.PrintableText.Excerpt(value)} for a file so named";
        return null;
    }

    /// <summary>A scheme (a letter, then letters, digits, +, - or .) followed by "://", as ffmpeg's protocols and file:// are written.</summary>
    private static bool IsUrl(string value)
    {
        int colon = value.IndexOf("://", StringComparison.Ordinal);
        return colon > 0 && char.IsAsciiLetter(value[0])
               && value.AsSpan(1, colon - 1).IndexOfAnyExcept(Media.Ffmpeg.FfmpegPath.SchemeCharacters) < 0;
    }

    public static Option<bool> Flag(string name, string help) => new(name) { Description = help, Arity = ArgumentArity.Zero };

    /// <summary>
    /// An option whose text <paramref name="parse"/> turns into a value; a <see cref="UsageException"/> is its error, and so
    /// is an <see cref="ArgumentException"/> from a library parser (<c>Background.Parse</c>), in flags' words.
    /// </summary>
    public static Option<T> Parsed<T>(string name, string help, string helpName, Func<string, T> parse, Func<T>? fallback = null,
        params string[] completions)
    {
        var option = new Option<T>(name) { Description = help, HelpName = helpName };
        option.CustomParser = result =>
        {
            try
            {
                return parse(result.Tokens.Single().Value);
            }
            catch (UsageException e)
            {
                result.AddError(e.Message);
                return default!;
            }
            catch (ArgumentException e)
            {
                result.AddError(ParameterFlags.Say(e));
                return default!;
            }
        };
        if (fallback is not null) option.DefaultValueFactory = _ => fallback();
        if (completions.Length > 0) option.CompletionSources.Add(completions);
        return option;
    }

    public static Option<double?> PositiveNumber(string name, string help, string helpName = "N")
        => Parsed<double?>(name, help, helpName, text =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 && !double.IsInfinity(v)
                ? v : throw new UsageException($"{name} must be a positive number, got '{text}'"));

    public static Option<double?> Seconds(string name, string help)
        => Parsed<double?>(name, help, "SECONDS", text =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && !double.IsInfinity(v)
                ? v : throw new UsageException($"{name} must be a number of seconds >= 0, got '{text}'"));

    public static Option<int?> WholeNumber(string name, string help, int min, string helpName = "N")
        => Parsed<int?>(name, help, helpName, text =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min
                ? n : throw new UsageException($"{name} must be a whole number >= {min}, got '{text}'"));

    public static Option<long?> LongNumber(string name, string help, long min, string helpName = "N")
        => Parsed<long?>(name, help, helpName, text =>
            long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n >= min
                ? n : throw new UsageException($"{name} must be a whole number >= {min}, got '{text}'"));

    /// <summary>A finite number; its range is the library's to check.</summary>
    public static Option<double?> Number(string name, string help)
        => Parsed<double?>(name, help, "N", text =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
                ? v : throw new UsageException($"{name} must be a number, got '{text}'"));

    /// <summary>
    /// A number for a setting the library holds in single precision and bounds by <paramref name="least"/> to <paramref name="most"/> (its check
    /// says so, naming the number): one beyond single precision (1e300) would reach that check as infinity and be
    /// named "Infinity", so it is refused here, with the same bound and the text given.
    /// </summary>
    public static Option<double?> Number(string name, string help, double least, double most)
        => Parsed<double?>(name, help, "N", text =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && float.IsFinite((float)v)
                ? v : throw new UsageException($"{name} must be a number from {least.ToString(CultureInfo.InvariantCulture)} to {most.ToString(CultureInfo.InvariantCulture)}, got '{text}'"));

    /// <summary><c>WxH</c>, both sides in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<(int Width, int Height)?> Size(string name, string help, int min = 1, int max = int.MaxValue)
        => Parsed<(int, int)?>(name, help, "WxH", text =>
        {
            var parts = text.Split('x', 'X');
            if (parts.Length == 2 && int.TryParse(parts[0], out int w) && int.TryParse(parts[1], out int h)
                && w >= min && h >= min && w <= max && h <= max)
                return (w, h);
            var range = max == int.MaxValue ? $"at least {min}" : $"from {min} to {max}";
            throw new UsageException($"{name} must be WxH (e.g. 1280x720) with both sides {range}, got '{text}'");
        });

    /// <summary>One of <paramref name="choices"/> (any case), mapped to its value; completion offers the names.</summary>
    public static Option<T?> Choice<T>(string name, string help, string helpName, IReadOnlyDictionary<string, T> choices) where T : struct
        => Parsed<T?>(name, help, helpName, text => choices.TryGetValue(text.ToLowerInvariant(), out var v) ? v
            : throw new UsageException($"{name} must be {Either(choices.Keys)}, got '{text}'"), null, choices.Keys.ToArray());

    /// <summary>
    /// auto, or a number; that it lies in (0, 1] is the library's to check. auto parses to NaN (a parser cannot give
    /// null here: System.CommandLine then converts the word itself and fails), which <see cref="RatioOrAuto"/> turns into null.
    /// </summary>
    public static Option<double?> Ratio(string name, string help)
        => Parsed<double?>(name, help, "R|auto", text =>
        {
            if (text.Equals("auto", StringComparison.OrdinalIgnoreCase)) return double.NaN;
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) && double.IsFinite(r)
                ? r : throw new UsageException($"{name} must be auto or a number in (0, 1], got '{text}'");
        }, null, "auto", "1", "0.5", "0.375", "0.25");

    /// <summary>A ratio option's value: null for auto (given or not), else the number.</summary>
    public static double? RatioOrAuto(this ParseResult parse, Option<double?> option)
        => parse.GetValue(option) is { } r && !double.IsNaN(r) ? r : null;

    public static string Either(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 2 ? $"{list[0]} or {list[1]}" : string.Join(", ", list.Take(list.Count - 1)) + " or " + list[^1];
    }

    /// <summary>Whether the option was given on the command line (not just defaulted).</summary>
    public static bool Given(this ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };
}
