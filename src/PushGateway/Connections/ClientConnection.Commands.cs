using PushGateway.Observability;
using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Connections;

/// <summary>The commands of protocol v1, carried out one at a time in the order the client sent them.</summary>
internal sealed partial class ClientConnection
{
    private async Task HandleFrameAsync(ReadOnlyMemory<byte> frame)
    {
        if (Format == WireFormat.MessagePack)
        {
            if (!WireTranscoder.TryMessagePackToJson(frame.Span, out var json, out var why))
            {
                Reply(ReplyFrame.Error(new ProtocolError(ErrorCodes.InvalidMessagePack, $"malformed MessagePack: {why}")));
                return;
            }
            frame = json;
        }
        if (!CommandParser.TryParse(frame.Span, out var command, out var error))
        {
            Reply(ReplyFrame.Error(error!));
            return;
        }
        var reply = command!.Type switch
        {
            CommandTypes.Subscribe => await SubscribeAsync(command).ConfigureAwait(false),
            CommandTypes.Unsubscribe => await UnsubscribeAsync(command).ConfigureAwait(false),
            CommandTypes.Ping => ReplyFrame.Pong(command.RawId),
            CommandTypes.Publish => await PublishAsync(command).ConfigureAwait(false),
            CommandTypes.Refresh => await RefreshAsync(command).ConfigureAwait(false),
            _ => Error(command, ErrorCodes.UnknownType, $"unknown command type '{Truncate(command.Type)}'"),
        };
        if (reply is not null) Reply(reply);
    }

    private async Task<ReplyFrame?> SubscribeAsync(ClientCommand command)
    {
        using var span = GatewayTelemetry.StartSubscribe(Id, command.Topic);
        using var topicScope = logger.BeginTopicScope(command.Topic);
        if (!TryGetPattern(command, out var pattern, out var invalid)) return invalid!;
        if (!Principal.CanSubscribe(pattern!))
            return Error(command, ErrorCodes.Forbidden, $"not allowed to subscribe to '{pattern!.Text}'");
        if (subscriptions.ContainsKey(pattern!.Text))
            return Error(command, ErrorCodes.AlreadySubscribed, $"already subscribed to '{pattern.Text}'");
        if (subscriptions.Count >= options.MaxSubscriptionsPerConnection)
            return Error(command, ErrorCodes.TooManySubscriptions, $"at most {options.MaxSubscriptionsPerConnection} subscriptions per connection");
        if (command.Since is not null && pattern.IsPattern)
            return Error(command, ErrorCodes.InvalidCommand, "'since' is for a topic; resume a pattern with 'positions'");
        var subscription = new ConnectionSubscription(this, pattern, new DeliveryOptions(command.MaxRate, command.Deadband), services.Time);
        var recover = command.Snapshot || command.Since is not null || command.Positions is { Count: > 0 };
        // Live messages are held back from the moment the subscription exists until history has been read,
        // so nothing falls between the two and nothing is delivered twice.
        if (recover) subscription.BeginRecovery();
        try
        {
            await router.SubscribeAsync(subscription, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogSubscribeFailed(logger, Id, pattern.Text, ex);
            return Error(command, ErrorCodes.InternalError, "the subscription could not be made; retry later");
        }
        subscriptions.Add(subscription);
        if (!recover) return ReplyFrame.Ack(command.RawId);
        Reply(ReplyFrame.Ack(command.RawId));
        SubscriptionRecovery.Result recovered;
        try
        {
            recovered = await SubscriptionRecovery.RunAsync(services.History, services.HistoryOptions, pattern, command, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogRecoveryFailed(logger, Id, pattern.Text, ex);
            recovered = new SubscriptionRecovery.Result([GapNotice.Create(pattern.Text, pattern, "history_unavailable")], []);
        }
        subscription.EndRecovery(recovered.Frames, recovered.RecoveredUpTo);
        return null;
    }

    private async Task<ReplyFrame> UnsubscribeAsync(ClientCommand command)
    {
        if (!TryGetPattern(command, out var pattern, out var invalid)) return invalid!;
        if (!subscriptions.Remove(pattern!.Text, out var subscription))
            return Error(command, ErrorCodes.NotSubscribed, $"not subscribed to '{pattern.Text}'");
        await router.UnsubscribeAsync(subscription).ConfigureAwait(false);
        subscription.Dispose();
        return ReplyFrame.Ack(command.RawId);
    }

    private static bool TryGetPattern(ClientCommand command, out TopicPattern? pattern, out ReplyFrame? error)
    {
        pattern = null;
        error = null;
        if (command.Topic is null)
        {
            error = Error(command, ErrorCodes.MissingTopic, $"'{command.Type}' needs a 'topic'");
            return false;
        }
        if (!TopicPattern.TryParse(command.Topic, out pattern, out var why))
        {
            error = Error(command, ErrorCodes.InvalidTopic, why!);
            return false;
        }
        return true;
    }

    private static ReplyFrame Error(ClientCommand command, string code, string message) =>
        ReplyFrame.Error(new ProtocolError(code, message, command.RawId));

    private static string Truncate(string text) => text.Length <= 32 ? text : text[..32] + "...";

    private void Reply(ReplyFrame frame) => Enqueue(frame);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} could not read history for {Topic}")]
    private static partial void LogRecoveryFailed(ILogger logger, long connectionId, string topic, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} could not subscribe to {Topic}")]
    private static partial void LogSubscribeFailed(ILogger logger, long connectionId, string topic, Exception exception);
}
