namespace PushGateway.Protocol;

/// <summary>The command names of protocol v1 (docs/protocol.md).</summary>
public static class CommandTypes
{
    public const string Subscribe = "subscribe";
    public const string Unsubscribe = "unsubscribe";
    public const string Ping = "ping";
    public const string Publish = "publish";
    public const string Refresh = "refresh";
}
