namespace PushGateway.Reliability.Load;

/// <summary>
/// The publisher's record of one topic: for every counter n, whether the message went out and with
/// which seq. A publish whose connection died before the reply is "unsettled" until the history
/// stream says whether it was written; only settled outcomes count, so loss is counted, not guessed.
/// </summary>
internal sealed class TopicLedger(string topic)
{
    private readonly object gate = new();
    private readonly List<Entry> entries = [new Entry(Outcome.Published, 0)];
    private long ackedSeq;

    public enum Outcome : byte { Pending, Published, NotPublished, Unsettled }

    public string Topic { get; } = topic;

    /// <summary>Messages found in history that the ledger never sent, or sent twice: must stay zero, or the accounting itself is wrong.</summary>
    public int Anomalies { get; private set; }

    /// <summary>Unsettled publishes that could no longer be settled (history reset under them): excluded from the expected set.</summary>
    public int Unresolvable { get; private set; }

    /// <summary>The highest seq Redis has confirmed for this topic: anything at or below it was published before now.</summary>
    public long AckedSeq => Interlocked.Read(ref ackedSeq);

    /// <summary>The seed (n = 0) that gives clients an epoch and a position before the counted messages start.</summary>
    public void Seeded(long seq)
    {
        lock (gate) entries[0] = new Entry(Outcome.Published, seq);
        Advance(seq);
    }

    public long Reserve()
    {
        lock (gate)
        {
            entries.Add(new Entry(Outcome.Pending, 0));
            return entries.Count - 1;
        }
    }

    public void Published(long n, long seq)
    {
        lock (gate)
        {
            if (entries[(int)n].State == Outcome.Published) Anomalies++;
            entries[(int)n] = new Entry(Outcome.Published, seq);
        }
        Advance(seq);
    }

    public void NotPublished(long n)
    {
        lock (gate) entries[(int)n] = new Entry(Outcome.NotPublished, 0);
    }

    public void Unsettled(long n)
    {
        lock (gate) entries[(int)n] = new Entry(Outcome.Unsettled, 0);
    }

    public void GiveUp(long n)
    {
        lock (gate)
        {
            entries[(int)n] = new Entry(Outcome.NotPublished, 0);
            Unresolvable++;
        }
    }

    public void Anomaly()
    {
        lock (gate) Anomalies++;
    }

    public bool IsPublished(long n)
    {
        lock (gate) return n >= 0 && n < entries.Count && entries[(int)n].State == Outcome.Published;
    }

    /// <summary>The counted messages (n ≥ 1) that went out.</summary>
    public long PublishedCount
    {
        get
        {
            lock (gate) return entries.Skip(1).Count(e => e.State == Outcome.Published);
        }
    }

    public int UnsettledCount
    {
        get
        {
            lock (gate) return entries.Count(e => e.State is Outcome.Unsettled or Outcome.Pending);
        }
    }

    /// <summary>The highest n known to be published (0: only the seed).</summary>
    public long LastPublishedN
    {
        get
        {
            lock (gate)
            {
                for (var i = entries.Count - 1; i > 0; i--)
                {
                    if (entries[i].State == Outcome.Published) return i;
                }
                return 0;
            }
        }
    }

    /// <summary>Every published n ≥ 1 in order, for the final accounting.</summary>
    public long[] PublishedCounters()
    {
        lock (gate) return Enumerable.Range(1, entries.Count - 1).Where(i => entries[i].State == Outcome.Published).Select(i => (long)i).ToArray();
    }

    private void Advance(long seq)
    {
        long current;
        while ((current = Interlocked.Read(ref ackedSeq)) < seq && Interlocked.CompareExchange(ref ackedSeq, seq, current) != current)
        {
        }
    }

    private readonly record struct Entry(Outcome State, long Seq);
}
