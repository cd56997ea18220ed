namespace PushGateway.Configuration;

/// <summary>Section "Redis". With no connection string the node runs alone on the in-process bus.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>StackExchange.Redis configuration string, e.g. "127.0.0.1:6379". Empty: in-process bus.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Prepended to every topic to form the Redis channel, so several deployments can share one Redis.</summary>
    public string ChannelPrefix { get; set; } = "";

    /// <summary>
    /// How often a node proves its subscriptions deliver, by publishing to its own control channel
    /// through Redis (docs/operations.md, "Redis liveness"). While unproven, the node is not ready.
    /// </summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a probe waits for Redis to answer and for the control message to come back.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long the client waits between attempts to reconnect to a Redis that is gone. Fixed rather
    /// than the client's default exponential back-off: Redis answering LOADING after a restart fails
    /// hundreds of attempts, which grows that back-off towards 10 s, so a node would return seconds
    /// after Redis did. One TCP connect per node per interval is cheap.
    /// </summary>
    public TimeSpan ReconnectInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// What reads the node's subscriptions: "socket", a connection of the gateway's own read on a
    /// thread of its own (about a fifth of the CPU per message, docs/benchmarks.md 2026-12-07), or
    /// "library", StackExchange.Redis's subscriber. "socket" needs one endpoint without TLS; with
    /// several endpoints or ssl=true the node uses "library" whatever this says.
    /// </summary>
    public string Subscriber { get; set; } = "socket";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString);

    public IEnumerable<string> Validate()
    {
        if (ProbeInterval <= TimeSpan.Zero) yield return "Redis:ProbeInterval must be positive";
        if (ProbeTimeout <= TimeSpan.Zero) yield return "Redis:ProbeTimeout must be positive";
        if (ReconnectInterval <= TimeSpan.Zero || ReconnectInterval > TimeSpan.FromMinutes(1)) yield return "Redis:ReconnectInterval must be positive and at most 1 minute";
        if (Subscriber is not ("socket" or "library")) yield return $"Redis:Subscriber must be \"socket\" or \"library\", not \"{Subscriber}\"";
    }
}
