namespace FeedSimulator.Fx;

/// <summary>One FX tick before serialisation: prices already rounded to the pair's precision.</summary>
internal readonly record struct FxQuote(FxPair Pair, decimal Bid, decimal Ask, decimal Mid, DateTimeOffset Timestamp, long Seq);
