using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Connections;

/// <summary>One topic or pattern a connection subscribed to: the router's handle into that connection's queue.</summary>
internal sealed class ConnectionSubscription(ClientConnection connection, TopicPattern key) : ITopicSubscriber
{
    public TopicPattern Key { get; } = key;

    public void Deliver(PublishedMessage message) => connection.Enqueue(message);
}
