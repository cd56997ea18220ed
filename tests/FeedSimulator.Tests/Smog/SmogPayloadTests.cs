using System.Text.Json;
using FeedSimulator.Smog;
using FeedSimulator.Tests.Infrastructure;

namespace FeedSimulator.Tests.Smog;

public class SmogPayloadTests
{
    private static readonly string[] Fields =
        ["station", "city", "name", "lat", "lon", "ts", "pm25", "pm10", "no2", "o3", "temperature", "humidity", "aqi", "flags", "seq"];

    private static readonly string[] Bands = ["good", "fair", "moderate", "poor", "very-poor", "extremely-poor"];

    [Fact]
    public void Payload_has_the_documented_fields_and_agrees_with_its_topic_and_index()
    {
        var ticks = new FeedEngine(TestOptions.Create(o => (o.Fx, o.SmogFaultProbability) = (false, 0.01)), TimeProvider.System).Generate(5_000);
        var sawNull = false;

        foreach (var tick in ticks)
        {
            using var json = JsonDocument.Parse(tick.Payload);
            var root = json.RootElement;
            Assert.Equal(Fields, root.EnumerateObject().Select(p => p.Name));
            Assert.Equal($"smog.{root.GetProperty("city").GetString()}.{root.GetProperty("station").GetString()}", tick.Topic);
            var flags = root.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!).ToList();
            foreach (var name in new[] { "pm25", "pm10", "no2", "o3", "temperature", "humidity" })
            {
                var value = root.GetProperty(name);
                Assert.Equal(value.ValueKind == JsonValueKind.Null, flags.Contains("missing:" + name));
                sawNull |= value.ValueKind == JsonValueKind.Null;
            }
            var aqi = root.GetProperty("aqi");
            if (aqi.ValueKind == JsonValueKind.Null) continue;
            var band = aqi.GetProperty("band").GetString()!;
            Assert.Equal(Array.IndexOf(Bands, band) + 1, aqi.GetProperty("index").GetInt32());
            var pollutant = aqi.GetProperty("pollutant").GetString()!;
            Assert.Contains(pollutant, new[] { "pm25", "pm10", "no2", "o3" });
            Assert.Equal(band, AirQualityIndex.Name(AirQualityIndex.Band(Enum.Parse<Pollutant>(pollutant, ignoreCase: true), root.GetProperty(pollutant).GetDouble())));
        }
        Assert.True(sawNull);
    }

    [Fact]
    public void Values_have_one_decimal_humidity_none_and_names_keep_their_diacritics()
    {
        var tick = new FeedEngine(TestOptions.Create(o => (o.Fx, o.SmogFaultProbability) = (false, 0)), TimeProvider.System).Generate(1).Single();
        var text = System.Text.Encoding.UTF8.GetString(tick.Payload.Span);

        Assert.Contains("\"name\":\"Kraków, Al. Krasińskiego\"", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(tick.Payload);
        foreach (var name in new[] { "pm25", "pm10", "no2", "o3", "temperature" })
        {
            Assert.Matches("^-?\\d+\\.\\d$", json.RootElement.GetProperty(name).GetRawText());
        }
        Assert.Matches("^\\d+$", json.RootElement.GetProperty("humidity").GetRawText());
        Assert.Equal("2026-01-05T00:00:00.000Z", json.RootElement.GetProperty("ts").GetString());
    }
}
