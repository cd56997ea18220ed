namespace PushGateway.Configuration;

/// <summary>Section "Redis". With no connection string the node runs alone on the in-process bus.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>StackExchange.Redis configuration string, e.g. "127.0.0.1:6379". Empty: in-process bus.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Prepended to every topic to form the Redis channel, so several deployments can share one Redis.</summary>
    public string ChannelPrefix { get; set; } = "";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString);
}
