namespace PushGateway.Topics;

/// <summary>
/// The local subscribers of one key. Changes are serialised by <see cref="Gate"/> because they await
/// the bus; fan-out reads <see cref="Members"/> without a lock (copy-on-write).
/// </summary>
internal sealed class SubscriberSet(string key)
{
    private volatile ITopicSubscriber[] members = [];

    public string Key { get; } = key;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public ITopicSubscriber[] Members => members;

    public bool BusSubscribed { get; set; }

    /// <summary>Set once the set left the router's map; a subscriber that finds it so must retry with a fresh set.</summary>
    public bool Removed { get; set; }

    public void Add(ITopicSubscriber subscriber) => members = [.. members, subscriber];

    public bool Remove(ITopicSubscriber subscriber)
    {
        var index = Array.IndexOf(members, subscriber);
        if (index < 0) return false;
        var next = new ITopicSubscriber[members.Length - 1];
        Array.Copy(members, 0, next, 0, index);
        Array.Copy(members, index + 1, next, index, members.Length - index - 1);
        members = next;
        return true;
    }
}
