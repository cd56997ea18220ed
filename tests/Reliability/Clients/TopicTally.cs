using PushGateway.Reliability.Load;

namespace PushGateway.Reliability.Clients;

/// <summary>
/// What one client saw of one topic: every counter n delivered (a bitset, so a duplicate is known
/// exactly), the gap notices with the stretch of n each one covers, and the resume position.
/// Written by the client's receive loop, read by the scenario: guarded by a lock that is never contended for long.
/// </summary>
internal sealed class TopicTally(string topic)
{
    private readonly object gate = new();
    private readonly List<GapRecord> gaps = [];
    private ulong[] seen = new ulong[64];
    private long recoveryMark;
    private List<long>? windowCandidates;
    private long seq;
    private string? epoch;
    private long maxN;
    private long startN = -1;
    private long delivered;
    private long duplicates;
    private long recovered;
    private long outOfOrder;

    public string Topic { get; } = topic;

    /// <summary>The resume position (last seq and its epoch), or null before the first message.</summary>
    public (long Seq, string Epoch)? Position
    {
        get
        {
            lock (gate) return epoch is null ? null : (seq, epoch);
        }
    }

    /// <summary>
    /// From now on, a first delivery with seq at or below <paramref name="seqPublishedBefore"/> counts as
    /// recovered: it was published before the disruption ended and can only have come from history.
    /// </summary>
    public void MarkRecovery(long seqPublishedBefore)
    {
        lock (gate) recoveryMark = Math.Max(recoveryMark, seqPublishedBefore);
    }

    /// <summary>
    /// Starts collecting first deliveries whose recovery status is only known later (after a Redis
    /// restart: which seqs were published while no node was subscribed).
    /// </summary>
    public void OpenRecoveryWindow()
    {
        lock (gate) windowCandidates ??= [];
    }

    /// <summary>Counts the window's first deliveries with seq at or below <paramref name="seqMissedByEveryNode"/> as recovered.</summary>
    public void CloseRecoveryWindow(long seqMissedByEveryNode)
    {
        lock (gate)
        {
            if (windowCandidates is null) return;
            recovered += windowCandidates.Count(s => s <= seqMissedByEveryNode && s > recoveryMark);
            windowCandidates = null;
        }
    }

    /// <summary>Counts a delivery; true the first time this n arrives.</summary>
    public bool OnMessage(long n, long messageSeq, string? messageEpoch)
    {
        lock (gate)
        {
            if (messageEpoch is not null && (messageEpoch != epoch || messageSeq > seq))
            {
                epoch = messageEpoch;
                seq = messageSeq;
            }
            // The first subscribe asks for a snapshot: its message is where this client's stream starts
            // ("the latest message, then live ones, with no gap and no duplicate between the two").
            if (startN < 0) startN = Math.Max(n, 0);
            if (n <= 0) return false;
            if (Test(n))
            {
                duplicates++;
                return false;
            }
            Set(n);
            delivered++;
            if (n < maxN) outOfOrder++;
            else maxN = n;
            if (messageSeq > 0 && messageSeq <= recoveryMark) recovered++;
            else if (messageSeq > 0) windowCandidates?.Add(messageSeq);
            // The first delivery after a gap notice closes the stretch the notice covers.
            for (var i = gaps.Count - 1; i >= 0 && gaps[i].BeforeN == long.MaxValue; i--)
            {
                if (n > gaps[i].AfterN) gaps[i] = gaps[i] with { BeforeN = n };
            }
            return true;
        }
    }

    /// <summary>A gap notice covers the counters after the highest one delivered so far, up to the next one delivered.</summary>
    public void OnGap(string reason, long gapSeq, string? gapEpoch)
    {
        lock (gate)
        {
            gaps.Add(new GapRecord(maxN, long.MaxValue, reason));
            // The notice carries the topic's position: resuming from it does not ask again for what is already reported lost.
            if (gapEpoch is not null && (gapEpoch != epoch || gapSeq > seq))
            {
                epoch = gapEpoch;
                seq = gapSeq;
            }
        }
    }

