using PushGateway.Topics;

namespace PushGateway.Bus;

/// <summary>
/// The bounded per-topic history that sequenced publishes leave behind: the source of snapshots,
/// of resume after a reconnect, and of a node's own gap repair.
/// </summary>
public interface IMessageHistory
{
    /// <summary>The entries after <paramref name="afterSeq"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<HistoryRead> ReadAfterAsync(string topic, long afterSeq, int limit, CancellationToken cancellationToken);

    /// <summary>The latest entry of the topic, with the topic's epoch; an empty read when the topic has no history.</summary>
    Task<HistoryRead> LatestAsync(string topic, CancellationToken cancellationToken);

    /// <summary>Topics with history that match the pattern (for pattern snapshots).</summary>
    Task<IReadOnlyList<string>> TopicsAsync(TopicPattern pattern, CancellationToken cancellationToken);
}

public sealed record HistoryEntry(long Seq, long PublishedAtMs, ReadOnlyMemory<byte> Payload);

/// <summary>A read of one topic's history: its epoch (null when it has none), its last sequence, and the entries asked for.</summary>
public sealed record HistoryRead(string? Epoch, long LastSeq, IReadOnlyList<HistoryEntry> Entries)
{
    public static readonly HistoryRead None = new(null, 0, []);
}
