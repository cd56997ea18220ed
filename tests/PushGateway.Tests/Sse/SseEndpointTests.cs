using System.Net;
using Microsoft.Extensions.Hosting;
using PushGateway.Lifecycle;
using PushGateway.Observability;
using PushGateway.Tests.Infrastructure;
using PushGateway.Tests.Integration;

namespace PushGateway.Tests.Sse;

/// <summary>GET /sse on one node over the in-process bus, read as a browser's EventSource would.</summary>
public sealed class SseEndpointTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    private GatewayNode Node => fixture.Node;

    private static string Unique(string prefix) => prefix + "." + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Live_messages_arrive_as_message_events_with_ids_once_the_stream_is_open()
    {
        var topic = Unique("fx");
        await using var stream = await SseClient.ConnectAsync(Node, $"topics={topic}");

        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType!.MediaType);
        Assert.True(stream.Response.Headers.CacheControl!.NoCache);
        Assert.Equal("no", stream.Response.Headers.GetValues("X-Accel-Buffering").Single());
        // The headers arrive only once the subscription is live: nothing published after them is lost.
        await Node.PublishAsync(topic, """{"n":1}""");
        await Node.PublishAsync(topic, """{"n":2}""");

        var (first, one) = await stream.ReadMessageAsync();
        var (second, two) = await stream.ReadMessageAsync();
        Assert.Equal([1, 2], new[] { SseClient.N(one), SseClient.N(two) });
        Assert.Equal(topic, one.GetProperty("topic").GetString());
        var epoch = one.GetProperty("epoch").GetString();
        Assert.Equal($"{topic}:{epoch}:1", first.Id);
        Assert.Equal($"{topic}:{epoch}:2", second.Id);
    }

    [Fact]
    public async Task A_pattern_delivers_every_matching_topic_and_the_id_tracks_each_of_them()
    {
        var root = Unique("smog");
        var exact = Unique("fx");
        await using var stream = await SseClient.ConnectAsync(Node, $"topics={exact},{root}.krakow.*");

        await Node.PublishAsync(root + ".krakow.a", """{"n":1}""");
        await Node.PublishAsync(root + ".gdansk.b", """{"n":99}""");
        await Node.PublishAsync(root + ".krakow.b", """{"n":2}""");
        await Node.PublishAsync(exact, """{"n":3}""");

        var received = new List<(string Topic, string? Pattern, int N)>();
        for (var i = 0; i < 3; i++)
        {
            var (_, message) = await stream.ReadMessageAsync();
            received.Add((message.GetProperty("topic").GetString()!, message.TryGetProperty("pattern", out var p) ? p.GetString() : null, SseClient.N(message)));
        }
        // Order holds per topic, not across topics (each topic has its own dispatch worker).
        Assert.Equal([(root + ".krakow.a", root + ".krakow.*", 1), (root + ".krakow.b", root + ".krakow.*", 2), (exact, null, 3)], received.OrderBy(r => r.N));
        var topics = stream.LastEventId!.Split(',').Select(entry => entry.Split(':')[0]);
        Assert.Equal(new[] { root + ".krakow.a", root + ".krakow.b", exact }.Order(StringComparer.Ordinal), topics.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("", "'topics' is required")]
    [InlineData("topics=fx..EURUSD", "invalid topic")]
    [InlineData("topics=fx.EURUSD,fx.>.x", "invalid topic 'fx.>.x'")]
    [InlineData("topics=fx.a&maxRate=-1", "'maxRate'")]
    public async Task Bad_input_is_answered_400_with_a_plain_text_reason(string query, string reason)
    {
        var (status, body, response) = await SseClient.RefusalAsync(Node, query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(reason, body);
    }

    [Fact]
    public async Task A_reconnect_with_the_last_id_replays_exactly_what_was_missed_then_goes_live()
    {
        var topic = Unique("orders");
        string lastId;
        await using (var first = await SseClient.ConnectAsync(Node, $"topics={topic}"))
        {
            await Node.PublishAsync(topic, """{"n":1}""");
            await first.ReadMessageAsync();
            lastId = first.LastEventId!;
        }
        for (var n = 2; n <= 4; n++) await Node.PublishAsync(topic, $$"""{"n":{{n}}}""");

        // The query parameter is what EventSource polyfills send instead of the header.
        await using var second = await SseClient.ConnectAsync(Node, $"topics={topic}&lastEventId={Uri.EscapeDataString(lastId)}");
        await Node.PublishAsync(topic, """{"n":5}""");

        var received = new List<int>();
        for (var i = 0; i < 4; i++) received.Add(SseClient.N((await second.ReadMessageAsync()).Message));
        Assert.Equal([2, 3, 4, 5], received);
    }

    [Fact]
    public async Task A_last_id_from_another_epoch_yields_a_gap_that_carries_the_current_position()
    {
        var topic = Unique("fx");
        await Node.PublishAsync(topic, """{"n":1}""");
        await Node.PublishAsync(topic, """{"n":2}""");

        await using var stream = await SseClient.ConnectAsync(Node, $"topics={topic}", lastEventId: $"{topic}:0bsolete:1");
        var gap = await stream.ReadEventAsync();

        Assert.Equal("gap", gap!.Event);
        Assert.Equal("epoch_changed", gap.Json.GetProperty("reason").GetString());
        Assert.False(gap.Json.GetProperty("recovered").GetBoolean());
        var epoch = gap.Json.GetProperty("epoch").GetString();
        Assert.Equal($"{topic}:{epoch}:2", gap.Id);
        await Node.PublishAsync(topic, """{"n":3}""");
        Assert.Equal(3, SseClient.N((await stream.ReadMessageAsync()).Message));
    }

    [Fact]
    public async Task An_unreadable_last_id_is_ignored_and_the_stream_starts_afresh()
    {
        var topic = Unique("fx");
        await Node.PublishAsync(topic, """{"n":1}""");

        await using var stream = await SseClient.ConnectAsync(Node, $"topics={topic}&snapshot=true", lastEventId: "not an id");

        var comment = await stream.ReadBlockAsync();
        Assert.Contains("Last-Event-ID could not be read", comment!.Comments.Single());
        var (snapshot, message) = await stream.ReadMessageAsync();
        Assert.Equal(1, SseClient.N(message));
        Assert.NotNull(snapshot.Id);
    }

    [Fact]
    public async Task A_draining_node_sends_streams_away_with_a_retry_instead_of_an_error_eventsource_would_not_retry()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Gateway:DrainGracePeriod"] = "00:00:00" });
        await node.Get<DrainCoordinator>().DrainAsync().Within();

        await using var stream = await SseClient.ConnectAsync(node, "topics=fx.EURUSD");

        var block = await stream.ReadBlockAsync();
        Assert.InRange(block!.Retry!.Value, 1000, 5000);
        Assert.Null(await stream.ReadBlockAsync());
    }

    [Fact]
    public async Task When_the_node_stops_its_streams_end_with_a_jittered_retry_and_release_their_subscriptions()
    {
        await using var node = GatewayNode.Start();
        var metrics = node.Get<GatewayMetrics>();
        await using var stream = await SseClient.ConnectAsync(node, "topics=fx.EURUSD,smog.>");
        Assert.Equal(2, metrics.Snapshot().Subscriptions);

        node.Get<IHostApplicationLifetime>().StopApplication();

        var block = await stream.ReadBlockAsync();
        Assert.InRange(block!.Retry!.Value, 1000, 5000);
        Assert.Null(await stream.ReadBlockAsync());
        await Bounded.Eventually(() => Task.FromResult(metrics.Snapshot().Subscriptions == 0), "the stream's subscriptions are released");
        Assert.Equal(1, metrics.ClosedCount("draining"));
    }

    [Fact]
    public async Task An_idle_stream_gets_keepalive_comments()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Gateway:KeepAliveInterval"] = "00:00:00.100" });
        await using var stream = await SseClient.ConnectAsync(node, "topics=fx.EURUSD");

        var block = await stream.ReadBlockAsync();

        Assert.Equal(["keepalive"], block!.Comments);
        Assert.Null(block.Data);
    }

    [Fact]
    public async Task A_stream_that_cannot_keep_up_is_ended_so_the_browser_resumes_from_history()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Gateway:SendQueueBytes"] = "1024",
            ["Gateway:CloseTimeout"] = "00:00:01",
        });
        var metrics = node.Get<GatewayMetrics>();
        var topic = Unique("orders");
        // Never read: the socket buffers fill, the writer blocks, and the queue overflows.
        await using var stalled = await SseClient.ConnectAsync(node, $"topics={topic}");
        var payload = $$"""{"pad":"{{new string('x', 16 * 1024)}}"}""";
        await Bounded.Eventually(async () =>
        {
            for (var i = 0; i < 50; i++) await node.PublishAsync(topic, payload);
            return metrics.ClosedCount("slow_consumer") == 1;
        }, "the stalled stream is ended as a slow consumer", TimeSpan.FromSeconds(30));
        await Bounded.Eventually(() => Task.FromResult(metrics.Snapshot().Subscriptions == 0), "the stalled stream's subscription is released");
    }
}
