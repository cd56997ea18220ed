using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PushGateway.Bus;
using PushGateway.Connections;
using PushGateway.Observability;
using PushGateway.Tests.Infrastructure;
using PushGateway.Topics;

namespace PushGateway.Tests.Integration;

/// <summary>maxRate, deadband and slow-consumer conflation on one node (in-process bus).</summary>
public sealed class RateControlTests
{
    private static string Unique(string prefix) => prefix + "." + Guid.NewGuid().ToString("N")[..8];

    private static int N(JsonElement message) => message.GetProperty("data").GetProperty("n").GetInt32();

    [Fact]
    public async Task MaxRate_holds_back_a_burst_and_always_ends_on_the_latest_value()
    {
        await using var node = GatewayNode.Start();
        var topic = Unique("fx");
        await using var client = await node.ConnectAsync();
        await using var unthrottled = await node.ConnectAsync();
        await client.SubscribeAsync(topic, ""","maxRate":2""");
        await unthrottled.SubscribeAsync(topic);
        for (var i = 0; i < 200; i++) await node.PublishAsync(topic, $$"""{"n":{{i}}}""");
        for (var i = 0; i < 200; i++) Assert.Equal(i, N(await unthrottled.ReceiveMessageAsync()));

        var received = new List<int>();
        while (received.LastOrDefault(-1) != 199) received.Add(N(await client.ReceiveMessageAsync()));
        // The burst takes far less than a rate interval here: the first value goes out at once, the rest
        // collapse into the newest, sent when the interval ends. A slower machine may split the burst
        // over a few intervals, which still delivers only a handful of values.
        Assert.Equal(0, received[0]);
        Assert.InRange(received.Count, 2, 10);
        Assert.Equal(received.Order(), received);
        await client.RoundTripAsync();
        Assert.True(client.NothingPending);
    }

    [Fact]
    public async Task Subscribers_sharing_a_maxRate_see_the_same_latest_values_and_a_deadband_keeps_its_own()
    {
        await using var node = GatewayNode.Start();
        var topic = Unique("fx");
        await using var first = await node.ConnectAsync();
        await using var second = await node.ConnectAsync();
        await using var banded = await node.ConnectAsync();
        await first.SubscribeAsync(topic, ""","maxRate":2""");
        await second.SubscribeAsync(topic, ""","maxRate":2""");
        await banded.SubscribeAsync(topic, ""","maxRate":2,"deadband":{"field":"mid","delta":1000}""");
        for (var i = 0; i < 200; i++) await node.PublishAsync(topic, $$"""{"n":{{i}},"mid":{{i}}}""");
        await node.PublishAsync(topic, """{"n":200,"mid":5000}""");

        async Task<List<int>> UntilLast(TestClient client)
        {
            var received = new List<int>();
            while (received.LastOrDefault(-1) != 200) received.Add(N(await client.ReceiveMessageAsync()));
            return received;
        }
        var a = await UntilLast(first);
        var b = await UntilLast(second);
        Assert.Equal(a, b);
        Assert.Equal(0, a[0]);
        Assert.InRange(a.Count, 2, 10);
        // The deadband subscriber only sees moves of 1000 in mid: the first value and the jump to 5000.
        Assert.Equal(new[] { 0, 200 }, await UntilLast(banded));
    }

    [Fact]
    public async Task Deadband_delivers_only_moves_of_at_least_delta()
    {
        await using var node = GatewayNode.Start();
        var topic = Unique("fx");
        await using var client = await node.ConnectAsync();
        await client.SubscribeAsync(topic, ""","deadband":{"field":"mid","delta":0.0005}""");
        var mids = new[] { 1.0, 1.0001, 1.0004, 1.0006, 1.0007, 1.0, 0.9994 };
        for (var i = 0; i < mids.Length; i++) await node.PublishAsync(topic, $$"""{"n":{{i}},"mid":{{mids[i]}}}""");
        await node.PublishAsync(topic, """{"n":99}""");
        var delivered = new List<int>();
        while (delivered.LastOrDefault(-1) != 99) delivered.Add(N(await client.ReceiveMessageAsync()));
        // 1.0 first; 1.0006 moved 0.0006; 1.0 moved 0.0006 back; 0.9994 moved 0.0006; the field-less marker passes.
        Assert.Equal(new[] { 0, 3, 5, 6, 99 }, delivered);
    }