    /// <summary>Everything up to <paramref name="lastN"/> arrived, or the tail is covered by a gap notice: nothing more is coming.</summary>
    public bool IsSettled(long lastN)
    {
        lock (gate) return maxN >= lastN || gaps.Count > 0 && gaps[^1].BeforeN == long.MaxValue && gaps[^1].AfterN >= maxN;
    }

    /// <summary>Compares what arrived with what the publisher settled as published.</summary>
    public TopicAccount Account(TopicLedger ledger)
    {
        lock (gate)
        {
            var account = new TopicAccount { Duplicates = duplicates, Recovered = recovered, OutOfOrder = outOfOrder, GapNotices = gaps.Count };
            foreach (var gap in gaps) account.GapReasons[gap.Reason] = account.GapReasons.GetValueOrDefault(gap.Reason) + 1;
            var truthful = new bool[gaps.Count];
            foreach (var n in ledger.PublishedCounters())
            {
                if (n < startN) continue;
                account.Expected++;
                if (Test(n))
                {
                    account.Delivered++;
                    continue;
                }
                var covered = false;
                for (var i = 0; i < gaps.Count; i++)
                {
                    if (gaps[i].AfterN >= n || n >= gaps[i].BeforeN) continue;
                    covered = truthful[i] = true;
                }
                if (covered) account.Gapped++;
                else
                {
                    account.Lost++;
                    if (account.LostSample.Count < 5) account.LostSample.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Topic} n={n}"));
                }
            }
            // A gap notice says "messages were lost and cannot be replayed"; one whose stretch holds no missing message is false.
            for (var i = 0; i < gaps.Count; i++)
            {
                if (truthful[i]) continue;
                account.FalseGapNotices++;
                account.FalseGapReasons[gaps[i].Reason] = account.FalseGapReasons.GetValueOrDefault(gaps[i].Reason) + 1;
            }
            account.Phantom = delivered - account.Delivered;
            return account;
        }
    }

    private bool Test(long n) => n >> 6 < seen.Length && (seen[n >> 6] & (1UL << (int)(n & 63))) != 0;

    private void Set(long n)
    {
        var word = (int)(n >> 6);
        if (word >= seen.Length) Array.Resize(ref seen, Math.Max(seen.Length * 2, word + 1));
        seen[word] |= 1UL << (int)(n & 63);
    }

    private readonly record struct GapRecord(long AfterN, long BeforeN, string Reason);
}

/// <summary>One client's (or, summed, a fleet's) account of a topic against the publisher's ledger.</summary>
internal sealed class TopicAccount
{
    public long Expected { get; set; }
    public long Delivered { get; set; }
    public long Gapped { get; set; }
    public long Lost { get; set; }
    public long Duplicates { get; set; }
    public long Recovered { get; set; }
    public long OutOfOrder { get; set; }
    public long GapNotices { get; set; }

    /// <summary>Gap notices (recovered = false) after which every message they cover arrived anyway: a protocol violation.</summary>
    public long FalseGapNotices { get; set; }

    public Dictionary<string, long> FalseGapReasons { get; } = new(StringComparer.Ordinal);

    /// <summary>Counters delivered that the publisher settled as not published: must be zero, or the accounting is wrong.</summary>
    public long Phantom { get; set; }

    public Dictionary<string, long> GapReasons { get; } = new(StringComparer.Ordinal);

    /// <summary>A few of the messages lost silently ("client 7 on node 1: topic n=123"), to start an investigation from.</summary>
    public List<string> LostSample { get; } = [];

    public void Add(TopicAccount other)
    {
        Expected += other.Expected;
        Delivered += other.Delivered;
        Gapped += other.Gapped;
        Lost += other.Lost;
        Duplicates += other.Duplicates;
        Recovered += other.Recovered;
        OutOfOrder += other.OutOfOrder;
        GapNotices += other.GapNotices;
        Phantom += other.Phantom;
        FalseGapNotices += other.FalseGapNotices;
        foreach (var lost in other.LostSample.Take(Math.Max(0, 10 - LostSample.Count))) LostSample.Add(lost);
        foreach (var (reason, count) in other.GapReasons) GapReasons[reason] = GapReasons.GetValueOrDefault(reason) + count;
        foreach (var (reason, count) in other.FalseGapReasons) FalseGapReasons[reason] = FalseGapReasons.GetValueOrDefault(reason) + count;
    }
}
