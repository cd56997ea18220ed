namespace PushGateway.Protocol;

/// <summary>The error codes of protocol v1, each documented in docs/protocol.md.</summary>
public static class ErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string InvalidMessagePack = "invalid_msgpack";
    public const string InvalidCommand = "invalid_command";
    public const string MissingType = "missing_type";
    public const string UnknownType = "unknown_type";
    public const string MissingTopic = "missing_topic";
    public const string InvalidTopic = "invalid_topic";
    public const string AlreadySubscribed = "already_subscribed";
    public const string NotSubscribed = "not_subscribed";
    public const string TooManySubscriptions = "too_many_subscriptions";
    public const string Forbidden = "forbidden";
    public const string InvalidToken = "invalid_token";
    public const string RateLimited = "rate_limited";
    public const string UnsupportedFrame = "unsupported_frame";
    public const string InternalError = "internal_error";
}
