namespace FeedSimulator.Fx;

/// <summary>A quoted pair: price = units of <see cref="Quote"/> per one unit of <see cref="Base"/>.</summary>
internal sealed class FxPair
{
    public FxPair(string baseCode, string quoteCode, int decimals, int spreadPoints, double weight)
    {
        // Bid and ask sit symmetrically around the rounded mid, so an odd spread would need an extra decimal.
        if (spreadPoints <= 0 || spreadPoints % 2 != 0) throw new ArgumentOutOfRangeException(nameof(spreadPoints), "spread must be a positive even number of points");
        Base = baseCode;
        Quote = quoteCode;
        Symbol = baseCode + quoteCode;
        Topic = "fx." + Symbol;
        Decimals = decimals;
        SpreadPoints = spreadPoints;
        Weight = weight;
        PointsPerUnit = Math.Pow(10, decimals);
    }

    public string Symbol { get; }

    public string Base { get; }

    public string Quote { get; }

    public string Topic { get; }

    /// <summary>Decimals quoted: 3 for JPY pairs, 5 for the rest. One point is the last decimal.</summary>
    public int Decimals { get; }

    /// <summary>Ask minus bid in points; a point is the last decimal, a tenth of a pip.</summary>
    public int SpreadPoints { get; }

    /// <summary>Relative share of all ticks that go to this pair.</summary>
    public double Weight { get; }

    public double PointsPerUnit { get; }

    /// <summary>Rounds a model mid to the pair's precision and puts bid and ask half a spread either side.</summary>
    public (long Bid, long Ask, long Mid) ToPoints(double mid)
    {
        var half = SpreadPoints / 2;
        var midPoints = Math.Max((long)Math.Round(mid * PointsPerUnit, MidpointRounding.ToEven), half + 1);
        return (midPoints - half, midPoints + half, midPoints);
    }
}
