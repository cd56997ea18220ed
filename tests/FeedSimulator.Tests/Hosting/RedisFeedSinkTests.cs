using FeedSimulator.Hosting;
using FeedSimulator.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace FeedSimulator.Tests.Hosting;

public class RedisFeedSinkTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Publishes_every_tick_in_order_on_prefix_plus_topic()
    {
        await using var recorder = await ChannelRecorder.StartAsync(redis.ConnectionString, "sinktest.*");
        var counters = new PublishCounters();
        var options = new RedisSinkOptions { ConnectionString = redis.ConnectionString, ChannelPrefix = "sinktest.", MaxPendingPublishes = 50 };
        await using var sink = new RedisFeedSink(options, counters, NullLogger<RedisFeedSink>.Instance);
        await sink.ConnectAsync().Within();
        var engine = new FeedEngine(TestOptions.Create(o => (o.FxTicksPerSecond, o.MaxTicks) = (5_000, 500)), TimeProvider.System);

        await engine.RunAsync(sink, CancellationToken.None).Within();
        Assert.True(await sink.DrainAsync(TimeSpan.FromSeconds(10)).Within());
        await recorder.WaitForAsync(500).Within();

        var expected = engine.Generate(500).ToList();
        Assert.Equal(expected.Select(t => "sinktest." + t.Topic), recorder.Messages.Select(m => m.Channel));
        Assert.Equal(expected.Select(t => t.Payload.ToArray()), recorder.Messages.Select(m => m.Payload));
        Assert.Equal(500, counters.Published);
        Assert.Equal(0, counters.Failed);
    }

    [Fact]
    public async Task Publishes_to_an_unreachable_redis_count_as_failed_without_throwing()
    {
        var counters = new PublishCounters();
        var options = new RedisSinkOptions { ConnectionString = "127.0.0.1:1,connectTimeout=200", MaxPendingPublishes = 10 };
        await using var sink = new RedisFeedSink(options, counters, NullLogger<RedisFeedSink>.Instance);
        await sink.ConnectAsync().Within();

        for (var i = 0; i < 20; i++) await sink.PublishAsync("fx.EURUSD", "{}"u8.ToArray(), CancellationToken.None).AsTask().Within();
        Assert.True(await sink.DrainAsync(TimeSpan.FromSeconds(20)).Within());

        Assert.Equal(20, counters.Failed);
        Assert.Equal(0, counters.Published);
    }
}
