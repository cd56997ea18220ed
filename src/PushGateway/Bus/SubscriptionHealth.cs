namespace PushGateway.Bus;

/// <summary>What one liveness probe of the Redis subscriptions found.</summary>
public enum ProbeResult
{
    /// <summary>The node's own control message went through Redis and came back on its subscription connection.</summary>
    Live,

    /// <summary>Redis answered the PUBLISH but nobody was subscribed: Redis has lost this node's subscriptions.</summary>
    Lost,

    /// <summary>Redis counted the node as a receiver, yet the message never arrived: the subscription connection is stuck.</summary>
    Silent,

    /// <summary>Redis did not answer (down, loading, paused): the client library reconnects by itself.</summary>
    Unreachable,
}

/// <summary>What the watchdog does after a probe.</summary>
public enum Repair
{
    None,

    /// <summary>Issue every SUBSCRIBE and PSUBSCRIBE again on the existing connection.</summary>
    Resubscribe,

    /// <summary>Open a new connection to Redis and move every subscription onto it.</summary>
    Reconnect,
}

/// <summary>
/// Decides, from probe results, whether the node's Redis subscriptions can be trusted. The client
/// library's "connection restored" is not enough: after a restart it resubscribes while Redis may still
/// be loading its data and answering LOADING, and those subscriptions are silently lost. So the node is
/// live only once a probe proved it, and it repairs what the probes show broken. Pure logic: the loop
/// that runs probes and repairs is <see cref="RedisBus"/>'s watchdog.
/// </summary>
public sealed class SubscriptionHealth(int silentProbesBeforeReconnect = 3)
{
    private int silentStreak;

    public bool IsLive { get; private set; }

    /// <summary>A connection failure reported by the client library: not live until a probe says so.</summary>
    /// <returns>True when this turned a live bus down.</returns>
    public bool MarkDown()
    {
        var was = IsLive;
        IsLive = false;
        return was;
    }

    /// <summary>Records a probe; <paramref name="liveChanged"/> is true when liveness flipped either way.</summary>
    public Repair Record(ProbeResult result, out bool liveChanged)
    {
        var was = IsLive;
        IsLive = result == ProbeResult.Live;
        liveChanged = was != IsLive;
        if (result != ProbeResult.Silent) silentStreak = 0;
        switch (result)
        {
            case ProbeResult.Lost:
                return Repair.Resubscribe;
            case ProbeResult.Silent:
                // A busy node may deliver late: only a connection silent over several probes in a row is replaced.
                if (++silentStreak < silentProbesBeforeReconnect) return Repair.None;
                silentStreak = 0;
                return Repair.Reconnect;
            default:
                return Repair.None;
        }
    }
}
