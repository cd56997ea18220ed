namespace FeedSimulator.Smog;

/// <summary>The instruments of a station; each one can fail on its own.</summary>
internal enum Sensor
{
    Pm25,
    Pm10,
    No2,
    O3,
    Temperature,
    Humidity,
}
