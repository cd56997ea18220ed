namespace FeedSimulator.Fx;

/// <summary>
/// One currency as the market model sees it: its starting value in US dollars, its annual volatility against
/// the dollar, and how strongly it follows the common "dollar factor" (which sets how crosses co-move).
/// </summary>
internal sealed record Currency(string Code, double StartUsdValue, double AnnualVolatility, double DollarLoading);
