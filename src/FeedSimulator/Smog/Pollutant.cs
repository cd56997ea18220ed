namespace FeedSimulator.Smog;

/// <summary>The pollutants that enter the air quality index, in tie-break order.</summary>
internal enum Pollutant
{
    Pm25,
    Pm10,
    No2,
    O3,
}
