namespace MatteKit.Cli;

/// <summary>
/// Options of the form <c>--name value</c>, <c>--name=value</c> or <c>--flag</c>, plus positional arguments.
/// Each option may be given once; anything not declared is a usage error.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public CommandLine(IEnumerable<string> args, IReadOnlySet<string> valueOptions, IReadOnlySet<string> flags)
    {
        var queue = new Queue<string>(args);
        while (queue.Count > 0)
        {
            var arg = queue.Dequeue();
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                Positional.Add(arg);
                continue;
            }
            string name = arg;
            string? value = null;
            int eq = arg.IndexOf('=');
            if (eq > 0) (name, value) = (arg[..eq], arg[(eq + 1)..]);
            if (flags.Contains(name))
            {
                if (value is not null) throw new UsageException($"{name} takes no value");
            }
            else if (valueOptions.Contains(name))
            {
                if (value is null)
                {
                    if (queue.Count == 0) throw new UsageException($"{name} needs a value");
                    value = queue.Dequeue();
                }
            }
            else
            {
                throw new UsageException($"unknown option {name} (see --help)");
            }
            if (!_options.TryAdd(name, value)) throw new UsageException($"{name} given twice");
        }
    }

    public List<string> Positional { get; } = new();

    /// <summary>
    /// Parses a command's arguments; prints <paramref name="help"/> and returns null on <c>--help</c>. A command
    /// taking no positional arguments refuses any.
    /// </summary>
    public static CommandLine? ForCommand(string[] args, IReadOnlySet<string> valueOptions, IReadOnlySet<string> flags, string help,
        bool positional = false)
    {
        var cl = new CommandLine(args, valueOptions, flags.Append("--help").ToHashSet());
        if (cl.Has("--help"))
        {
            Console.WriteLine(help);
            return null;
        }
        if (!positional && cl.Positional.Count > 0) throw new UsageException($"unexpected argument '{cl.Positional[0]}'");
        return cl;
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Value(string name) => _options.TryGetValue(name, out var v) ? v : null;

    /// <summary><c>WxH</c> from option <paramref name="name"/>, both sides in [<paramref name="min"/>, <paramref name="max"/>]; null when absent.</summary>
    public (int Width, int Height)? Size(string name, int min = 1, int max = int.MaxValue)
    {
        var text = Value(name);
        if (text is null) return null;
        var parts = text.Split('x', 'X');
        if (parts.Length == 2 && int.TryParse(parts[0], out int w) && int.TryParse(parts[1], out int h)
            && w >= min && h >= min && w <= max && h <= max)
            return (w, h);
        var range = max == int.MaxValue ? $"at least {min}" : $"from {min} to {max}";
        throw new UsageException($"{name} must be WxH (e.g. 1280x720) with both sides {range}, got '{text}'");
    }

    public long Long(string name, long fallback, long min)
    {
        var v = Value(name);
        if (v is null) return fallback;
        if (!long.TryParse(v, out long n) || n < min) throw new UsageException($"{name} must be a whole number >= {min}, got '{v}'");
        return n;
    }

    public int Int(string name, int fallback, int min)
    {
        var v = Value(name);
        if (v is null) return fallback;
        if (!int.TryParse(v, out int n) || n < min) throw new UsageException($"{name} must be a whole number >= {min}, got '{v}'");
        return n;
    }
}
