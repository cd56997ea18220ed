using FeedSimulator.Randomness;

namespace FeedSimulator.Smog;

/// <summary>What one station adds to its city's conditions: local noise per pollutant, its sensors' faults and its sequence.</summary>
internal sealed class StationState
{
    public StationState(Station station, int seed, double faultProbability)
    {
        Station = station;
        Random = new SimRandom(seed, $"smog.{station.CityId}.{station.Id}");
        // A stream of its own, so the fault rate changes which values are hidden, never the values themselves.
        Faults = new SensorFaults(faultProbability, new SimRandom(seed, $"smog.{station.CityId}.{station.Id}.faults"));
        PmNoise = new MeanRevertingNoise(0.18, TimeSpan.FromHours(2), Random);
        No2Noise = new MeanRevertingNoise(0.20, TimeSpan.FromHours(2), Random);
        O3Noise = new MeanRevertingNoise(0.15, TimeSpan.FromHours(3), Random);
    }

    public Station Station { get; }

    public SimRandom Random { get; }

    public SensorFaults Faults { get; }

    public MeanRevertingNoise PmNoise { get; }

    public MeanRevertingNoise No2Noise { get; }

    public MeanRevertingNoise O3Noise { get; }

    public long Seq { get; set; }

    public void Advance(TimeSpan elapsed)
    {
        PmNoise.Advance(elapsed, Random);
        No2Noise.Advance(elapsed, Random);
        O3Noise.Advance(elapsed, Random);
    }
}
