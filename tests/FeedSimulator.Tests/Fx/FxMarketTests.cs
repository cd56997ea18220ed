using FeedSimulator.Fx;
using FeedSimulator.Tests.Infrastructure;

namespace FeedSimulator.Tests.Fx;

public class FxMarketTests
{
    [Fact]
    public void Realised_volatility_of_every_pair_matches_its_configured_volatility()
    {
        // One tick per ~1000 s, far enough apart that rounding to 5 decimals is negligible against the moves.
        // Bursts only change when ticks come, not how prices move, so they are off to keep the test fast.
        var feed = new FxFeed(SparseTicks(), TestOptions.Start);

        var realised = RealisedVolatility(feed, 100_000);

        foreach (var pair in FxCatalog.Pairs)
        {
            var expected = FxCatalog.PairVolatility(pair);
            Assert.InRange(realised[pair.Symbol], expected * 0.95, expected * 1.05);
        }
    }

    [Fact]
    public void Volatility_scale_multiplies_every_pairs_volatility()
    {
        var options = SparseTicks();
        options.FxVolatilityScale = 3;
        var feed = new FxFeed(options, TestOptions.Start);

        var realised = RealisedVolatility(feed, 40_000);

        var expected = 3 * FxCatalog.PairVolatility(FxCatalog.Pairs.Single(p => p.Symbol == "EURUSD"));
        Assert.InRange(realised["EURUSD"], expected * 0.93, expected * 1.07);
    }

    [Fact]
    public void Crosses_equal_the_ratio_of_their_dollar_legs_up_to_rounding()
    {
        // Slow ticks, so an independently simulated cross would drift far beyond the rounding tolerance.
        var feed = new FxFeed(TestOptions.Create(o => (o.FxTicksPerSecond, o.FxBurstMultiplier) = (0.01, 1)), TestOptions.Start);

        for (var step = 0; step < 2_000; step++)
        {
            feed.Next();
            var quotes = feed.Snapshot().ToDictionary(q => q.Pair.Symbol);
            foreach (var quote in quotes.Values.Where(q => q.Pair.Base != "USD" && q.Pair.Quote != "USD"))
            {
                var (baseUsd, baseError) = UsdValue(quotes, quote.Pair.Base);
                var (quoteUsd, quoteError) = UsdValue(quotes, quote.Pair.Quote);
                var implied = baseUsd / quoteUsd;
                var crossError = 0.5 / quote.Pair.PointsPerUnit / (double)quote.Mid;
                var tolerance = baseError + quoteError + crossError;
                Assert.True(Math.Abs((double)quote.Mid / implied - 1) <= tolerance * 1.01,
                    $"{quote.Pair.Symbol} {quote.Mid} vs legs {implied} at step {step}");
            }
        }
    }

    [Fact]
    public void Crosses_are_calmer_than_their_legs_added_independently()
    {
        var eurgbp = FxCatalog.Pairs.Single(p => p.Symbol == "EURGBP");
        var eur = FxCatalog.Currencies.Single(c => c.Code == "EUR").AnnualVolatility;
        var gbp = FxCatalog.Currencies.Single(c => c.Code == "GBP").AnnualVolatility;

        Assert.True(FxCatalog.PairVolatility(eurgbp) < Math.Sqrt(eur * eur + gbp * gbp) * 0.8);
    }

    private static FeedOptions SparseTicks() => TestOptions.Create(o => (o.FxTicksPerSecond, o.FxBurstMultiplier) = (0.001, 1));

    private static Dictionary<string, double> RealisedVolatility(FxFeed feed, int ticks)
    {
        var last = new Dictionary<string, (double LogMid, double Seconds)>();
        var first = new Dictionary<string, double>();
        var sumSquares = new Dictionary<string, double>();
        for (var i = 0; i < ticks; i++)
        {
            var quote = feed.Next();
            var symbol = quote.Pair.Symbol;
            var seconds = (quote.Timestamp - TestOptions.Start).TotalSeconds;
            var logMid = Math.Log((double)quote.Mid);
            if (last.TryGetValue(symbol, out var previous))
            {
                sumSquares[symbol] = sumSquares.GetValueOrDefault(symbol) + (logMid - previous.LogMid) * (logMid - previous.LogMid);
            }
            else
            {
                first[symbol] = seconds;
            }
            last[symbol] = (logMid, seconds);
        }
        return sumSquares.ToDictionary(
            s => s.Key,
            s => Math.Sqrt(s.Value / ((last[s.Key].Seconds - first[s.Key]) / FxMarket.SecondsPerYear)));
    }

    /// <summary>A currency's dollar value from its USD pair, with the relative error its rounding allows.</summary>
    private static (double Value, double RelativeError) UsdValue(Dictionary<string, FxQuote> quotes, string currency)
    {
        if (currency == "USD") return (1, 0);
        var quote = quotes.TryGetValue(currency + "USD", out var direct) ? direct : quotes["USD" + currency];
        var mid = (double)quote.Mid;
        var error = 0.5 / quote.Pair.PointsPerUnit / mid;
        return quote.Pair.Base == "USD" ? (1 / mid, error) : (mid, error);
    }
}
