namespace PushGateway.Configuration;

/// <summary>Section "Gateway": per-connection limits and timings. Every default is documented in docs/operations.md.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Bytes that may wait in one connection's outgoing queue before it is closed as a slow consumer.</summary>
    public int SendQueueBytes { get; set; } = 1024 * 1024;

    /// <summary>Upper bound of one coalesced server frame; one larger message still goes out alone.</summary>
    public int MaxFrameBytes { get; set; } = 64 * 1024;

    /// <summary>Largest client message accepted; a larger one closes the connection with 1009.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    public int MaxSubscriptionsPerConnection { get; set; } = 1000;

    /// <summary>How often the server pings; a peer that does not answer within <see cref="KeepAliveTimeout"/> is dropped.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a closing handshake may take before the socket is aborted (a stalled peer never answers).</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Messages that may wait between the bus and the fan-out, per dispatch shard.</summary>
    public int DispatchQueueCapacity { get; set; } = 100_000;

    /// <summary>Fan-out workers; messages of one topic always go through the same one, so order holds per topic. 0: one per core.</summary>
    public int DispatchShards { get; set; }

    public IEnumerable<string> Validate()
    {
        if (SendQueueBytes < 1024) yield return "Gateway:SendQueueBytes must be at least 1024";
        if (MaxFrameBytes < 1024) yield return "Gateway:MaxFrameBytes must be at least 1024";
        if (MaxMessageBytes is < 256 or > 16 * 1024 * 1024) yield return "Gateway:MaxMessageBytes must be between 256 and 16777216";
        if (MaxSubscriptionsPerConnection < 1) yield return "Gateway:MaxSubscriptionsPerConnection must be at least 1";
        if (KeepAliveInterval < TimeSpan.Zero) yield return "Gateway:KeepAliveInterval must not be negative";
        if (KeepAliveTimeout < TimeSpan.Zero) yield return "Gateway:KeepAliveTimeout must not be negative";
        if (CloseTimeout <= TimeSpan.Zero) yield return "Gateway:CloseTimeout must be positive";
        if (DispatchQueueCapacity < 1) yield return "Gateway:DispatchQueueCapacity must be at least 1";
        if (DispatchShards < 0) yield return "Gateway:DispatchShards must not be negative";
    }
}
