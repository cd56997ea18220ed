namespace FeedSimulator.Smog;

/// <summary>
/// The European Air Quality Index (EEA), as revised in 2024 to follow the 2021 WHO guidelines. Each pollutant's
/// concentration (µg/m³, hourly) falls in a band; the overall level is the worst band of any pollutant.
/// A value equal to a band's upper bound belongs to that band (5.0 PM2.5 is good, 5.1 fair).
/// </summary>
/// <remarks>
/// Upper bounds of good / fair / moderate / poor / very poor; above the last is extremely poor:
/// PM2.5 5, 15, 50, 90, 140. PM10 15, 45, 120, 195, 270. NO2 10, 25, 60, 100, 150. O3 60, 100, 120, 160, 180.
/// The EEA applies them to hourly means; the simulator applies them to each reading as it is.
/// </remarks>
internal static class AirQualityIndex
{
    private static readonly double[] Pm25Bounds = [5, 15, 50, 90, 140];
    private static readonly double[] Pm10Bounds = [15, 45, 120, 195, 270];
    private static readonly double[] No2Bounds = [10, 25, 60, 100, 150];
    private static readonly double[] O3Bounds = [60, 100, 120, 160, 180];

    private static readonly string[] BandNames = ["good", "fair", "moderate", "poor", "very-poor", "extremely-poor"];
    private static readonly string[] PollutantNames = ["pm25", "pm10", "no2", "o3"];

    public static IReadOnlyList<double> UpperBounds(Pollutant pollutant) => pollutant switch
    {
        Pollutant.Pm25 => Pm25Bounds,
        Pollutant.Pm10 => Pm10Bounds,
        Pollutant.No2 => No2Bounds,
        Pollutant.O3 => O3Bounds,
        _ => throw new ArgumentOutOfRangeException(nameof(pollutant)),
    };

    public static AqiBand Band(Pollutant pollutant, double concentration)
    {
        if (double.IsNaN(concentration)) throw new ArgumentOutOfRangeException(nameof(concentration), "concentration is NaN");
        var bounds = UpperBounds(pollutant);
        for (var i = 0; i < bounds.Count; i++)
        {
            if (concentration <= bounds[i]) return (AqiBand)(i + 1);
        }
        return AqiBand.ExtremelyPoor;
    }

    /// <summary>The worst band over the pollutants given; null when none is. Ties go to the earlier pollutant (PM2.5 first).</summary>
    public static AqiResult? Evaluate(double? pm25, double? pm10, double? no2, double? o3)
    {
        AqiResult? worst = null;
        Consider(ref worst, Pollutant.Pm25, pm25);
        Consider(ref worst, Pollutant.Pm10, pm10);
        Consider(ref worst, Pollutant.No2, no2);
        Consider(ref worst, Pollutant.O3, o3);
        return worst;
    }

    /// <summary>The payload token: good, fair, moderate, poor, very-poor, extremely-poor.</summary>
    public static string Name(AqiBand band) => BandNames[(int)band - 1];

    /// <summary>The payload token: pm25, pm10, no2, o3.</summary>
    public static string Name(Pollutant pollutant) => PollutantNames[(int)pollutant];

    private static void Consider(ref AqiResult? worst, Pollutant pollutant, double? concentration)
    {
        if (concentration is not { } value) return;
        var band = Band(pollutant, value);
        if (worst is null || band > worst.Value.Band) worst = new AqiResult(band, pollutant);
    }
}
