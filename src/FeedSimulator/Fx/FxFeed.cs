using FeedSimulator.Randomness;
using FeedSimulator.Serialization;

namespace FeedSimulator.Fx;

/// <summary>
/// Steps the FX model through simulated time: each arrival advances the whole market to that instant, picks a
/// pair by its weight and quotes it. Simulated FX time runs at the speed of real time.
/// </summary>
internal sealed class FxFeed
{
    private readonly DateTimeOffset start;
    private readonly FxMarket market;
    private readonly TickArrivals arrivals;
    private readonly SimRandom pairRandom;
    private readonly FxPair[] pairs;
    private readonly int[] baseIndex;
    private readonly int[] quoteIndex;
    private readonly double[] cumulativeWeight;
    private readonly long[] seq;
    private double marketTime;

    public FxFeed(FeedOptions options, DateTimeOffset start)
    {
        this.start = start;
        market = new FxMarket(FxCatalog.Currencies, options.FxVolatilityScale, new SimRandom(options.Seed, "fx.market"));
        arrivals = new TickArrivals(
            options.FxTicksPerSecond, options.FxBurstMultiplier, options.FxMeanCalmDuration, options.FxMeanBurstDuration,
            new SimRandom(options.Seed, "fx.arrivals"));
        pairRandom = new SimRandom(options.Seed, "fx.pairs");
        pairs = [.. FxCatalog.Pairs];
        baseIndex = [.. pairs.Select(p => FxCatalog.IndexOf(p.Base))];
        quoteIndex = [.. pairs.Select(p => FxCatalog.IndexOf(p.Quote))];
        seq = new long[pairs.Length];
        cumulativeWeight = new double[pairs.Length];
        var total = pairs.Sum(p => p.Weight);
        var running = 0.0;
        for (var i = 0; i < pairs.Length; i++)
        {
            running += pairs[i].Weight / total;
            cumulativeWeight[i] = running;
        }
    }

    public IReadOnlyList<FxPair> Pairs => pairs;

    /// <summary>Simulated seconds since the start at which the next tick is due.</summary>
    public double NextDueSeconds => arrivals.Peek();

    public FxQuote Next()
    {
        var time = arrivals.Next();
        market.Advance(time - marketTime);
        marketTime = time;
        var index = PickPair();
        return Quote(index, ++seq[index]);
    }

    /// <summary>Every pair quoted at the current market instant, without publishing (seq 0): lets tests compare crosses with legs.</summary>
    public IReadOnlyList<FxQuote> Snapshot()
    {
        var quotes = new FxQuote[pairs.Length];
        for (var i = 0; i < pairs.Length; i++) quotes[i] = Quote(i, 0);
        return quotes;
    }

    public FeedTick NextTick(PayloadWriter writer)
    {
        var quote = Next();
        return new FeedTick(quote.Pair.Topic, FxPayload.Write(writer, quote), quote.Timestamp);
    }

    private int PickPair()
    {
        var draw = pairRandom.NextDouble();
        for (var i = 0; i < cumulativeWeight.Length - 1; i++)
        {
            if (draw < cumulativeWeight[i]) return i;
        }
        return cumulativeWeight.Length - 1;
    }

    private FxQuote Quote(int index, long sequence)
    {
        var pair = pairs[index];
        var (bid, ask, mid) = pair.ToPoints(market.Mid(baseIndex[index], quoteIndex[index]));
        var scale = (byte)pair.Decimals;
        return new FxQuote(
            pair,
            FixedPoint.ToDecimal(bid, scale),
            FixedPoint.ToDecimal(ask, scale),
            FixedPoint.ToDecimal(mid, scale),
            SimulatedClock.At(start, marketTime),
            sequence);
    }
}
