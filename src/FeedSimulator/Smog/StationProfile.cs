namespace FeedSimulator.Smog;

/// <summary>
/// How a kind of station departs from its city's background: traffic sites see more NO2 and coarse dust and
/// less ozone (fresh NO eats it), suburban sites the reverse; <see cref="HeatIsland"/> is in °C.
/// </summary>
internal sealed record StationProfile(double Pm, double Pm10Ratio, double No2, double O3, double HeatIsland)
{
    public static StationProfile For(StationKind kind) => kind switch
    {
        StationKind.Traffic => new(1.15, 1.15, 1.7, 0.75, 0.6),
        StationKind.Suburban => new(0.90, 0.95, 0.6, 1.15, 0.0),
        StationKind.Industrial => new(1.25, 1.10, 1.15, 0.85, 0.5),
        _ => new(1.00, 1.00, 1.0, 1.00, 0.4),
    };
}
