using System.Reflection;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.PublicApi;

/// <summary>
/// The library's public surface (every public type and its public and protected members) against the list in
/// <c>PublicApi.txt</c>, so that a change to it is made on purpose: a failure prints the difference and where to put
/// the new list.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly string Approved = Path.Combine(SharedData.RepoRoot, "tests", "MatteKit.PublicApi.Tests", "PublicApi.txt");
    private readonly ITestOutputHelper _log;

    public PublicApiTests(ITestOutputHelper log) => _log = log;

    [Fact]
    public void PublicSurfaceIsTheApprovedOne()
    {
        var current = Surface(typeof(MatteKit.VideoMatter).Assembly);
        var approved = File.Exists(Approved) ? File.ReadAllLines(Approved).Where(l => l.Length > 0).ToList() : new List<string>();
        var added = current.Except(approved).ToList();
        var removed = approved.Except(current).ToList();
        _log.WriteLine($"{current.Count(l => !l.StartsWith(' '))} public types, {current.Count(l => l.StartsWith(' '))} members");
        foreach (var l in added) _log.WriteLine($"+ {l}");
        foreach (var l in removed) _log.WriteLine($"- {l}");
        if (added.Count + removed.Count > 0)
        {
            var proposed = Path.Combine(Path.GetTempPath(), "PublicApi.txt");
            File.WriteAllLines(proposed, current);
            _log.WriteLine($"the current surface is in {proposed}; copy it over {Approved} if the change is meant");
        }
        Assert.True(added.Count + removed.Count == 0, $"public API changed: {added.Count} added, {removed.Count} removed (see the log)");
    }

    /// <summary>
    /// A .NET user finds the library's entry points (the matters, the converter, live, weights, metrics, their options,
    /// results and exceptions) in a few namespaces; everything else is internal. A new public type has to fit in.
    /// </summary>
    [Fact]
    public void PublicSurfaceStaysWithinItsBudget()
    {
        const int MaxTypes = 35, MaxNamespaces = 4;
        var types = typeof(MatteKit.VideoMatter).Assembly.GetExportedTypes();
        var namespaces = types.Select(t => t.Namespace).Distinct().Order(StringComparer.Ordinal).ToList();
        _log.WriteLine($"{types.Length} public types (at most {MaxTypes}) in {namespaces.Count} namespaces (at most {MaxNamespaces}):");
        foreach (var group in types.GroupBy(t => t.Namespace).OrderBy(g => g.Key, StringComparer.Ordinal))
            _log.WriteLine($"  {group.Key}: {string.Join(", ", group.Select(t => t.Name).Order(StringComparer.Ordinal))}");
        Assert.True(types.Length <= MaxTypes, $"{types.Length} public types, over the budget of {MaxTypes}: make the new one internal or retire one");
        Assert.True(namespaces.Count <= MaxNamespaces, $"public types in {namespaces.Count} namespaces, over the budget of {MaxNamespaces}");
    }

    private static List<string> Surface(Assembly assembly)
    {
        var lines = new List<string>();
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            lines.Add($"{Kind(type)} {type.FullName}");
            var members = type.GetMembers(flags | BindingFlags.NonPublic)
                .Where(m => m switch
                {
                    MethodBase mb => (mb.IsPublic || mb.IsFamily || mb.IsFamilyOrAssembly) && !mb.IsSpecialName
                                     || mb is ConstructorInfo && (mb.IsPublic || mb.IsFamily),
                    FieldInfo f => (f.IsPublic || f.IsFamily) && !f.IsSpecialName,
                    PropertyInfo p => p.GetAccessors(true).Any(a => a.IsPublic || a.IsFamily),
                    EventInfo e => e.AddMethod is { IsPublic: true },
                    _ => false,
                })
                .Where(m => !(type.IsEnum && m is FieldInfo { IsSpecialName: true }))
                .Select(m => "  " + m.ToString())
                .Distinct().Order(StringComparer.Ordinal);
            lines.AddRange(members);
        }
        return lines;
    }

    private static string Kind(Type t) => t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct" : t.IsAbstract && t.IsSealed ? "static class" : "class";
}
