using System.Diagnostics;
using PushGateway.Bus;
using PushGateway.Configuration;
using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Connections;

/// <summary>
/// Reads what a subscribe asked for from history: the latest value (snapshot) and the messages
/// missed since a position (resume). Resume is all or nothing per topic: exactly the missed
/// messages, or a gap notice when they are gone — never a silent partial replay.
/// </summary>
internal static class SubscriptionRecovery
{
    public sealed record Result(List<OutboundFrame> Frames, Dictionary<string, long> RecoveredUpTo);

    public static async Task<Result> RunAsync(IMessageHistory history, HistoryOptions options, TopicPattern key, ClientCommand command, CancellationToken cancellationToken)
    {
        var result = new Result([], new Dictionary<string, long>(StringComparer.Ordinal));
        var positions = new Dictionary<string, StreamPosition>(StringComparer.Ordinal);
        if (command.Since is not null && !key.IsPattern) positions[key.Text] = command.Since;
        foreach (var (topic, position) in command.Positions ?? new Dictionary<string, StreamPosition>())
        {
            if (TopicName.IsValidTopic(topic) && key.Matches(topic)) positions[topic] = position;
        }
        foreach (var (topic, position) in positions)
        {
            var resumed = await ResumeAsync(history, options, key, topic, position, result, cancellationToken).ConfigureAwait(false);
            if (!resumed && command.Snapshot) await SnapshotAsync(history, key, topic, result, cancellationToken).ConfigureAwait(false);
        }
        if (command.Snapshot)
        {
            var topics = key.IsPattern ? await history.TopicsAsync(key, cancellationToken).ConfigureAwait(false) : [key.Text];
            foreach (var topic in topics)
            {
                if (!positions.ContainsKey(topic)) await SnapshotAsync(history, key, topic, result, cancellationToken).ConfigureAwait(false);
            }
        }
        return result;
    }

    private static async Task<bool> ResumeAsync(IMessageHistory history, HistoryOptions options, TopicPattern key, string topic,
        StreamPosition since, Result result, CancellationToken cancellationToken)
    {
        var read = await history.ReadAfterAsync(topic, since.Seq, options.MaxRecover + 1, cancellationToken).ConfigureAwait(false);
        string? reason = null;
        if (read.Epoch is null) reason = "history_gone";
        else if (read.Epoch != since.Epoch) reason = "epoch_changed";
        else if (since.Seq > read.LastSeq) reason = "invalid_position";
        else if (read.LastSeq - since.Seq > options.MaxRecover) reason = "too_far_behind";
        else if (read.LastSeq > since.Seq && (read.Entries.Count == 0 || read.Entries[0].Seq != since.Seq + 1)) reason = "history_trimmed";
        if (reason is not null)
        {
            result.Frames.Add(GapNotice.Create(topic, key, reason, read.LastSeq, read.Epoch));
            return false;
        }
        var upTo = since.Seq;
        foreach (var entry in read.Entries)
        {
            result.Frames.Add(Message(key, topic, entry, read.Epoch!));
            upTo = entry.Seq;
        }
        result.RecoveredUpTo[topic] = Math.Max(upTo, read.LastSeq);
        return true;
    }

    private static async Task SnapshotAsync(IMessageHistory history, TopicPattern key, string topic, Result result, CancellationToken cancellationToken)
    {
        var read = await history.LatestAsync(topic, cancellationToken).ConfigureAwait(false);
        if (read.Epoch is null || read.Entries.Count == 0) return;
        var latest = read.Entries[^1];
        result.Frames.Add(Message(key, topic, latest, read.Epoch));
        result.RecoveredUpTo[topic] = latest.Seq;
    }

    private static PublishedMessage Message(TopicPattern key, string topic, HistoryEntry entry, string epoch) =>
        PublishedMessage.Create(topic, key.IsPattern ? key.Text : null, entry.Payload.Span, Stopwatch.GetTimestamp(), entry.Seq, epoch, entry.PublishedAtMs);
}
