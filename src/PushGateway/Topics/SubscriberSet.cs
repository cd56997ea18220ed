namespace PushGateway.Topics;

/// <summary>
/// The local subscribers of one key. Changes are serialised by <see cref="Gate"/> because they await
/// the bus; fan-out reads the arrays without a lock (copy-on-write). Subscribers with a shared maxRate
/// are reached through their <see cref="RateGroup"/>, the rest directly.
/// </summary>
internal sealed class SubscriberSet(string key, Func<double, RateGroup> createGroup)
{
    private volatile ITopicSubscriber[] members = [];
    private volatile ITopicSubscriber[] direct = [];
    private volatile RateGroup[] groups = [];

    public string Key { get; } = key;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Everyone, for notices and counts.</summary>
    public ITopicSubscriber[] Members => members;

    /// <summary>Those delivered to as messages arrive.</summary>
    public ITopicSubscriber[] Direct => direct;

    public RateGroup[] Groups => groups;

    public bool BusSubscribed { get; set; }

    /// <summary>Set once the set left the router's map; a subscriber that finds it so must retry with a fresh set.</summary>
    public bool Removed { get; set; }

    public void Add(ITopicSubscriber subscriber)
    {
        members = [.. members, subscriber];
        if (subscriber.SharedRate is not { } rate)
        {
            direct = [.. direct, subscriber];
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
        if (Array.IndexOf(members, subscriber) < 0) return false;
        members = Array.FindAll(members, m => !ReferenceEquals(m, subscriber));
        direct = Array.FindAll(direct, m => !ReferenceEquals(m, subscriber));
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
