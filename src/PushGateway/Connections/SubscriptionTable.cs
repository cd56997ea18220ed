namespace PushGateway.Connections;

/// <summary>
/// A connection's subscriptions by pattern text. Most connections hold one: it sits in a field, and a
/// dictionary exists only from the second on (an idle connection with one subscription saves ~200 bytes).
/// A mutable struct, kept in one field of its connection and touched only by the receive loop.
/// </summary>
internal struct SubscriptionTable()
{
    private ConnectionSubscription? first;
    private Dictionary<string, ConnectionSubscription>? rest;

    public readonly int Count => (first is null ? 0 : 1) + (rest?.Count ?? 0);

    public readonly bool ContainsKey(string key) =>
        (first is not null && string.Equals(first.Key.Text, key, StringComparison.Ordinal)) || (rest?.ContainsKey(key) ?? false);

    /// <summary>Adds a subscription whose key is not in the table yet (the caller checked).</summary>
    public void Add(ConnectionSubscription subscription)
    {
        if (first is null) first = subscription;
        else (rest ??= new Dictionary<string, ConnectionSubscription>(StringComparer.Ordinal)).Add(subscription.Key.Text, subscription);
    }

    public bool Remove(string key, out ConnectionSubscription subscription)
    {
        if (first is not null && string.Equals(first.Key.Text, key, StringComparison.Ordinal))
        {
            subscription = first;
            first = null;
            return true;
        }
        if (rest is not null && rest.Remove(key, out var found))
        {
            subscription = found;
            return true;
        }
        subscription = null!;
        return false;
    }

    /// <summary>A copy, so the caller may await and change the table while it walks it.</summary>
    public readonly ConnectionSubscription[] Snapshot()
    {
        var all = new ConnectionSubscription[Count];
        var at = 0;
        if (first is not null) all[at++] = first;
        if (rest is not null)
        {
            foreach (var subscription in rest.Values) all[at++] = subscription;
        }
        return all;
    }

    public void Clear()
    {
        first = null;
        rest = null;
    }
}
