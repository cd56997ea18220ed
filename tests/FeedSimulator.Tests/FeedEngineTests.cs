using System.Text.Json;
using System.Text.RegularExpressions;
using FeedSimulator.Tests.Infrastructure;

namespace FeedSimulator.Tests;

public class FeedEngineTests
{
    [Fact]
    public void Same_seed_gives_byte_identical_output()
    {
        var first = new FeedEngine(TestOptions.Create(), TimeProvider.System).Generate(20_000).ToList();
        var second = new FeedEngine(TestOptions.Create(), TimeProvider.System).Generate(20_000).ToList();

        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i].Topic, second[i].Topic);
            Assert.True(first[i].Payload.Span.SequenceEqual(second[i].Payload.Span), $"payload {i} differs");
            Assert.Equal(first[i].Timestamp, second[i].Timestamp);
        }
    }

    [Fact]
    public void Different_seed_gives_different_output()
    {
        var first = new FeedEngine(TestOptions.Create(o => o.Seed = 1), TimeProvider.System).Generate(2_000).ToList();
        var second = new FeedEngine(TestOptions.Create(o => o.Seed = 2), TimeProvider.System).Generate(2_000).ToList();

        var same = first.Zip(second).Count(p => p.First.Topic == p.Second.Topic && p.First.Payload.Span.SequenceEqual(p.Second.Payload.Span));
        Assert.True(same < 100, $"{same} of 2000 ticks identical across seeds");
    }

    [Fact]
    public void Generate_is_a_pure_function_of_the_options_not_of_the_engine_instance()
    {
        var engine = new FeedEngine(TestOptions.Create(), TimeProvider.System);

        var first = engine.Generate(500).Select(t => t.Payload.ToArray()).ToList();
        var again = engine.Generate(500).Select(t => t.Payload.ToArray()).ToList();

        Assert.Equal(first, again);
    }

    [Fact]
    public void Turning_fx_off_leaves_the_smog_feed_unchanged()
    {
        var both = new FeedEngine(TestOptions.Create(), TimeProvider.System).Generate(8_000)
            .Where(t => t.Topic.StartsWith("smog.", StringComparison.Ordinal)).ToList();
        var smogOnly = new FeedEngine(TestOptions.Create(o => o.Fx = false), TimeProvider.System).Generate(both.Count).ToList();

        Assert.True(both.Count > 1_000);
        for (var i = 0; i < both.Count; i++)
        {
            Assert.True(both[i].Payload.Span.SequenceEqual(smogOnly[i].Payload.Span), $"smog reading {i} differs");
        }
    }

    [Fact]
    public void Ticks_come_out_in_due_order_and_the_feeds_interleave()
    {
        // At 20 FX ticks/s and 23 smog readings per real second both feeds show up in any stretch.
        var ticks = new FeedEngine(TestOptions.Create(), TimeProvider.System).Generate(2_000).ToList();

        Assert.Contains(ticks, t => t.Topic.StartsWith("fx.", StringComparison.Ordinal));
        Assert.Contains(ticks, t => t.Topic.StartsWith("smog.", StringComparison.Ordinal));
        var fxTimes = ticks.Where(t => t.Topic.StartsWith("fx.", StringComparison.Ordinal)).Select(t => t.Timestamp).ToList();
        Assert.Equal(fxTimes.Order(), fxTimes);
    }

    [Fact]
    public void Every_payload_is_one_json_object_on_its_declared_topic()
    {
        var engine = new FeedEngine(TestOptions.Create(), TimeProvider.System);
        var topicRule = new Regex("^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)+$");

        foreach (var tick in engine.Generate(5_000))
        {
            Assert.Matches(topicRule, tick.Topic);
            Assert.Contains(tick.Topic, engine.Topics);
            using var json = JsonDocument.Parse(tick.Payload);
            Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
            Assert.DoesNotContain((byte)'\n', tick.Payload.ToArray());
        }
    }

    [Fact]
    public void Topics_list_every_pair_and_station_of_the_enabled_feeds_only()
    {
        var all = new FeedEngine(new FeedOptions(), TimeProvider.System).Topics;
        var fxOnly = new FeedEngine(new FeedOptions { Smog = false }, TimeProvider.System).Topics;

        Assert.Contains("fx.EURUSD", all);
        Assert.Contains("smog.krakow.al-krasinskiego", all);
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(fxOnly, t => Assert.StartsWith("fx.", t, StringComparison.Ordinal));
        Assert.Equal(15, fxOnly.Count);
    }

    [Fact]
    public void Without_a_start_time_generate_starts_at_the_time_providers_now()
    {
        var now = new DateTimeOffset(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var engine = new FeedEngine(new FeedOptions { Fx = false }, new FixedTimeProvider(now));

        var first = engine.Generate(1).Single();

        Assert.Equal(now, first.Timestamp);
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
