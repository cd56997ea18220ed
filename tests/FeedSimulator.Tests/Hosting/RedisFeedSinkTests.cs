using FeedSimulator.Hosting;
using FeedSimulator.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace FeedSimulator.Tests.Hosting;

public class RedisFeedSinkTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Publishes_every_tick_in_order_on_prefix_plus_topic(bool sequenced)
    {
        var prefix = sequenced ? "seqtest." : "sinktest.";
        await using var recorder = await ChannelRecorder.StartAsync(redis.ConnectionString, prefix + "*");
        var counters = new PublishCounters();
        var options = new RedisSinkOptions { ConnectionString = redis.ConnectionString, ChannelPrefix = prefix, MaxPendingPublishes = 50, Sequenced = sequenced };
        await using var sink = new RedisFeedSink(options, counters, NullLogger<RedisFeedSink>.Instance);
        await sink.ConnectAsync().Within();
        var engine = new FeedEngine(TestOptions.Create(o => (o.FxTicksPerSecond, o.MaxTicks) = (5_000, 500)), TimeProvider.System);

        await engine.RunAsync(sink, CancellationToken.None).Within();
        Assert.True(await sink.DrainAsync(TimeSpan.FromSeconds(10)).Within());
        await recorder.WaitForAsync(500).Within();

        var expected = engine.Generate(500).ToList();
        Assert.Equal(expected.Select(t => prefix + t.Topic), recorder.Messages.Select(m => m.Channel));
        Assert.Equal(expected.Select(t => t.Payload.ToArray()), recorder.Messages.Select(m => sequenced ? Unwrap(m.Payload).Payload : m.Payload));
        if (sequenced)
        {
            // The sequenced path numbers each topic 1, 2, 3, ... without holes.
            foreach (var topic in recorder.Messages.GroupBy(m => m.Channel))
                Assert.Equal(Enumerable.Range(1, topic.Count()).Select(i => (long)i), topic.Select(m => Unwrap(m.Payload).Seq));
        }
        Assert.Equal(500, counters.Published);
        Assert.Equal(0, counters.Failed);
    }

    /// <summary>Splits the gateway's envelope: 0x1E seq:epoch:ms LF payload.</summary>
    private static (long Seq, byte[] Payload) Unwrap(byte[] raw)
    {
        Assert.Equal(0x1E, raw[0]);
        var newline = Array.IndexOf(raw, (byte)'\n');
        var header = System.Text.Encoding.ASCII.GetString(raw, 1, newline - 1).Split(':');
        return (long.Parse(header[0]), raw[(newline + 1)..]);
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
