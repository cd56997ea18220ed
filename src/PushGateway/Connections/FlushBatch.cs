using PushGateway.Connections.Uring;

namespace PushGateway.Connections;

/// <summary>
/// Something that writes what its queue holds when asked: a connection's direct socket sender. It must
/// not throw (it ends its own connection on a socket error): it is also called from thread-pool work items.
/// </summary>
internal interface IDeferredFlush
{
    /// <summary>True when it can stage its writes in a <see cref="SendRing"/> (Gateway:IoUringSends): only then is a ring rented for its batch.</summary>
    bool StagesSends { get; }

    /// <summary>Writes, or with a <paramref name="ring"/> may stage its next frame there and write the rest once told how it went.</summary>
    void Flush(SendRing? ring);
}

/// <summary>
/// "Smart batching" for the fan-out: while a worker routes a run of messages, connections that became
/// ready are only noted, and each is flushed once when the run ends, so messages that arrived together
/// leave together, in one frame and one write per connection. Where io_uring is allowed, the writes of a
/// batch go to the kernel together too, through one <see cref="SendRing"/> submission. The scope is per
/// thread and must be left before any await that does not complete synchronously.
/// </summary>
internal static class FlushBatch
{
    /// <summary>
    /// From this many connections the writes are shared with other cores: one message to 10,000
    /// subscribers is 10,000 sends, about 170 ms on one core here (docs/benchmarks.md, S4).
    /// </summary>
    internal const int ShareFrom = 1024;

    [ThreadStatic] private static List<IDeferredFlush>? pending;
    [ThreadStatic] private static int depth;

    // A shared batch's list, back from its helpers: at 10,000 subscribers a list grown anew per message is
    // 256 KiB of garbage, half of it on the large-object heap, which brought gen2 collections (S4).
    private static List<IDeferredFlush>? spare;

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
        if (list.Count >= ShareFrom && Environment.ProcessorCount > 1)
        {
            // The helpers hold this list now; the next batch takes the one a finished shared batch gave back.
            pending = Interlocked.Exchange(ref spare, null);
            new SharedFlush(list).Run();
            return;
        }
        // A flush never enqueues, so the list does not grow while it is walked; indexes survive a re-entrant add anyway.
        FlushRange(list, 0, list.Count);
        list.Clear();
        if (list.Capacity > 4096) pending = null;
    }

    private static void FlushRange(List<IDeferredFlush> targets, int start, int end)
    {
        // One connection gains nothing from a ring: its write is one syscall either way. A batch's connections are one node's.
        var ring = end - start > 1 && targets[start].StagesSends ? SendRings.Rent() : null;
        if (ring is null)
        {
            for (var i = start; i < end; i++) FlushOne(targets[i], null);
            return;
        }
        try
        {
            for (var i = start; i < end; i++)
            {
                if (ring.NearlyFull) ring.Submit();
                FlushOne(targets[i], ring);
            }
            ring.Submit();
        }
        finally
        {
            SendRings.Return(ring);
        }
    }

    private static void FlushOne(IDeferredFlush target, SendRing? ring)
    {
        try
        {
            target.Flush(ring);
        }
        catch (Exception)
        {
            // Only a broken IDeferredFlush gets here (the socket transport logs and ends its own connection):
            // on a helper, letting it through would end the process, and anywhere it would strand the rest of
            // the batch with their flushes marked scheduled.
        }
    }

    /// <summary>
    /// One large batch, flushed in chunks by the thread that made it and by up to one helper per other core.
    /// Each connection is still flushed exactly once; the caller does not wait for the helpers, as
    /// a connection that gets more meanwhile is already marked scheduled and its flush takes it all.
    /// </summary>
    private sealed class SharedFlush(List<IDeferredFlush> targets) : IThreadPoolWorkItem
    {
        private const int Chunk = 256;
        private int next;
        private int draining;

        public void Run()
        {
            var helpers = Math.Min(Environment.ProcessorCount - 1, (targets.Count - 1) / Chunk);
            draining = helpers + 1;
            for (var i = 0; i < helpers; i++) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            Drain();
        }

        void IThreadPoolWorkItem.Execute() => Drain();

        private void Drain()
        {
            int start;
            while ((start = Interlocked.Add(ref next, Chunk) - Chunk) < targets.Count)
            {
                FlushRange(targets, start, Math.Min(start + Chunk, targets.Count));
            }
            // The last one out gives the list back; a helper that starts after the work is gone still counts.
            if (Interlocked.Decrement(ref draining) > 0) return;
            targets.Clear();
            Volatile.Write(ref spare, targets);
        }
    }
}
