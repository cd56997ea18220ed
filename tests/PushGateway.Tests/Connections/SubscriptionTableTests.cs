using PushGateway.Connections;
using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Tests.Connections;

/// <summary>A connection's subscriptions: the first in a field, the rest in a dictionary, one table to its users.</summary>
public class SubscriptionTableTests
{
    private sealed class NoTarget : IDeliveryTarget
    {
        public void Enqueue(OutboundFrame frame) => throw new InvalidOperationException();

        public void Enqueue(PublishedMessage message, ConnectionSubscription subscription) => throw new InvalidOperationException();

        public void CountConflated()
        {
        }
    }

    private static ConnectionSubscription Subscription(string pattern) =>
        new(new NoTarget(), TopicPattern.Parse(pattern), DeliveryOptions.Plain, TimeProvider.System);

    [Fact]
    public void Adds_finds_and_removes_whichever_slot_holds_a_subscription()
    {
        var table = new SubscriptionTable();
        var a = Subscription("fx.A");
        var b = Subscription("fx.*");
        var c = Subscription("smog.>");
        table.Add(a);
        table.Add(b);
        table.Add(c);
        Assert.Equal(3, table.Count);
        Assert.True(table.ContainsKey("fx.*"));
        Assert.False(table.ContainsKey("fx.B"));
        Assert.Equal(new[] { a, b, c }.OrderBy(s => s.Key.Text), table.Snapshot().OrderBy(s => s.Key.Text));

        // Removing the one in the field leaves it free for the next; the dictionary keeps the others.
        Assert.True(table.Remove("fx.A", out var removed));
        Assert.Same(a, removed);
        Assert.False(table.ContainsKey("fx.A"));
        var d = Subscription("fx.D");
        table.Add(d);
        Assert.True(table.Remove("smog.>", out removed));
        Assert.Same(c, removed);
        Assert.False(table.Remove("smog.>", out _));
        Assert.Equal(2, table.Count);
        Assert.Equal(new[] { b, d }.OrderBy(s => s.Key.Text), table.Snapshot().OrderBy(s => s.Key.Text));

        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.Empty(table.Snapshot());
        Assert.False(table.ContainsKey("fx.*"));
    }

    [Fact]
    public void A_key_already_in_the_dictionary_is_refused()
    {
        var table = new SubscriptionTable();
        table.Add(Subscription("a.b"));
        table.Add(Subscription("a.c"));
        Assert.Throws<ArgumentException>(() => table.Add(Subscription("a.c")));
    }
}
