namespace MatteKit.Inference;

/// <summary>
/// The ONNX Runtime sessions built so far, most recently used first, at most <c>capacity</c> of them: building one
/// costs far more than a frame, so a clip that alternates sizes (a folder of mixed images) keeps its sessions, while
/// memory stays bounded.
/// </summary>
internal sealed class SessionCache<T> : IDisposable where T : class, IDisposable
{
    private readonly LinkedList<T> _sessions = new();
    private readonly int _capacity;

    public SessionCache(int capacity) => _capacity = Math.Max(1, capacity);

    /// <summary>Every cached session, most recently used first.</summary>
    public IEnumerable<T> All => _sessions;

    /// <summary>The most recently used session, or null.</summary>
    public T? MostRecent => _sessions.First?.Value;

    /// <summary>
    /// The first session that <paramref name="fits"/>, else a new one from <paramref name="create"/>; it becomes the
    /// most recent. <paramref name="prepare"/> sees it before any older session is evicted (and disposed), so it may
    /// still read the one it replaces.
    /// </summary>
    public T Get(Func<T, bool> fits, Func<T> create, Action<T>? prepare = null)
    {
        var node = _sessions.First;
        while (node is not null && !fits(node.Value)) node = node.Next;
        T session;
        if (node is not null)
        {
            session = node.Value;
            _sessions.Remove(node);
        }
        else
        {
            session = create();
        }
        prepare?.Invoke(session);
        _sessions.AddFirst(session);
        while (_sessions.Count > _capacity && _sessions.Last is { } oldest)
        {
            oldest.Value.Dispose();
            _sessions.RemoveLast();
        }
        return session;
    }

    public void Dispose()
    {
        foreach (var s in _sessions) s.Dispose();
        _sessions.Clear();
    }
}
