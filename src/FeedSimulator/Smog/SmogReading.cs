namespace FeedSimulator.Smog;

/// <summary>
/// One station reading as published: values already rounded, null where a sensor reported nothing,
/// <see cref="Flags"/> naming every faulty sensor. <see cref="Aqi"/> uses unflagged pollutant values only.
/// </summary>
internal sealed record SmogReading(
    Station Station,
    DateTimeOffset Timestamp,
    double? Pm25,
    double? Pm10,
    double? No2,
    double? O3,
    double? Temperature,
    double? Humidity,
    AqiResult? Aqi,
    IReadOnlyList<string> Flags,
    long Seq);
