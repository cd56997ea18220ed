using System.Text.Json;
using FeedSimulator.Serialization;

namespace FeedSimulator.Smog;

/// <summary>The air-quality reading wire format, see docs/feeds.md. Missing values are JSON null; <c>flags</c> is always present.</summary>
internal static class SmogPayload
{
    private static readonly JsonEncodedText[] SensorNames =
        [.. Enum.GetValues<Sensor>().Select(s => JsonEncodedText.Encode(SensorFaults.Name(s)))];

    public static byte[] Write(PayloadWriter writer, SmogReading reading)
    {
        var station = reading.Station;
        var json = writer.Begin();
        json.WriteStartObject();
        json.WriteString(PayloadNames.Station, station.Id);
        json.WriteString(PayloadNames.City, station.CityId);
        json.WriteString(PayloadNames.Name, station.Name);
        json.WriteNumber(PayloadNames.Lat, station.Latitude);
        json.WriteNumber(PayloadNames.Lon, station.Longitude);
        writer.WriteTimestamp(PayloadNames.Ts, reading.Timestamp);
        WriteValue(json, Sensor.Pm25, reading.Pm25, 1);
        WriteValue(json, Sensor.Pm10, reading.Pm10, 1);
        WriteValue(json, Sensor.No2, reading.No2, 1);
        WriteValue(json, Sensor.O3, reading.O3, 1);
        WriteValue(json, Sensor.Temperature, reading.Temperature, 1);
        WriteValue(json, Sensor.Humidity, reading.Humidity, 0);
        if (reading.Aqi is { } aqi)
        {
            json.WriteStartObject(PayloadNames.Aqi);
            json.WriteString(PayloadNames.Band, AirQualityIndex.Name(aqi.Band));
            json.WriteNumber(PayloadNames.Index, aqi.Index);
            json.WriteString(PayloadNames.Pollutant, AirQualityIndex.Name(aqi.Pollutant));
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull(PayloadNames.Aqi);
        }
        json.WriteStartArray(PayloadNames.Flags);
        foreach (var flag in reading.Flags) json.WriteStringValue(flag);
        json.WriteEndArray();
        json.WriteNumber(PayloadNames.Seq, reading.Seq);
        json.WriteEndObject();
        return writer.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter json, Sensor sensor, double? value, byte decimals)
    {
        var name = SensorNames[(int)sensor];
        if (value is { } v) json.WriteNumber(name, FixedPoint.Round(v, decimals));
        else json.WriteNull(name);
    }
}
