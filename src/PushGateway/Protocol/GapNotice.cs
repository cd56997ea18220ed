using PushGateway.Topics;

namespace PushGateway.Protocol;

/// <summary>
/// {"type":"gap"}: messages of a topic were lost to this client and could not be recovered. The client
/// reloads (or resubscribes with a snapshot); a gap is never silent.
/// </summary>
public static class GapNotice
{
    public static ReplyFrame Create(string topic, TopicPattern key, string reason, long seq = 0, string? epoch = null) =>
        ReplyFrame.Build(w =>
        {
            w.WriteString("type"u8, "gap"u8);
            w.WriteString("topic"u8, topic);
            if (key.IsPattern) w.WriteString("pattern"u8, key.Text);
            w.WriteBoolean("recovered"u8, false);
            w.WriteString("reason"u8, reason);
            if (epoch is not null)
            {
                w.WriteNumber("seq"u8, seq);
                w.WriteString("epoch"u8, epoch);
            }
        });
}
