using FeedSimulator.Smog;
using FeedSimulator.Tests.Infrastructure;

namespace FeedSimulator.Tests.Smog;

public class SensorFaultsTests
{
    private static readonly Sensor[] AllSensors = Enum.GetValues<Sensor>();

    [Fact]
    public void Faulty_values_are_flagged_and_unflagged_values_are_the_true_ones()
    {
        // Faults draw from their own stream, so the same seed without faults gives the true values.
        var clean = new SmogFeed(TestOptions.Create(o => o.SmogFaultProbability = 0), TestOptions.Start);
        var faulty = new SmogFeed(TestOptions.Create(o => o.SmogFaultProbability = 0.01), TestOptions.Start);
        var lastReported = new Dictionary<(string, Sensor), double>();
        int missing = 0, stuck = 0, longestStuckRun = 0;
        var stuckRun = new Dictionary<(string, Sensor), int>();

        for (var i = 0; i < 50_000; i++)
        {
            var truth = clean.Next();
            var reading = faulty.Next();
            Assert.Equal(truth.Station, reading.Station);
            foreach (var sensor in AllSensors)
            {
                var key = (reading.Station.Topic, sensor);
                var name = SensorFaults.Name(sensor);
                var value = ValueOf(reading, sensor);
                if (reading.Flags.Contains("missing:" + name))
                {
                    Assert.Null(value);
                    missing++;
                }
                else if (reading.Flags.Contains("stuck:" + name))
                {
                    // A stuck sensor repeats what it last reported (or freezes at once on its very first reading).
                    Assert.Equal(lastReported.TryGetValue(key, out var held) ? held : ValueOf(truth, sensor), value);
                    stuck++;
                    stuckRun[key] = stuckRun.GetValueOrDefault(key) + 1;
                    longestStuckRun = Math.Max(longestStuckRun, stuckRun[key]);
                }
                else
                {
                    Assert.Equal(ValueOf(truth, sensor), value);
                    stuckRun[key] = 0;
                }
                if (value is { } reported) lastReported[key] = reported;
            }
        }

        Assert.True(missing > 100, $"{missing} missing values");
        Assert.True(stuck > 100, $"{stuck} stuck values");
        Assert.True(longestStuckRun > 5, $"longest stuck run {longestStuckRun}");
    }

    [Fact]
    public void The_index_ignores_flagged_values()
    {
        var feed = new SmogFeed(TestOptions.Create(o => o.SmogFaultProbability = 0.02), TestOptions.Start);

        for (var i = 0; i < 20_000; i++)
        {
            var r = feed.Next();
            double? Trusted(double? value, string name) => r.Flags.Contains("stuck:" + name) ? null : value;
            var expected = AirQualityIndex.Evaluate(Trusted(r.Pm25, "pm25"), Trusted(r.Pm10, "pm10"), Trusted(r.No2, "no2"), Trusted(r.O3, "o3"));
            Assert.Equal(expected, r.Aqi);
        }
    }

    [Fact]
    public void Without_faults_nothing_is_flagged()
    {
        var feed = new SmogFeed(TestOptions.Create(o => o.SmogFaultProbability = 0), TestOptions.Start);

        for (var i = 0; i < 10_000; i++) Assert.Empty(feed.Next().Flags);
    }

    private static double? ValueOf(SmogReading r, Sensor sensor) => sensor switch
    {
        Sensor.Pm25 => r.Pm25,
        Sensor.Pm10 => r.Pm10,
        Sensor.No2 => r.No2,
        Sensor.O3 => r.O3,
        Sensor.Temperature => r.Temperature,
        _ => r.Humidity,
    };
}
