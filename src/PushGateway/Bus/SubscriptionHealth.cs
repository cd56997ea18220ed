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

    /// <summary>Moves on at every reported failure, so a probe that began before it cannot vouch for what came after.</summary>
    public int Generation { get; private set; }

    /// <summary>A connection failure reported by the client library: not live until a probe says so.</summary>
    /// <returns>True when this turned a live bus down.</returns>
    public bool MarkDown()
    {
        Generation++;
        var was = IsLive;
        IsLive = false;
        return was;
    }

    /// <summary>
    /// Records a probe that began at <paramref name="generation"/>; <paramref name="liveChanged"/> is true
    /// when liveness flipped either way.
    /// </summary>
    public Repair Record(ProbeResult result, int generation, out bool liveChanged)
    {
        // The connection failed while the probe was out: its answer may predate the failure.
        if (result == ProbeResult.Live && generation != Generation) result = ProbeResult.Unreachable;
        var was = IsLive;
        if (result != ProbeResult.Silent) silentStreak = 0;
        var repair = Repair.None;
        switch (result)
        {
            case ProbeResult.Live:
                IsLive = true;
                break;
            case ProbeResult.Lost:
                IsLive = false;
                repair = Repair.Resubscribe;
                break;
            case ProbeResult.Silent:
                // A busy node may see its echo late: liveness holds until the connection has been silent over
                // several probes in a row, and then it is replaced.
                if (++silentStreak >= silentProbesBeforeReconnect)
                {
                    silentStreak = 0;
                    IsLive = false;
                    repair = Repair.Reconnect;
                }
                break;
            default:
                IsLive = false;
                break;
        }
        liveChanged = was != IsLive;
        return repair;
    }
}
