using System.Collections.Concurrent;
using PushGateway.Bus;

namespace PushGateway.Topics;

/// <summary>
/// The last sequence a node routed per (key, topic), so it notices its own gaps (a jump on the live
/// stream) and duplicates. Each topic is only touched by the one fan-out worker its hash picks.
/// </summary>
internal sealed class TopicCursors
{
    private readonly ConcurrentDictionary<(string Key, string Topic), Cursor> cursors = new();

    public enum Verdict { InOrder, Duplicate, Gap, NewEpoch }

    /// <summary>Records that a message arrived; true when the topic had been reported stale (it is fresh again).</summary>
    public bool Touch(string key, string topic, long timestamp)
    {
        var cursor = cursors.GetOrAdd((key, topic), static _ => new Cursor());
        Volatile.Write(ref cursor.LastSeen, timestamp);
        return Interlocked.Exchange(ref cursor.Stale, 0) == 1;
    }

    /// <summary>Topics silent since before <paramref name="silentSince"/> that were not reported yet; each is marked reported.</summary>
    public IEnumerable<(string Key, string Topic, long LastSeen)> TakeNewlyStale(Func<string, long?> staleAfterTicks, long now)
    {
        foreach (var (id, cursor) in cursors)
        {
            var lastSeen = Volatile.Read(ref cursor.LastSeen);
            if (lastSeen == 0 || Volatile.Read(ref cursor.Stale) == 1) continue;
            if (staleAfterTicks(id.Topic) is not { } after || now - lastSeen < after) continue;
            if (Interlocked.CompareExchange(ref cursor.Stale, 1, 0) == 0) yield return (id.Key, id.Topic, lastSeen);
        }
    }

    public Verdict Advance(in BusMessage message, out long missedFrom)
    {
        missedFrom = 0;
        var cursor = cursors.GetOrAdd((message.Key, message.Topic), static _ => new Cursor());
        if (cursor.Epoch is null)
        {
            cursor.Epoch = message.Epoch;
            cursor.Seq = message.Seq;
            return Verdict.InOrder;
        }
        if (cursor.Epoch != message.Epoch)
        {
            cursor.Epoch = message.Epoch;
            cursor.Seq = message.Seq;
            return Verdict.NewEpoch;
        }
        if (message.Seq <= cursor.Seq) return Verdict.Duplicate;
        var verdict = message.Seq == cursor.Seq + 1 ? Verdict.InOrder : Verdict.Gap;
        missedFrom = cursor.Seq + 1;
        cursor.Seq = message.Seq;
        return verdict;
    }

    /// <summary>Where the node stands on every topic it has routed: after a bus reconnect, each is checked against history.</summary>
    public IEnumerable<(string Key, string Topic, long Seq, string Epoch)> Snapshot() =>
        cursors.Where(c => c.Value.Epoch is not null).Select(c => (c.Key.Key, c.Key.Topic, c.Value.Seq, c.Value.Epoch!));

    public void Forget(string key)
    {
        foreach (var entry in cursors.Keys)
        {
            if (entry.Key == key) cursors.TryRemove(entry, out _);
        }
    }

    private sealed class Cursor
    {
        public string? Epoch;
        public long Seq;
        public long LastSeen;
        public int Stale;
    }
}
