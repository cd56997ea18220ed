using System.Text.Json;

namespace FeedSimulator.Serialization;

/// <summary>Property names of both payloads, encoded once rather than on every tick.</summary>
internal static class PayloadNames
{
    public static readonly JsonEncodedText Pair = JsonEncodedText.Encode("pair");
    public static readonly JsonEncodedText Bid = JsonEncodedText.Encode("bid");
    public static readonly JsonEncodedText Ask = JsonEncodedText.Encode("ask");
    public static readonly JsonEncodedText Mid = JsonEncodedText.Encode("mid");
    public static readonly JsonEncodedText Ts = JsonEncodedText.Encode("ts");
    public static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");
    public static readonly JsonEncodedText Station = JsonEncodedText.Encode("station");
    public static readonly JsonEncodedText City = JsonEncodedText.Encode("city");
    public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    public static readonly JsonEncodedText Lat = JsonEncodedText.Encode("lat");
    public static readonly JsonEncodedText Lon = JsonEncodedText.Encode("lon");
    public static readonly JsonEncodedText Temperature = JsonEncodedText.Encode("temperature");
    public static readonly JsonEncodedText Humidity = JsonEncodedText.Encode("humidity");
    public static readonly JsonEncodedText Aqi = JsonEncodedText.Encode("aqi");
    public static readonly JsonEncodedText Band = JsonEncodedText.Encode("band");
    public static readonly JsonEncodedText Index = JsonEncodedText.Encode("index");
    public static readonly JsonEncodedText Pollutant = JsonEncodedText.Encode("pollutant");
    public static readonly JsonEncodedText Flags = JsonEncodedText.Encode("flags");
}
