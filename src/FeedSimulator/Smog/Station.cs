namespace FeedSimulator.Smog;

/// <summary>A monitoring station. <see cref="Id"/> and its city's id are lowercase [a-z0-9-], as topics need.</summary>
internal sealed record Station(string CityId, string Id, string Name, double Latitude, double Longitude, StationKind Kind)
{
    public string Topic { get; } = $"smog.{CityId}.{Id}";

    public StationProfile Profile { get; } = StationProfile.For(Kind);
}
