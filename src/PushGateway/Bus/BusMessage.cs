namespace PushGateway.Bus;

/// <summary>
/// One message as the bus hands it to the node: once per subscription key it matched.
/// <paramref name="Key"/> is the topic or pattern the node subscribed with, so the router
/// never has to re-match a message against every pattern it holds. <paramref name="Seq"/> is 0
/// for a plain PUBLISH, which has no place in any history.
/// </summary>
public readonly record struct BusMessage(
    string Topic,
    string Key,
    ReadOnlyMemory<byte> Payload,
    long ReceivedTimestamp,
    long Seq = 0,
    string? Epoch = null,
    long PublishedAtMs = 0);
