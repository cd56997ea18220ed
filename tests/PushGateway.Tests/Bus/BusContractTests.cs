using System.Text;
using PushGateway.Bus;

namespace PushGateway.Tests.Bus;

/// <summary>
/// What every bus must do, run against each implementation. A node sees each message once per key
/// it matched, named by that key; order holds per publisher.
/// </summary>
public abstract class BusContractTests : IAsyncLifetime
{
    private readonly List<IMessageBus> buses = [];

    /// <summary>Two handles on one bus: the same instance for the in-process bus, two nodes for Redis.</summary>
    protected abstract Task<(IMessageBus Publisher, IMessageBus Subscriber)> CreatePairAsync();

    private IMessageBus publisher = null!;
    private IMessageBus subscriber = null!;
    private readonly RecordingListener listener = new();
    private readonly string prefix = "t" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        (publisher, subscriber) = await CreatePairAsync();
        buses.Add(publisher);
        if (!ReferenceEquals(publisher, subscriber)) buses.Add(subscriber);
        subscriber.Attach(listener);
        if (!ReferenceEquals(publisher, subscriber)) publisher.Attach(new RecordingListener());
    }

    public async Task DisposeAsync()
    {
        foreach (var bus in buses) await bus.DisposeAsync();
    }

    private string T(string suffix) => prefix + "." + suffix;

    private Task Publish(string topic, string payload) =>
        publisher.PublishAsync(topic, Encoding.UTF8.GetBytes(payload), CancellationToken.None);

    /// <summary>Order per publisher lets a marker message prove that nothing else is still on its way.</summary>
    private async Task AssertNothingBefore(string markerTopic)
    {
        await Publish(markerTopic, "\"marker\"");
        var next = await listener.NextAsync();
        Assert.Equal((markerTopic, markerTopic, "\"marker\""), next);
    }

    [Fact]
    public async Task Delivers_a_topic_to_its_subscriber()
    {
        await subscriber.SubscribeAsync(T("a"), CancellationToken.None);
        await Publish(T("a"), "{\"x\":1}");
        Assert.Equal((T("a"), T("a"), "{\"x\":1}"), await listener.NextAsync());
    }

    [Fact]
    public async Task Delivers_single_segment_wildcards_only_for_one_segment()
    {
        await subscriber.SubscribeAsync(T("*"), CancellationToken.None);
        await subscriber.SubscribeAsync(T("marker"), CancellationToken.None);
        await Publish(T("a.b"), "1");
        await Publish(T("a"), "2");
        Assert.Equal((T("a"), T("*"), "2"), await listener.NextAsync());
        await AssertNothingBefore(T("marker"));
    }

    [Fact]
    public async Task Delivers_tail_wildcards_for_one_or_more_segments()
    {
        await subscriber.SubscribeAsync(T(">"), CancellationToken.None);
        await Publish(prefix, "0");
        await Publish(T("a.b.c"), "1");
        Assert.Equal((T("a.b.c"), T(">"), "1"), await listener.NextAsync());
    }

    [Fact]
    public async Task Delivers_once_per_matching_key()
    {
        await subscriber.SubscribeAsync(T("a"), CancellationToken.None);
        await subscriber.SubscribeAsync(T("*"), CancellationToken.None);
        await subscriber.SubscribeAsync(T(">"), CancellationToken.None);
        await Publish(T("a"), "1");
        var keys = new[] { await listener.NextAsync(), await listener.NextAsync(), await listener.NextAsync() }
            .Select(m => m.Key).Order().ToArray();
        Assert.Equal(new[] { T("*"), T(">"), T("a") }.Order().ToArray(), keys);
        await subscriber.SubscribeAsync(T("marker"), CancellationToken.None);
        await Publish(T("x.y"), "2");
        Assert.Equal((T("x.y"), T(">"), "2"), await listener.NextAsync());
    }

    [Fact]
    public async Task Stops_after_unsubscribe()
    {
        await subscriber.SubscribeAsync(T("a"), CancellationToken.None);
        await subscriber.SubscribeAsync(T("p.*"), CancellationToken.None);
        await subscriber.SubscribeAsync(T("marker"), CancellationToken.None);
        await subscriber.UnsubscribeAsync(T("a"), CancellationToken.None);
        await subscriber.UnsubscribeAsync(T("p.*"), CancellationToken.None);
        await Publish(T("a"), "1");
        await Publish(T("p.q"), "2");
        await AssertNothingBefore(T("marker"));
    }

    [Fact]
    public async Task Keeps_one_pattern_when_another_sharing_its_glob_leaves()
    {
        await subscriber.SubscribeAsync(T("*"), CancellationToken.None);
        await subscriber.SubscribeAsync(T(">"), CancellationToken.None);
        await subscriber.UnsubscribeAsync(T("*"), CancellationToken.None);
        await Publish(T("a"), "1");
        Assert.Equal((T("a"), T(">"), "1"), await listener.NextAsync());
    }

    [Fact]
    public async Task Keeps_order_per_topic()
    {
        await subscriber.SubscribeAsync(T("seq"), CancellationToken.None);
        for (var i = 0; i < 200; i++) await Publish(T("seq"), i.ToString());
        for (var i = 0; i < 200; i++) Assert.Equal(i.ToString(), (await listener.NextAsync()).Payload);
    }

    [Fact]
    public async Task Numbers_each_topic_and_keeps_its_history()
    {
        var history = (IMessageHistory)subscriber;
        var topic = T("hist");
        for (var i = 1; i <= 5; i++) await Publish(topic, $"{{\"n\":{i}}}");
        var read = await history.ReadAfterAsync(topic, 2, 100, CancellationToken.None);
        Assert.NotNull(read.Epoch);
        Assert.Equal(5, read.LastSeq);
        Assert.Equal(new long[] { 3, 4, 5 }, read.Entries.Select(e => e.Seq));
        Assert.Equal("{\"n\":5}", Encoding.UTF8.GetString(read.Entries[^1].Payload.Span));
        var latest = await history.LatestAsync(topic, CancellationToken.None);
        Assert.Equal(5, Assert.Single(latest.Entries).Seq);
        Assert.Equal(read.Epoch, latest.Epoch);
        Assert.Contains(topic, await history.TopicsAsync(PushGateway.Topics.TopicPattern.Parse(prefix + ".>"), CancellationToken.None));
        Assert.Same(HistoryRead.None.Entries, (await history.LatestAsync(T("never"), CancellationToken.None)).Entries);
    }

    [Fact]
    public async Task Live_messages_carry_their_sequence_and_epoch()
    {
        var topic = T("live");
        await subscriber.SubscribeAsync(topic, CancellationToken.None);
        await Publish(topic, "1");
        await Publish(topic, "2");
        var first = await listener.NextFullAsync();
        var second = await listener.NextFullAsync();
        Assert.Equal(second.Seq, first.Seq + 1);
        Assert.NotNull(first.Epoch);
        Assert.Equal(first.Epoch, second.Epoch);
        Assert.True(first.PublishedAtMs > 0);
    }

    [Fact]
    public async Task Refuses_to_publish_to_a_pattern()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Publish(T("*"), "1"));
    }
}
