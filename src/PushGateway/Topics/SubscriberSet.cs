namespace PushGateway.Topics;

/// <summary>
/// The local subscribers of one key. Changes are serialised by <see cref="Gate"/> because they await
/// the bus; fan-out reads the lists without a lock (<see cref="SubscriberList{T}"/>). Subscribers with a
/// shared maxRate are reached through their <see cref="RateGroup"/>, the rest directly; the few groups
/// are a copy-on-write array.
/// </summary>
internal sealed class SubscriberSet(string key, Func<double, RateGroup> createGroup)
{
    private readonly SubscriberList<ITopicSubscriber> members = new();
    private readonly SubscriberList<ITopicSubscriber> direct = new();
    private volatile RateGroup[] groups = [];

    public string Key { get; } = key;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Everyone, for notices and counts (skip the null slots).</summary>
    public ReadOnlySpan<ITopicSubscriber?> Members => members.Items;

    public int Count => members.Count;

    /// <summary>Those delivered to as messages arrive (skip the null slots).</summary>
    public ReadOnlySpan<ITopicSubscriber?> Direct => direct.Items;

    public int DirectCount => direct.Count;

    public RateGroup[] Groups => groups;

    public bool BusSubscribed { get; set; }

    /// <summary>Set once the set left the router's map; a subscriber that finds it so must retry with a fresh set.</summary>
    public bool Removed { get; set; }

    public void Add(ITopicSubscriber subscriber)
    {
        if (!members.Add(subscriber)) throw new InvalidOperationException("The subscriber is already in the set.");
        if (subscriber.SharedRate is not { } rate)
        {
            direct.Add(subscriber);
            return;
        }
        var group = Array.Find(groups, g => g.Rate == rate);
        if (group is null)
        {
            group = createGroup(rate);
            groups = [.. groups, group];
        }
        group.Add(subscriber);
    }

    public bool Remove(ITopicSubscriber subscriber)
    {
        if (!members.Remove(subscriber)) return false;
        direct.Remove(subscriber);
        if (subscriber.SharedRate is { } rate && Array.Find(groups, g => g.Rate == rate) is { } group)
        {
            group.Remove(subscriber);
            if (group.Count == 0)
            {
                groups = Array.FindAll(groups, g => !ReferenceEquals(g, group));
                group.Dispose();
            }
        }
        return true;
    }

    /// <summary>Stops the throttles' timers when the set is retired.</summary>
    public void DisposeGroups()
    {
        foreach (var group in groups) group.Dispose();
        groups = [];
    }
}
