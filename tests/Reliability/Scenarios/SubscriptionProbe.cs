using PushGateway.Reliability.Load;
using PushGateway.Reliability.Measure;
using PushGateway.Reliability.Processes;

namespace PushGateway.Reliability.Scenarios;

/// <summary>
/// Asks Redis itself whether the nodes' subscriptions are back (PUBSUB NUMSUB per topic, and CLIENT
/// LIST per node): the gateway's own view could be wrong, Redis' cannot. Polled, because Redis offers
/// nothing to wait on. While polling it also learns, per node, which messages that node cannot have
/// received live: those the publisher had confirmed before a poll that found the node with no
/// subscription at all. Whatever of those a client of that node receives came from history.
/// </summary>
internal sealed class SubscriptionProbe(RedisNode redis, IReadOnlyList<GatewayNode> nodes, CountingPublisher publisher)
{
    private readonly Dictionary<int, Dictionary<string, long>> missedByNode = [];

    /// <summary>Per node, per topic: the highest seq the node cannot have received live (starts at what was confirmed before the fault).</summary>
    public long MissedBy(int node, string topic) =>
        missedByNode.TryGetValue(node, out var topics) ? topics.GetValueOrDefault(topic) : 0;

    /// <summary>Seconds until NUMSUB equals <paramref name="expected"/> for every topic, or null (with the last mismatch) past <paramref name="bound"/>.</summary>
    public async Task<(double? Seconds, string Mismatch)> WaitLiveAsync(IReadOnlyDictionary<string, long> expected, IReadOnlyDictionary<string, long> ackedBeforeFault,
        TimeSpan bound, CancellationToken cancellationToken)
    {
        foreach (var node in nodes) missedByNode[node.Index] = new Dictionary<string, long>(ackedBeforeFault, StringComparer.Ordinal);
        var started = Clock.NowSeconds;
        var channels = expected.Keys.ToList();
        var mismatch = "never asked";
        while (true)
        {
            try
            {
                var acked = publisher.AckedSeqs();
                var byName = await redis.SubscriptionsByClientNameAsync(cancellationToken).ConfigureAwait(false);
                foreach (var node in nodes.Where(n => byName.GetValueOrDefault(n.RedisClientName) == 0))
                {
                    foreach (var (topic, seq) in acked) missedByNode[node.Index][topic] = Math.Max(seq, missedByNode[node.Index].GetValueOrDefault(topic));
                }
                var actual = await redis.NumSubAsync(channels, cancellationToken).ConfigureAwait(false);
                var wrong = channels.Where(c => actual.GetValueOrDefault(c) != expected[c]).ToList();
                if (wrong.Count == 0) return (Clock.NowSeconds - started, "");
                mismatch = $"{wrong.Count} of {channels.Count} topics short, e.g. {wrong[0]}: {actual.GetValueOrDefault(wrong[0])} of {expected[wrong[0]]}";
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                mismatch = "probe failed: " + ex.Message;
            }
            if (Clock.NowSeconds - started > bound.TotalSeconds) return (null, mismatch);
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }
}
