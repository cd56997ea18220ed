using FeedSimulator.Randomness;

namespace FeedSimulator.Smog;

/// <summary>
/// The weather a city's stations share: a dispersion anomaly (stagnant air raises every pollutant at once),
/// temperature and humidity anomalies, and the current pollution episode. Sharing it is what makes stations
/// of one city move together.
/// </summary>
internal sealed class CityConditions
{
    private readonly SimRandom random;

    public CityConditions(City city, int seed)
    {
        City = city;
        random = new SimRandom(seed, "smog." + city.Id);
        Dispersion = new MeanRevertingNoise(0.35, TimeSpan.FromHours(10), random);
        TemperatureAnomaly = new MeanRevertingNoise(3.0, TimeSpan.FromDays(3), random);
        HumidityAnomaly = new MeanRevertingNoise(7.0, TimeSpan.FromHours(12), random);
    }

    public City City { get; }

    /// <summary>Log-scale: exp(Dispersion) multiplies particulate levels.</summary>
    public MeanRevertingNoise Dispersion { get; }

    /// <summary>°C away from the seasonal normal, lasting days: cold spells mean more heating.</summary>
    public MeanRevertingNoise TemperatureAnomaly { get; }

    /// <summary>Percentage points of relative humidity away from normal.</summary>
    public MeanRevertingNoise HumidityAnomaly { get; }

    public PollutionEpisode Episode { get; } = new();

    public void Advance(TimeSpan elapsed, double nowSeconds, DateTime local)
    {
        if (elapsed > TimeSpan.Zero)
        {
            Dispersion.Advance(elapsed, random);
            TemperatureAnomaly.Advance(elapsed, random);
            HumidityAnomaly.Advance(elapsed, random);
        }
        var heating = PollutionModel.HeatingDemand(DailyMeanTemperature(local));
        Episode.Step(nowSeconds, elapsed.TotalSeconds, Math.Min(1, heating), random);
    }

    public double DailyMeanTemperature(DateTime local) =>
        PollutionModel.SeasonalTemperature(City, PollutionModel.DayOfYear(local)) + TemperatureAnomaly.Value;
}
