using PushGateway.Testing;
using PushGateway.Topics;

namespace PushGateway.Tests.Topics;

/// <summary>
/// A topic's subscriber list changes in O(1) amortised while fan-out reads it without a lock: readers
/// see every member that stays for their whole read, never one twice, and the storage stays
/// proportional to the members left.
/// </summary>
public sealed class SubscriberListTests
{
    [Fact]
    public void Random_adds_and_removes_leave_exactly_the_members_and_storage_proportional_to_them()
    {
        var list = new SubscriberList<Member>();
        var model = new HashSet<Member>();
        var pool = Enumerable.Range(0, 300).Select(i => new Member(i)).ToArray();
        var random = new Random(7);
        for (var step = 0; step < 20_000; step++)
        {
            var member = pool[random.Next(pool.Length)];
            // Phases that mostly add and mostly remove, so the list grows and shrinks through compactions.
            var adding = step / 2_000 % 2 == 0 ? random.Next(4) > 0 : random.Next(4) == 0;
            Assert.Equal(adding ? model.Add(member) : model.Remove(member), adding ? list.Add(member) : list.Remove(member));

            Assert.Equal(model.Count, list.Count);
            // Compaction starts past 8 slots once half are empty, so an add can leave at most 9, or twice the members.
            Assert.True(list.Items.Length <= Math.Max(9, 2 * list.Count), $"{list.Items.Length} slots in use for {list.Count} members");
            Assert.True(list.Capacity <= Math.Max(16, 4 * list.Count + 4), $"{list.Capacity} slots allocated for {list.Count} members");
        }
        Assert.Equal(model.OrderBy(m => m.Id), Live(list.Items).OrderBy(m => m.Id));
    }

    [Fact]
    public void A_member_is_held_once_and_only_a_member_can_be_removed()
    {
        var list = new SubscriberList<Member>();
        var a = new Member(1);

        Assert.False(list.Remove(a));
        Assert.True(list.Add(a));
        Assert.False(list.Add(a));
        Assert.Equal([a], Live(list.Items));
        Assert.True(list.Remove(a));
        Assert.False(list.Remove(a));
        Assert.Empty(Live(list.Items));
        Assert.Equal(0, list.Count);
    }

    [Fact]
    public void A_read_begun_before_changes_still_has_every_member_that_stayed_and_none_twice()
    {
        var list = new SubscriberList<Member>();
        var members = Enumerable.Range(0, 1_000).Select(i => new Member(i)).ToArray();
        foreach (var member in members) list.Add(member);
        var before = list.Items;

        // Enough removals to compact into a new array, then re-adds (the same objects) and newcomers.
        foreach (var member in members.Where(m => m.Id % 4 != 0)) list.Remove(member);
        foreach (var member in members.Where(m => m.Id % 8 == 1)) list.Add(member);
        foreach (var newcomer in Enumerable.Range(1_000, 500).Select(i => new Member(i))) list.Add(newcomer);

        var seen = Live(before);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Superset(members.Where(m => m.Id % 4 == 0).ToHashSet(), seen.ToHashSet());
        var now = Live(list.Items);
        Assert.Equal(now.Count, now.Distinct().Count());
        Assert.Equal(250 + 125 + 500, now.Count);
    }

    [Fact]
    public void A_member_that_leaves_and_returns_during_a_read_is_not_met_twice_by_it()
    {
        var list = new SubscriberList<Member>();
        var members = Enumerable.Range(0, 10).Select(i => new Member(i)).ToArray();
        foreach (var member in members) list.Add(member);
        var read = list.Items;
        var seen = Live(read[..3]);

        // The last slots empty and the returning member is appended: never into a slot this read has yet to reach.
        list.Remove(members[1]);
        list.Remove(members[9]);
        list.Remove(members[8]);
        list.Add(members[1]);
        seen.AddRange(Live(read[3..]));

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Superset(members[..8].Where(m => m.Id != 1).ToHashSet(), seen.ToHashSet());
    }

    [Fact]
    public async Task A_reader_racing_the_owner_sees_the_members_that_stay_once_in_every_pass()
    {
        var list = new SubscriberList<Member>();
        var stayers = Enumerable.Range(0, 64).Select(i => new Member(i)).ToArray();
        var churners = Enumerable.Range(64, 512).Select(i => new Member(i)).ToArray();
        foreach (var member in stayers) list.Add(member);
        using var stop = new CancellationTokenSource();
        var passes = 0;
        var reader = Task.Run(() =>
        {
            var seen = new Dictionary<Member, int>();
            while (!stop.IsCancellationRequested)
            {
                seen.Clear();
                foreach (var member in list.Items)
                {
                    if (member is not null) seen[member] = seen.GetValueOrDefault(member) + 1;
                }
                foreach (var (member, times) in seen) Assert.True(times == 1, $"member {member.Id} seen {times} times in one pass");
                foreach (var stayer in stayers) Assert.True(seen.ContainsKey(stayer), $"member {stayer.Id} missing from a pass");
                Interlocked.Increment(ref passes);
            }
        });

        // Churn until the reader has raced many rounds of it (or failed), however the two threads are scheduled.
        var random = new Random(11);
        var deadline = DateTime.UtcNow + Bounded.Default;
        for (var round = 0; (round < 400 || Volatile.Read(ref passes) < 200) && !reader.IsCompleted && DateTime.UtcNow < deadline; round++)
        {
            foreach (var member in churners) list.Add(member);
            foreach (var member in churners.OrderBy(_ => random.Next())) list.Remove(member);
        }
        stop.Cancel();
        await reader;
        Assert.True(passes >= 200, $"only {passes} reader passes");
        Assert.Equal(stayers.Length, list.Count);
    }

    private static List<Member> Live(ReadOnlySpan<Member?> items)
    {
        var live = new List<Member>();
        foreach (var item in items)
        {
            if (item is not null) live.Add(item);
        }
        return live;
    }

    /// <summary>Compared by identity, as subscribers are.</summary>
    private sealed class Member(int id)
    {
        public int Id { get; } = id;
    }
}
