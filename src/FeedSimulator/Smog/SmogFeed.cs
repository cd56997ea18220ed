using FeedSimulator.Serialization;

namespace FeedSimulator.Smog;

/// <summary>
/// Steps the air-quality model through simulated time in rounds of <see cref="FeedOptions.SmogInterval"/>:
/// city weather moves once per round, then every station reads once, spread evenly across the round so the
/// feed is a steady trickle rather than one burst per interval.
/// </summary>
internal sealed class SmogFeed
{
    private readonly DateTimeOffset start;
    private readonly TimeSpan interval;
    private readonly double intervalSeconds;
    private readonly double staggerSeconds;
    private readonly CityConditions[] cities;
    private readonly StationState[] stations;
    private readonly int[] cityOfStation;
    private readonly List<string> flags = new(6);
    private long round;
    private int next;

    public SmogFeed(FeedOptions options, DateTimeOffset start)
        : this(options, start, SmogCatalog.Cities)
    {
    }

    public SmogFeed(FeedOptions options, DateTimeOffset start, IReadOnlyList<City> catalog)
    {
        this.start = start;
        interval = options.SmogInterval;
        intervalSeconds = interval.TotalSeconds;
        cities = [.. catalog.Select(c => new CityConditions(c, options.Seed))];
        stations = [.. catalog.SelectMany(c => c.Stations).Select(s => new StationState(s, options.Seed, options.SmogFaultProbability))];
        cityOfStation = [.. catalog.SelectMany((c, i) => c.Stations.Select(_ => i))];
        staggerSeconds = intervalSeconds / stations.Length;
    }

    public IReadOnlyList<Station> Stations => [.. stations.Select(s => s.Station)];

    /// <summary>Simulated seconds since the start of the next reading.</summary>
    public double NextDueSeconds => round * intervalSeconds + next * staggerSeconds;

    public SmogReading Next()
    {
        if (next == 0) StartRound();
        var seconds = NextDueSeconds;
        var state = stations[next];
        var conditions = cities[cityOfStation[next]];
        if (round > 0) state.Advance(interval);
        var timestamp = SimulatedClock.At(start, seconds);
        var truth = PollutionModel.Compute(conditions, state, CentralEuropeanTime.ToLocal(timestamp), seconds);
        var reading = Report(state, timestamp, truth);
        if (++next == stations.Length)
        {
            next = 0;
            round++;
        }
        return reading;
    }

    public FeedTick NextTick(PayloadWriter writer)
    {
        var reading = Next();
        return new FeedTick(reading.Station.Topic, SmogPayload.Write(writer, reading), reading.Timestamp);
    }

    private void StartRound()
    {
        var seconds = round * intervalSeconds;
        var local = CentralEuropeanTime.ToLocal(SimulatedClock.At(start, seconds));
        var elapsed = round == 0 ? TimeSpan.Zero : interval;
        foreach (var city in cities) city.Advance(elapsed, seconds, local);
    }

    private SmogReading Report(StationState state, DateTimeOffset timestamp, TrueConditions truth)
    {
        flags.Clear();
        var faults = state.Faults;
        var pm25 = faults.Report(Sensor.Pm25, Round(truth.Pm25, 1), flags, out var pm25Trusted);
        var pm10 = faults.Report(Sensor.Pm10, Round(truth.Pm10, 1), flags, out var pm10Trusted);
        var no2 = faults.Report(Sensor.No2, Round(truth.No2, 1), flags, out var no2Trusted);
        var o3 = faults.Report(Sensor.O3, Round(truth.O3, 1), flags, out var o3Trusted);
        var temperature = faults.Report(Sensor.Temperature, Round(truth.Temperature, 1), flags, out _);
        var humidity = faults.Report(Sensor.Humidity, Round(truth.Humidity, 0), flags, out _);
        // A stuck sensor's value looks plausible but is known bad, so the index leaves it out like a missing one.
        var aqi = AirQualityIndex.Evaluate(
            pm25Trusted ? pm25 : null, pm10Trusted ? pm10 : null, no2Trusted ? no2 : null, o3Trusted ? o3 : null);
        return new SmogReading(
            state.Station, timestamp, pm25, pm10, no2, o3, temperature, humidity, aqi,
            flags.Count == 0 ? [] : [.. flags], ++state.Seq);
    }

    private static double Round(double value, int decimals) => Math.Round(value, decimals, MidpointRounding.AwayFromZero);
}
