using FeedSimulator.Randomness;

namespace FeedSimulator.Fx;

/// <summary>
/// The dollar value of every currency as correlated geometric Brownian motions. Pairs are derived from these
/// values at one instant, so crosses always agree with their legs (EURGBP = EURUSD / GBPUSD).
/// </summary>
internal sealed class FxMarket
{
    /// <summary>FX trades around the clock, so volatility is annualised over calendar seconds.</summary>
    public const double SecondsPerYear = 365.25 * 24 * 3600;

    private readonly IReadOnlyList<Currency> currencies;
    private readonly double[] logUsdValue;
    private readonly double[] volatility;
    private readonly SimRandom random;

    public FxMarket(IReadOnlyList<Currency> currencies, double volatilityScale, SimRandom random)
    {
        this.currencies = currencies;
        this.random = random;
        logUsdValue = new double[currencies.Count];
        volatility = new double[currencies.Count];
        for (var i = 0; i < currencies.Count; i++)
        {
            logUsdValue[i] = Math.Log(currencies[i].StartUsdValue);
            volatility[i] = currencies[i].AnnualVolatility * volatilityScale;
        }
    }

    /// <summary>Moves every currency forward by the elapsed simulated time.</summary>
    public void Advance(double seconds)
    {
        if (seconds <= 0) return;
        var years = seconds / SecondsPerYear;
        var sqrtYears = Math.Sqrt(years);
        var dollarShock = random.NextNormal();
        for (var i = 0; i < logUsdValue.Length; i++)
        {
            var sigma = volatility[i];
            if (sigma == 0) continue;
            var loading = currencies[i].DollarLoading;
            var shock = loading * dollarShock + Math.Sqrt(1 - loading * loading) * random.NextNormal();
            // The -sigma^2/2 drift keeps each dollar value a martingale: no built-in trend.
            logUsdValue[i] += -0.5 * sigma * sigma * years + sigma * sqrtYears * shock;
        }
    }

    /// <summary>Unrounded mid of a pair whose legs are at the given currency indexes.</summary>
    public double Mid(int baseIndex, int quoteIndex) => Math.Exp(logUsdValue[baseIndex] - logUsdValue[quoteIndex]);
}
