using PushGateway.Protocol;

namespace PushGateway.Topics;

/// <summary>What the router delivers to: one subscription of one connection.</summary>
public interface ITopicSubscriber
{
    /// <summary>The topic or pattern subscribed to.</summary>
    TopicPattern Key { get; }

    /// <summary>A maxRate the router applies for this subscriber, shared with every subscriber of the key asking the same; null: none.</summary>
    double? SharedRate { get; }

    /// <summary>Must not wait for the client: it only queues, and the connection's send loop does the rest.</summary>
    void Deliver(PublishedMessage message);

    /// <summary>A notice about the subscription (a gap the node could not repair); queued like a reply.</summary>
    void Notify(OutboundFrame notice);
}
