namespace PushGateway.Topics;

/// <summary>
/// The local subscribers of one key. Changes are serialised by <see cref="Gate"/> because they await
/// the bus; fan-out reads the lists without a lock (<see cref="SubscriberList{T}"/>). Subscribers with a
/// shared maxRate are held and reached by their <see cref="RateGroup"/>, the rest directly; each subscriber
/// is in exactly one list. The few groups are a copy-on-write array.
/// </summary>
internal sealed class SubscriberSet(string key, Func<double, RateGroup> createGroup)
{
    private readonly SubscriberList<ITopicSubscriber> direct = new();
    private volatile RateGroup[] groups = [];
    private int count;

    public string Key { get; } = key;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Everyone, direct or grouped; exact for the gate's holder, a recent value for fan-out.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>Those delivered to as messages arrive (skip the null slots).</summary>
    public ReadOnlySpan<ITopicSubscriber?> Direct => direct.Items;

    public int DirectCount => direct.Count;

    public RateGroup[] Groups => groups;

    public bool BusSubscribed { get; set; }

    /// <summary>Set once the set left the router's map; a subscriber that finds it so must retry with a fresh set.</summary>
    public bool Removed { get; set; }

    public void Add(ITopicSubscriber subscriber)
    {
        bool added;
        if (subscriber.SharedRate is not { } rate) added = direct.Add(subscriber);
        else
        {
            var group = Array.Find(groups, g => g.Rate == rate);
            if (group is null)
            {
                group = createGroup(rate);
                groups = [.. groups, group];
            }
            added = group.Add(subscriber);
        }
        if (!added) throw new InvalidOperationException("The subscriber is already in the set.");
        Volatile.Write(ref count, count + 1);
    }

    public bool Remove(ITopicSubscriber subscriber)
    {
        if (subscriber.SharedRate is not { } rate)
        {
            if (!direct.Remove(subscriber)) return false;
        }
        else
        {
            if (Array.Find(groups, g => g.Rate == rate) is not { } group || !group.Remove(subscriber)) return false;
            if (group.Count == 0)
            {
                groups = Array.FindAll(groups, g => !ReferenceEquals(g, group));
                group.Dispose();
            }
        }
        Volatile.Write(ref count, count - 1);
        return true;
    }

    /// <summary>Everyone, direct or grouped, for notices: rare, so a callback rather than a copy.</summary>
    public void ForEachMember(Action<ITopicSubscriber> action)
    {
        foreach (var member in direct.Items)
        {
            if (member is not null) action(member);
        }
        foreach (var group in groups) group.ForEachMember(action);
    }

    /// <summary>Stops the throttles' timers when the set is retired.</summary>
    public void DisposeGroups()
    {
        foreach (var group in groups) group.Dispose();
        groups = [];
    }
}
