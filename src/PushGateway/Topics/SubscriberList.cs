namespace PushGateway.Topics;

/// <summary>
/// The subscribers of one key, read by fan-out without a lock while changes (serialised by the owner)
/// cost O(1) amortised. A copy-on-write array costs O(n) per change, so a hot topic's subscribe or
/// unsubscribe storm was O(n squared): 19,000 clients joining and leaving one topic took the node 26
/// CPU-seconds (docs/benchmarks.md, churn). Here an add appends past what readers see and then publishes
/// the new end; a remove clears its slot (readers skip empty slots), and the array is compacted into a new
/// one once half of it is empty. A reader sees each member at most once, and every member that was in the
/// list for the whole read.
/// </summary>
internal sealed class SubscriberList<T> where T : class
{
    private readonly Dictionary<T, int> slots = new(ReferenceEqualityComparer.Instance);
    private volatile View view = new([], 0);

    /// <summary>Members now; exact for the owner, a recent value for anyone else.</summary>
    public int Count => Volatile.Read(ref count);

    private int count;

    /// <summary>The slots allocated, for tests of the storage bound.</summary>
    internal int Capacity => view.Slots.Length;

    /// <summary>What a reader walks: skip the null slots.</summary>
    public ReadOnlySpan<T?> Items
    {
        get
        {
            var current = view;
            return current.Slots.AsSpan(0, current.End);
        }
    }

    /// <summary>Only the owner, one change at a time. False when already a member.</summary>
    public bool Add(T item)
    {
        if (slots.ContainsKey(item)) return false;
        var current = view;
        var array = current.Slots;
        var end = current.End;
        if (end == array.Length)
        {
            // Grow into a fresh array (readers keep the old one), leaving the gaps behind: twice the members, plus room.
            var live = count;
            var grown = new T?[Math.Max(4, 2 * (live + 1))];
            end = CompactInto(array, end, grown);
            array = grown;
        }
        // The slot is past what any reader sees until the new end is published below.
        array[end] = item;
        slots[item] = end;
        Volatile.Write(ref count, count + 1);
        view = new View(array, end + 1);
        return true;
    }

    /// <summary>Only the owner, one change at a time. False when not a member.</summary>
    public bool Remove(T item)
    {
        if (!slots.Remove(item, out var slot)) return false;
        var current = view;
        // A reader either still sees the item or sees the gap: both are a valid moment of the list.
        Volatile.Write(ref current.Slots[slot], null);
        Volatile.Write(ref count, count - 1);
        // Slots are never reused within an array (an add only appends), so no reader can meet a member twice.
        var end = current.End;
        if (count * 2 < end && end > 8)
        {
            var compacted = new T?[Math.Max(4, count * 2)];
            view = new View(compacted, CompactInto(current.Slots, end, compacted));
            // The slot map shrinks with the array, or a topic that outlived a storm would keep it at the storm's size.
            slots.TrimExcess();
        }
        return true;
    }

    /// <summary>Copies the members in order into <paramref name="target"/>, renumbering their slots; returns the new end.</summary>
    private int CompactInto(T?[] source, int end, T?[] target)
    {
        var next = 0;
        for (var i = 0; i < end; i++)
        {
            if (source[i] is not { } item) continue;
            target[next] = item;
            slots[item] = next++;
        }
        return next;
    }

    private sealed class View(T?[] slots, int end)
    {
        public T?[] Slots { get; } = slots;

        public int End { get; } = end;
    }
}
