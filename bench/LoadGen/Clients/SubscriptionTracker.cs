namespace LoadGen.Clients;

/// <summary>
/// One (client, topic) pair: which seqs arrived, as a bitmap, so that loss, duplicates and
/// reordering are counted exactly rather than inferred from gaps. Touched only by its client's
/// receive loop.
/// </summary>
public sealed class SubscriptionTracker(int topicIndex, string topic)
{
    private ulong[] _seen = new ulong[4];
    private long _highest = -1;

    public int TopicIndex { get; } = topicIndex;
    public string Topic { get; } = topic;
    public byte[] TopicUtf8 { get; } = System.Text.Encoding.UTF8.GetBytes(topic);
    public bool Acked { get; set; }
    public bool Failed { get; set; }

    public bool Has(long seq)
    {
        var word = seq >> 6;
        return seq >= 0 && word < _seen.Length && (_seen[word] & (1UL << (int)(seq & 63))) != 0;
    }

    /// <summary>Records one arrival; returns false for a duplicate (a seq seen before).</summary>
    public bool Record(long seq, out bool outOfOrder)
    {
        outOfOrder = false;
        if (seq < 0) return false;
        var word = (int)(seq >> 6);
        if (word >= _seen.Length) Array.Resize(ref _seen, Math.Max(word + 1, _seen.Length * 2));
        var bit = 1UL << (int)(seq & 63);
        if ((_seen[word] & bit) != 0) return false;
        _seen[word] |= bit;
        if (seq < _highest) outOfOrder = true;
        else _highest = seq;
        return true;
    }
}
