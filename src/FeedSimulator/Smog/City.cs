namespace FeedSimulator.Smog;

/// <summary>
/// A city's climate and pollution baseline. <see cref="PmBase"/> is PM2.5 (µg/m³) with no heating at an average
/// hour; <see cref="HeatingSensitivity"/> is how much a full heating day adds on top, relative to that base
/// (coal-heated Kraków and Katowice high, coastal Gdańsk low).
/// </summary>
internal sealed record City(
    string Id,
    string Name,
    double PmBase,
    double HeatingSensitivity,
    double No2Base,
    double O3Base,
    double Pm10Ratio,
    double MeanTemperature,
    double TemperatureAmplitude,
    IReadOnlyList<Station> Stations);
