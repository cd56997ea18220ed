namespace FeedSimulator.Fx;

/// <summary>The currencies and pairs the FX feed simulates. Starting levels are roughly those of late 2025.</summary>
internal static class FxCatalog
{
    /// <summary>USD is the numeraire: its dollar value never moves; every other currency moves against it.</summary>
    public static IReadOnlyList<Currency> Currencies { get; } =
    [
        new("USD", 1.0, 0.0, 0.0),
        new("EUR", 1.1600, 0.075, 0.85),
        new("GBP", 1.3200, 0.080, 0.75),
        new("JPY", 1 / 155.00, 0.100, 0.60),
        new("CHF", 1 / 0.8000, 0.080, 0.80),
        new("AUD", 0.6500, 0.100, 0.65),
        new("CAD", 1 / 1.4000, 0.060, 0.55),
        new("NZD", 0.5700, 0.105, 0.65),
        new("PLN", 1 / 3.6500, 0.095, 0.85),
    ];

    /// <summary>Spreads are interbank-like, in points (tenths of a pip); weights approximate how busy each pair is.</summary>
    public static IReadOnlyList<FxPair> Pairs { get; } =
    [
        new("EUR", "USD", 5, 2, 16),
        new("GBP", "USD", 5, 4, 10),
        new("USD", "JPY", 3, 4, 12),
        new("USD", "CHF", 5, 6, 6),
        new("AUD", "USD", 5, 4, 7),
        new("USD", "CAD", 5, 6, 6),
        new("NZD", "USD", 5, 6, 4),
        new("EUR", "GBP", 5, 6, 5),
        new("EUR", "JPY", 3, 6, 6),
        new("GBP", "JPY", 3, 12, 5),
        new("EUR", "CHF", 5, 8, 4),
        new("EUR", "PLN", 5, 80, 7),
        new("USD", "PLN", 5, 100, 6),
        new("GBP", "PLN", 5, 160, 3),
        new("CHF", "PLN", 5, 160, 3),
    ];

    public static int IndexOf(string currencyCode)
    {
        for (var i = 0; i < Currencies.Count; i++)
        {
            if (Currencies[i].Code == currencyCode) return i;
        }
        throw new ArgumentException($"unknown currency {currencyCode}", nameof(currencyCode));
    }

    /// <summary>
    /// The annual volatility a pair should show: both legs follow the dollar factor, so their correlation is the
    /// product of their loadings and a cross is calmer than its two legs added independently.
    /// </summary>
    public static double PairVolatility(FxPair pair, double volatilityScale = 1)
    {
        var b = Currencies[IndexOf(pair.Base)];
        var q = Currencies[IndexOf(pair.Quote)];
        var correlation = b.DollarLoading * q.DollarLoading;
        var variance = b.AnnualVolatility * b.AnnualVolatility + q.AnnualVolatility * q.AnnualVolatility
            - 2 * correlation * b.AnnualVolatility * q.AnnualVolatility;
        return volatilityScale * Math.Sqrt(variance);
    }
}
