using PushGateway.Protocol;
using PushGateway.Security;
using PushGateway.Topics;

namespace PushGateway.Connections;

/// <summary>The security side of a connection: the command budget, credential expiry and refresh, and client publishing.</summary>
internal sealed partial class ClientConnection
{
    /// <summary>This connection's budgets and expiry timer; the endpoint creates it with the connection.</summary>
    public required ConnectionGuard Guard { get; init; }

    /// <summary>
    /// Charges one client message to the command budget before it is even parsed, so malformed floods
    /// cost the same as well-formed ones. Over budget the message is refused with `rate_limited`;
    /// a client that goes on regardless is closed with 4004.
    /// </summary>
    private bool AdmitMessage(ReadOnlySpan<byte> message)
    {
        switch (Guard.AdmitCommand())
        {
            case BucketVerdict.Admitted:
                return true;
            case BucketVerdict.Refused:
                Reply(ReplyFrame.Error(new ProtocolError(ErrorCodes.RateLimited, "too many commands; slow down", IdOf(message))));
                return false;
            default:
                Close(CloseReason.RateLimited, flush: true);
                return false;
        }
    }

    /// <summary>The message's id, parsed only so the client can tell which command was refused.</summary>
    private byte[]? IdOf(ReadOnlySpan<byte> message)
    {
        if (Format == WireFormat.MessagePack)
        {
            if (!WireTranscoder.TryMessagePackToJson(message, out var json, out _)) return null;
            message = json;
        }
        CommandParser.TryParse(message, out var command, out var error);
        return command?.RawId ?? error?.RawId;
    }

    /// <summary>Arms the expiry timer for the current credentials: when they expire the connection is closed with 4003.</summary>
    private void WatchCredentials() =>
        Guard.WatchExpiry(Principal.ExpiresAt, () => Close(CloseReason.TokenExpired, flush: true));

    /// <summary>
    /// `refresh`: new credentials for the same subject, before the current ones expire. Refused with
    /// an error frame (the old credentials stay in force) when the token is bad or does not cover a
    /// subscription the connection holds; a token for another subject closes the connection with 4101.
    /// </summary>
    private async Task<ReplyFrame?> RefreshAsync(ClientCommand command)
    {
        if (string.IsNullOrEmpty(command.Token)) return Error(command, ErrorCodes.InvalidToken, "'refresh' needs a 'token'");
        if (!Principal.IsAuthenticated)
            return Error(command, ErrorCodes.InvalidCommand, "this connection has no token to refresh; reconnect with one");
        var result = await Guard.Security.Tokens.AuthenticateAsync(command.Token).ConfigureAwait(false);
        if (result.Principal is null) return Error(command, ErrorCodes.InvalidToken, result.Describe());
        if (!string.Equals(result.Principal.Subject, Principal.Subject, StringComparison.Ordinal))
        {
            Reply(Error(command, ErrorCodes.InvalidToken, "the token is for another subject"));
            Close(CloseReason.Unauthorized, flush: true);
            return null;
        }
        foreach (var subscription in subscriptions.Snapshot())
        {
            if (!result.Principal.CanSubscribe(subscription.Key))
                return Error(command, ErrorCodes.Forbidden, $"the new token does not cover the subscription '{subscription.Key.Text}'; unsubscribe from it first");
        }
        Principal = result.Principal;
        WatchCredentials();
        return ReplyFrame.Ack(command.RawId);
    }

    /// <summary>`publish`: a client publishing to a topic its credentials allow, through the same path as backends.</summary>
    private async Task<ReplyFrame?> PublishAsync(ClientCommand command)
    {
        var topic = command.Topic;
        if (topic is null) return Error(command, ErrorCodes.MissingTopic, "'publish' needs a 'topic'");
        if (TopicName.Validate(topic, allowWildcards: false) is { } why) return Error(command, ErrorCodes.InvalidTopic, why + " (publishing is to a concrete topic)");
        if (command.RawData is null) return Error(command, ErrorCodes.InvalidCommand, "'publish' needs 'data'");
        if (!Principal.CanPublish(topic)) return Error(command, ErrorCodes.Forbidden, $"not allowed to publish to '{topic}'");
        if (!Guard.TryAdmitPublish()) return Error(command, ErrorCodes.RateLimited, "too many publishes; slow down");
        try
        {
            await Guard.Security.Bus.PublishAsync(topic, command.RawData, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogPublishFailed(logger, Id, topic, ex);
            return Error(command, ErrorCodes.InternalError, "the message could not be published; retry later");
        }
        return ReplyFrame.Ack(command.RawId);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} could not publish to {Topic}")]
    private static partial void LogPublishFailed(ILogger logger, long connectionId, string topic, Exception exception);
}
