using FeedSimulator.Smog;
using FeedSimulator.Tests.Infrastructure;

namespace FeedSimulator.Tests.Smog;

public class SmogFeedTests
{
    [Fact]
    public void Rush_hour_is_worse_than_the_night_in_every_city()
    {
        // Eight weeks from a Monday in January, a reading every 15 simulated minutes.
        var readings = Readings(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(56));

        foreach (var city in readings.GroupBy(r => r.Station.CityId))
        {
            var rush = city.Where(r => LocalHour(r) is >= 7 and < 9).ToList();
            var night = city.Where(r => LocalHour(r) is >= 2 and < 4).ToList();
            Assert.True(rush.Average(r => r.Pm25!.Value) > 1.2 * night.Average(r => r.Pm25!.Value), $"PM2.5 in {city.Key}");
            Assert.True(rush.Average(r => r.No2!.Value) > 1.5 * night.Average(r => r.No2!.Value), $"NO2 in {city.Key}");
        }
    }

    [Fact]
    public void January_is_smoggier_and_colder_than_july_in_every_city()
    {
        var january = Readings(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(31)).ToLookup(r => r.Station.CityId);
        var july = Readings(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(31)).ToLookup(r => r.Station.CityId);

        foreach (var city in SmogCatalog.Cities)
        {
            Assert.True(january[city.Id].Average(r => r.Pm25!.Value) > 1.5 * july[city.Id].Average(r => r.Pm25!.Value), $"PM2.5 in {city.Id}");
            Assert.True(january[city.Id].Average(r => r.Temperature!.Value) < july[city.Id].Average(r => r.Temperature!.Value) - 10, $"temperature in {city.Id}");
            // Ozone is photochemical: summer sun makes more of it.
            Assert.True(july[city.Id].Average(r => r.O3!.Value) > january[city.Id].Average(r => r.O3!.Value), $"O3 in {city.Id}");
        }
    }

    [Fact]
    public void Stations_of_one_city_move_together_more_than_stations_of_different_cities()
    {
        var readings = Readings(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(60), TimeSpan.FromHours(1));
        double[] Series(string station) => [.. readings.Where(r => r.Station.Id == station).Select(r => Math.Log(r.Pm25!.Value))];

        var sameCity = Correlation(Series("bujaka"), Series("zloty-rog"));
        var otherCity = Correlation(Series("bujaka"), Series("srodmiescie"));

        Assert.True(sameCity > 0.8, $"same city {sameCity:F2}");
        Assert.True(sameCity > otherCity + 0.2, $"same city {sameCity:F2}, other city {otherCity:F2}");
    }

    [Fact]
    public void Readings_are_spread_evenly_over_each_interval_in_station_order()
    {
        var options = TestOptions.Create(o => o.SmogFaultProbability = 0);
        var feed = new SmogFeed(options, TestOptions.Start);
        var count = feed.Stations.Count;

        var readings = Enumerable.Range(0, 2 * count).Select(_ => feed.Next()).ToList();

        Assert.Equal(TestOptions.Start, readings[0].Timestamp);
        Assert.Equal(TestOptions.Start + options.SmogInterval, readings[count].Timestamp);
        Assert.Equal(readings.Select(r => r.Timestamp).Order(), readings.Select(r => r.Timestamp));
        Assert.Equal(readings.Take(count).Select(r => r.Station), readings.Skip(count).Select(r => r.Station));
        Assert.All(readings.Take(count), r => Assert.Equal(1, r.Seq));
        Assert.All(readings.Skip(count), r => Assert.Equal(2, r.Seq));
    }

    [Fact]
    public void Pm10_is_never_below_pm25_and_values_stay_physical()
    {
        foreach (var r in Readings(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(20)))
        {
            Assert.True(r.Pm10 >= r.Pm25);
            Assert.True(r.Pm25 >= 0 && r.No2 >= 0 && r.O3 >= 0);
            Assert.InRange(r.Humidity!.Value, 15, 100);
            Assert.InRange(r.Temperature!.Value, -40, 45);
        }
    }

    private static double LocalHour(SmogReading reading) => CentralEuropeanTime.ToLocal(reading.Timestamp).TimeOfDay.TotalHours;

    private static List<SmogReading> Readings(DateTimeOffset start, TimeSpan length, TimeSpan? interval = null)
    {
        var options = new FeedOptions { StartTime = start, SmogInterval = interval ?? TimeSpan.FromMinutes(15), SmogFaultProbability = 0 };
        var feed = new SmogFeed(options, start);
        var readings = new List<SmogReading>();
        while (true)
        {
            var reading = feed.Next();
            if (reading.Timestamp >= start + length) return readings;
            readings.Add(reading);
        }
    }

    private static double Correlation(double[] x, double[] y)
    {
        var mx = x.Average();
        var my = y.Average();
        var cov = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my));
        return cov / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));
    }
}