    [Fact]
    public async Task A_stalled_client_on_a_conflatable_topic_gets_the_latest_value_not_a_backlog()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Gateway:SendQueueBytes"] = "16384",
            ["Gateway:SlowConsumerTimeout"] = "00:05:00",
        });
        var topic = "fx." + Guid.NewGuid().ToString("N")[..8];
        await using var stalled = await node.ConnectAsync(paused: true);
        await stalled.SendAsync($$"""{"type":"subscribe","id":1,"topic":"{{topic}}"}""");
        await using var witness = await node.ConnectAsync();
        await witness.SubscribeAsync(topic);
        var pad = new string('x', 2000);
        const int total = 5000;
        for (var i = 0; i < total; i++)
        {
            await node.PublishAsync(topic, $$"""{"n":{{i}},"pad":"{{pad}}"}""");
            // The witness shares the small budget: pacing it keeps its own queue from ever conflating.
            if (i % 4 == 3)
            {
                for (var n = i - 3; n <= i; n++) Assert.Equal(n, N(await witness.ReceiveMessageAsync()));
            }
        }
        var metrics = node.Get<GatewayMetrics>();
        Assert.True(metrics.Snapshot().MessagesConflated > 0, "the stalled client's queue conflated");

        stalled.Resume();
        var received = new List<int>();
        while (received.LastOrDefault(-1) != total - 1) received.Add(N(await stalled.ReceiveMessageAsync(TimeSpan.FromSeconds(30))));
        Assert.True(received.Count < total, $"conflated: {received.Count} of {total} values delivered");
        Assert.Equal(received.Order(), received);
        Assert.Equal(0, metrics.ClosedCount("slow_consumer"));
    }

    [Fact]
    public async Task A_reading_client_with_a_small_send_queue_keeps_every_message_of_a_long_fan_out_run()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Gateway:SendQueueBytes"] = "4096",
            ["Gateway:SlowConsumerTimeout"] = "00:00:00",
        });
        var topic = Unique("orders");
        await using var client = await node.ConnectAsync();
        await client.SubscribeAsync(topic);
        var router = node.Get<TopicRouter>();
        var metrics = node.Get<GatewayMetrics>();
        const int total = 40;
        var pad = new string('x', 300);

        // The whole burst (three times the queue's budget) is routed inside one batch, as a worker routes a
        // backlog: the connection is flushed when the batch ends, unless the transport writes early.
        var burst = new Thread(() =>
        {
            BusThread.MarkCurrent();
            BusThread.SetCaughtUp(true);
            FlushBatch.Enter();
            try
            {
                for (var i = 0; i < total; i++)
                {
                    var payload = Encoding.UTF8.GetBytes($$"""{"n":{{i}},"pad":"{{pad}}"}""");
                    router.OnMessage(new BusMessage(topic, topic, payload, Stopwatch.GetTimestamp(), 0));
                }
            }
            finally
            {
                FlushBatch.Exit();
            }
        }) { IsBackground = true };
        burst.Start();
        Assert.True(burst.Join(Bounded.Default));

        for (var i = 0; i < total; i++) Assert.Equal(i, N(await client.ReceiveMessageAsync()));
        Assert.Equal(0, metrics.Snapshot().MessagesDropped);
        Assert.Equal(0, metrics.ClosedCount("slow_consumer"));
    }

    [Fact]
    public async Task A_stalled_client_on_an_ordinary_topic_loses_messages_and_is_closed_when_it_stays_behind()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Gateway:SendQueueBytes"] = "16384",
            ["Gateway:SlowConsumerTimeout"] = "00:00:00.200",
            ["Gateway:CloseTimeout"] = "00:00:01",
        });
        var topic = Unique("orders");
        await using var stalled = await node.ConnectAsync(paused: true);
        await stalled.SendAsync($$"""{"type":"subscribe","id":1,"topic":"{{topic}}"}""");
        await using var witness = await node.ConnectAsync();
        await witness.SubscribeAsync(topic);
        var metrics = node.Get<GatewayMetrics>();
        var pad = new string('x', 2000);
        var i = 0;
        // Publish until the node gives up on the stalled client; the healthy one paces the loop.
        while (metrics.ClosedCount("slow_consumer") == 0)
        {
            await node.PublishAsync(topic, $$"""{"n":{{i}},"pad":"{{pad}}"}""");
            Assert.Equal(i, N(await witness.ReceiveMessageAsync()));
            Assert.True(++i < 1_000_000, "the stalled client was never closed");
        }
        Assert.True(metrics.Snapshot().MessagesDropped > 0);
        Assert.Equal(0, metrics.Snapshot().MessagesConflated);
        // The stalled peer never drains its socket, so the node aborts it once the close times out.
        stalled.Resume();
        await stalled.Closed.Within(TimeSpan.FromSeconds(15));
        await Bounded.Eventually(() => Task.FromResult(metrics.ConnectionsCurrent == 1), "the stalled connection is released");
    }
}

/// <summary>A topic that used to tick and fell silent is reported once; its next message is the all-clear.</summary>
public sealed class StalenessTests
{
    [Fact]
    public async Task A_silent_topic_gets_one_stale_notice_then_resumes()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Staleness:After:quiet.>"] = "00:00:00.300",
            ["Staleness:CheckInterval"] = "00:00:00.050",
        });
        var topic = "quiet." + Guid.NewGuid().ToString("N")[..8];
        await using var client = await node.ConnectAsync();
        await client.SubscribeAsync("quiet.>");
        await node.PublishAsync(topic, """{"n":1}""");
        await client.ReceiveMessageAsync();
        var stale = await client.WaitForAsync(o => o.GetProperty("type").GetString() == "stale");
        Assert.Equal(topic, stale.GetProperty("topic").GetString());
        Assert.Equal("quiet.>", stale.GetProperty("pattern").GetString());
        Assert.True(stale.GetProperty("lastMessageAt").GetInt64() > 0);
        await node.PublishAsync(topic, """{"n":2}""");
        Assert.Equal(2, (await client.ReceiveMessageAsync()).GetProperty("data").GetProperty("n").GetInt32());
        await client.RoundTripAsync();
        Assert.True(client.NothingPending, "one notice per silence, not one per check");
    }
}

public sealed class ConflationSettingsTests
{
    [Fact]
    public void Configured_conflatable_patterns_replace_the_defaults()
    {
        var configuration = Microsoft.Extensions.Configuration.MemoryConfigurationBuilderExtensions.AddInMemoryCollection(
            new Microsoft.Extensions.Configuration.ConfigurationBuilder(),
            new Dictionary<string, string?> { ["Gateway:ConflatablePatterns:0"] = "orders.>" }).Build();
        var options = new PushGateway.Configuration.GatewayOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(configuration.GetSection("Gateway"), options);
        Assert.Equal(new[] { "orders.>" }, options.EffectiveConflatablePatterns);
        Assert.Equal(new[] { "fx.>", "smog.>" }, new PushGateway.Configuration.GatewayOptions().EffectiveConflatablePatterns);
    }
}
