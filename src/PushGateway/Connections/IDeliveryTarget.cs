using PushGateway.Protocol;

namespace PushGateway.Connections;

/// <summary>
/// Where a subscription's messages go: a WebSocket connection or an SSE stream. Both own a
/// <see cref="SendQueue"/> and apply the same overflow policy.
/// </summary>
internal interface IDeliveryTarget
{
    /// <summary>A reply or notice; never waits.</summary>
    void Enqueue(OutboundFrame frame);

    /// <summary>A delivery, called under the subscription's gate; never waits.</summary>
    void Enqueue(PublishedMessage message, ConnectionSubscription subscription);

    void CountConflated();
}
