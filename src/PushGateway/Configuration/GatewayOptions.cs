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

    /// <summary>Open connections per node; a handshake beyond it is answered HTTP 503 (docs/security.md).</summary>
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>Time from TCP accept to the end of the upgrade request's headers (Kestrel's RequestHeadersTimeout and KeepAliveTimeout).</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Serve plain-HTTP/1.1 WebSocket upgrades on the raw socket with the gateway's own framing (less memory
    /// and CPU per connection, docs/benchmarks.md). Off: every connection uses ASP.NET Core's WebSocket.
    /// TLS and HTTP/2 connections always do.
    /// </summary>
    public bool DirectWebSockets { get; set; } = true;

    /// <summary>
    /// Direct WebSockets only: a fan-out batch hands its connections' writes to the kernel in one io_uring submission
    /// instead of one send() each (about half the kernel CPU per delivery, docs/benchmarks.md). Where io_uring is
    /// not allowed (Linux before 5.6, Docker's and Kubernetes' default seccomp profiles) the node logs why and sends one by one.
    /// </summary>
    public bool IoUringSends { get; set; } = true;

    /// <summary>Sustained client messages per second per connection (0: no limit); see docs/security.md for what happens above it.</summary>
    public double CommandsPerSecond { get; set; } = 50;

    /// <summary>Client messages a connection may send at once (a reconnect re-subscribing everything); also how many it may have refused before it is closed with 4004.</summary>
    public int CommandBurst { get; set; } = 1000;

    /// <summary>How often the server pings; a peer that does not answer within <see cref="KeepAliveTimeout"/> is dropped.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a client may stay over its queue budget (losing messages, with gap notices) before it is closed as a slow consumer; zero closes at the first overflow.</summary>
    public TimeSpan SlowConsumerTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Topics whose newest value supersedes older ones (prices, readings): a slow client gets the latest value instead of a backlog.</summary>
    /// <remarks>
    /// Null until configured: the configuration binder appends to an array it finds filled, so a default
    /// here could never be replaced, only extended. <see cref="EffectiveConflatablePatterns"/> supplies it.
    /// </remarks>
    public string[]? ConflatablePatterns { get; set; }

    public static readonly string[] DefaultConflatablePatterns = ["fx.>", "smog.>"];

    public string[] EffectiveConflatablePatterns => ConflatablePatterns ?? DefaultConflatablePatterns;

    /// <summary>How long a closing handshake may take before the socket is aborted (a stalled peer never answers).</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// On SIGTERM, how long the node takes to send its clients away (close 4001 "draining"), spread
    /// with jitter over this period so the rest of the fleet is not hit by a reconnect storm; zero
    /// closes them all at once. The host's shutdown timeout is raised to cover it.
    /// </summary>
    public TimeSpan DrainGracePeriod { get; set; } = TimeSpan.FromSeconds(20);

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
        if (MaxConnections < 1) yield return "Gateway:MaxConnections must be at least 1";
        if (HandshakeTimeout < TimeSpan.FromSeconds(1) || HandshakeTimeout > TimeSpan.FromMinutes(5)) yield return "Gateway:HandshakeTimeout must be between 00:00:01 and 00:05:00";
        if (CommandsPerSecond < 0 || !double.IsFinite(CommandsPerSecond)) yield return "Gateway:CommandsPerSecond must be a non-negative number";
        if (CommandBurst < 1) yield return "Gateway:CommandBurst must be at least 1";
        if (KeepAliveInterval < TimeSpan.Zero) yield return "Gateway:KeepAliveInterval must not be negative";
        if (KeepAliveTimeout < TimeSpan.Zero) yield return "Gateway:KeepAliveTimeout must not be negative";
        if (SlowConsumerTimeout < TimeSpan.Zero) yield return "Gateway:SlowConsumerTimeout must not be negative";
        foreach (var pattern in EffectiveConflatablePatterns)
        {
            if (PushGateway.Topics.TopicName.Validate(pattern, allowWildcards: true) is { } why)
                yield return $"Gateway:ConflatablePatterns: '{pattern}': {why}";
        }
        if (CloseTimeout <= TimeSpan.Zero) yield return "Gateway:CloseTimeout must be positive";
        if (DrainGracePeriod < TimeSpan.Zero || DrainGracePeriod > TimeSpan.FromHours(1))
            yield return "Gateway:DrainGracePeriod must be between 00:00:00 and 01:00:00";
        if (DispatchQueueCapacity < 1) yield return "Gateway:DispatchQueueCapacity must be at least 1";
        if (DispatchShards < 0) yield return "Gateway:DispatchShards must not be negative";
    }
}
