using PushGateway.Connections;
using PushGateway.Protocol;

namespace PushGateway.Topics;

/// <summary>
/// The subscribers of one key that asked for the same maxRate. The node throttles each topic once for
/// all of them, so a dashboard fleet asking 4 updates/s of 200 pairs costs 200 throttles, not one per
/// dashboard and pair. Members change under the set's gate (<see cref="SubscriberList{T}"/>); throttles run under this lock.
/// </summary>
internal sealed class RateGroup(double rate, TimeProvider time, Action<string, Exception> onDeliverFailed) : IDisposable
{
    private readonly object gate = new();
    private readonly Dictionary<string, TopicThrottle> throttles = new(StringComparer.Ordinal);
    private readonly DeliveryOptions options = new(rate, null);
    private readonly SubscriberList<ITopicSubscriber> members = new();

    public double Rate { get; } = rate;

    public int Count => members.Count;

    /// <summary>Under the set's gate. False when already a member.</summary>
    public bool Add(ITopicSubscriber subscriber) => members.Add(subscriber);

    /// <summary>Under the set's gate. False when not a member.</summary>
    public bool Remove(ITopicSubscriber subscriber) => members.Remove(subscriber);

    public void ForEachMember(Action<ITopicSubscriber> action)
    {
        foreach (var member in members.Items)
        {
            if (member is not null) action(member);
        }
    }

    public void Offer(PublishedMessage message)
    {
        lock (gate)
        {
            if (!throttles.TryGetValue(message.Topic, out var throttle))
            {
                throttle = new TopicThrottle(gate, Send, CountConflated, options, time);
                throttles.Add(message.Topic, throttle);
            }
            throttle.Offer(message);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var throttle in throttles.Values) throttle.Dispose();
            throttles.Clear();
        }
    }

    private void Send(PublishedMessage message)
    {
        foreach (var member in members.Items)
        {
            if (member is null) continue;
            try
            {
                member.Deliver(message);
            }
            catch (Exception ex)
            {
                onDeliverFailed(message.Topic, ex);
            }
        }
    }

    private void CountConflated()
    {
        foreach (var member in members.Items)
        {
            if (member is ConnectionSubscription subscription) subscription.CountConflated();
        }
    }
}
