using System.Globalization;
using System.Text.Json;
using FeedSimulator.Fx;
using FeedSimulator.Tests.Infrastructure;

namespace FeedSimulator.Tests.Fx;

public class FxPayloadTests
{
    private static readonly string[] Fields = ["pair", "bid", "ask", "mid", "ts", "seq"];

    [Fact]
    public void Quotes_have_bid_below_ask_the_pairs_spread_and_precision_and_a_mid_between()
    {
        var pairs = FxCatalog.Pairs.ToDictionary(p => p.Symbol);
        var ticks = new FeedEngine(TestOptions.Create(o => o.Smog = false), TimeProvider.System).Generate(20_000);

        foreach (var tick in ticks)
        {
            using var json = JsonDocument.Parse(tick.Payload);
            var root = json.RootElement;
            var pair = pairs[root.GetProperty("pair").GetString()!];
            Assert.Equal(pair.Topic, tick.Topic);
            var bid = root.GetProperty("bid");
            var ask = root.GetProperty("ask");
            var mid = root.GetProperty("mid");
            Assert.All(new[] { bid, ask, mid }, price => Assert.Equal(pair.Decimals, DecimalsOf(price)));
            Assert.True(bid.GetDecimal() < ask.GetDecimal());
            Assert.Equal(pair.SpreadPoints / (decimal)pair.PointsPerUnit, ask.GetDecimal() - bid.GetDecimal());
            Assert.Equal((bid.GetDecimal() + ask.GetDecimal()) / 2, mid.GetDecimal());
        }
    }

    [Theory]
    [InlineData("USDJPY", 3)]
    [InlineData("EURJPY", 3)]
    [InlineData("GBPJPY", 3)]
    [InlineData("EURUSD", 5)]
    [InlineData("EURPLN", 5)]
    [InlineData("CHFPLN", 5)]
    public void Jpy_pairs_quote_three_decimals_the_others_five(string symbol, int decimals)
    {
        Assert.Equal(decimals, FxCatalog.Pairs.Single(p => p.Symbol == symbol).Decimals);
    }

    [Fact]
    public void Payload_has_exactly_the_documented_fields_in_order_with_ms_utc_timestamps()
    {
        var tick = new FeedEngine(TestOptions.Create(o => o.Smog = false), TimeProvider.System).Generate(1).Single();

        using var json = JsonDocument.Parse(tick.Payload);
        Assert.Equal(Fields, json.RootElement.EnumerateObject().Select(p => p.Name));
        var ts = json.RootElement.GetProperty("ts").GetString()!;
        Assert.Matches("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$", ts);
        var parsed = DateTimeOffset.Parse(ts, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.True(tick.Timestamp - parsed >= TimeSpan.Zero && tick.Timestamp - parsed < TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void Sequence_numbers_count_from_one_per_pair()
    {
        var next = new Dictionary<string, long>();
        foreach (var tick in new FeedEngine(TestOptions.Create(o => o.Smog = false), TimeProvider.System).Generate(5_000))
        {
            using var json = JsonDocument.Parse(tick.Payload);
            var pair = json.RootElement.GetProperty("pair").GetString()!;
            var expected = next.GetValueOrDefault(pair, 1);
            Assert.Equal(expected, json.RootElement.GetProperty("seq").GetInt64());
            next[pair] = expected + 1;
        }
        Assert.Equal(FxCatalog.Pairs.Count, next.Count);
    }

    [Fact]
    public void Catalog_has_the_majors_crosses_and_zloty_pairs()
    {
        string[] required =
        [
            "EURUSD", "GBPUSD", "USDJPY", "USDCHF", "AUDUSD", "USDCAD", "NZDUSD",
            "EURGBP", "EURJPY", "GBPJPY", "EURCHF", "EURPLN", "USDPLN", "GBPPLN", "CHFPLN",
        ];

        Assert.Equal(required.Order(), FxCatalog.Pairs.Select(p => p.Symbol).Order());
    }

    private static int DecimalsOf(JsonElement number)
    {
        var text = number.GetRawText();
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? 0 : text.Length - dot - 1;
    }
}
