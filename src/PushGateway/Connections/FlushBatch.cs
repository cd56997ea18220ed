namespace PushGateway.Connections;

/// <summary>Something that writes what its queue holds when asked: a connection's direct socket sender.</summary>
internal interface IDeferredFlush
{
    void Flush();
}

/// <summary>
/// "Smart batching" for the fan-out: while a worker routes a run of messages, connections that became
/// ready are only noted, and each is flushed once when the run ends, so messages that arrived together
/// leave together, in one frame and one write per connection. The scope is per thread and must be left
/// before any await that does not complete synchronously.
/// </summary>
internal static class FlushBatch
{
    [ThreadStatic] private static List<IDeferredFlush>? pending;
    [ThreadStatic] private static int depth;

    public static void Enter() => depth++;

    /// <summary>True when the flush was deferred to the end of this thread's batch.</summary>
    public static bool TryDefer(IDeferredFlush target)
    {
        if (depth == 0) return false;
        (pending ??= new List<IDeferredFlush>()).Add(target);
        return true;
    }

    /// <summary>Leaves the scope; the outermost exit flushes every connection noted in it.</summary>
    public static void Exit()
    {
        if (--depth > 0) return;
        var list = pending;
        if (list is null || list.Count == 0) return;
        // A flush never enqueues, so the list does not grow while it is walked; indexes survive a re-entrant add anyway.
        for (var i = 0; i < list.Count; i++) list[i].Flush();
        list.Clear();
        if (list.Capacity > 4096) pending = null;
    }
}
